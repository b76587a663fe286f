/** doctor's option values as the core takes them: every unusable value is an InputError naming the flag, before any network step. */
import {describe, expect, it} from 'vitest'

import {doctor, type DoctorValues} from '../../src/core/app/doctor.js'
import {InputError} from '../../src/core/errors.js'

const base: DoctorValues = {address: 'alice@example.com', client: 'outlook,thunderbird,apple,srv', timeoutSeconds: 1, ispdb: 'https://autoconfig.thunderbird.net/v1.1/', concurrency: 1, warnDays: 30}

async function refusal(values: Partial<DoctorValues>): Promise<string> {
  const error = await doctor({...base, ...values}).then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(InputError)
  return (error as InputError).message
}

describe('doctor option values', () => {
  it('refuses an unknown client', async () => {
    expect(await refusal({client: 'outlook,eudora'})).toBe('--client: "eudora" is not one of outlook, thunderbird, apple, srv')
    expect(await refusal({client: ' , '})).toMatch(/^--client: /)
  })
  it('wants exactly one of ADDRESS and --domains', async () => {
    expect(await refusal({address: undefined})).toMatch(/give an ADDRESS/)
    expect(await refusal({domains: 'list.txt'})).toMatch(/not both/)
  })
  it('refuses a --profile-url that is not http(s), an unusable --ispdb, --dns and --connect-to', async () => {
    expect(await refusal({profileUrl: 'ftp://example.com/p.mobileconfig'})).toMatch(/^--profile-url /)
    expect(await refusal({ispdb: 'not a url'})).toMatch(/^--ispdb /)
    expect(await refusal({dns: 'dns.example.com'})).toMatch(/^--dns /)
    expect(await refusal({connectTo: ['example.com:443']})).toMatch(/^--connect-to /)
  })
})
