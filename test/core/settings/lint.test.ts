import {readdirSync, readFileSync} from 'node:fs'
import {basename, join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {describe, expect, it} from 'vitest'

import type {Finding} from '../../../src/core/findings.js'
import {SETTINGS_CODES} from '../../../src/core/settings/codes.js'
import {lintSettingsFile} from '../../../src/core/settings/lint.js'

const FIXTURES = fileURLToPath(new URL('../../fixtures/settings/', import.meta.url))
const BAD = join(FIXTURES, 'bad')
const GOOD = join(FIXTURES, 'good')
const EXAMPLES = fileURLToPath(new URL('../../../examples/', import.meta.url))

/** The fixture certificates have fixed dates: the rule tests lint as of this day. */
const NOW = new Date('2030-01-01T00:00:00Z')

interface Fixture {
  file: string
  expect: string[]
  env: Record<string, string>
}

function readFixture(file: string): Fixture {
  const text = readFileSync(file, 'utf8')
  const expectations = [...text.matchAll(/^# expect: (\S+) (\S+)$/gm)].map((m) => {
    const where = m[2]!.includes('.') ? `${m[2]}` : `${basename(file)}:${m[2]}`
    return `${m[1]} ${where}`
  })
  const env = Object.fromEntries([...text.matchAll(/^# env: ([A-Z_]+)=(.*)$/gm)].map((m) => [m[1]!, m[2]!]))
  return {file, expect: expectations, env}
}

function describeFinding(f: Finding): string {
  return `${f.code} ${basename(f.source?.file ?? '?')}:${f.source?.line}:${f.source?.column}`
}

async function lint(file: string, env: Record<string, string> = {}, now = NOW) {
  return (await lintSettingsFile(file, {warnDays: 30, now, env})).findings
}

const badFixtures = readdirSync(BAD)
  .filter((f) => /\.ya?ml$/.test(f))
  .sort()
  .map((f) => readFixture(join(BAD, f)))

describe('each rule on its fixture (test/fixtures/settings/bad)', () => {
  it.each(badFixtures.map((f) => [basename(f.file), f] as const))('%s', async (_name, fixture) => {
    expect(fixture.expect.length).toBeGreaterThan(0)
    const findings = await lint(fixture.file, fixture.env)
    // Exactly the expected findings: the rule fires at the right place, and nothing else does.
    expect(findings.map(describeFinding).sort()).toEqual([...fixture.expect].sort())
    for (const f of findings) {
      expect(f.message.length).toBeGreaterThan(20)
      expect(f.fix?.length).toBeGreaterThan(5)
    }
  })

  it('every settings code has a fixture', () => {
    const covered = new Set(badFixtures.flatMap((f) => f.expect.map((e) => e.split(' ')[0])))
    const missing = SETTINGS_CODES.map((c) => c.code).filter((c) => !covered.has(c))
    expect(missing).toEqual([])
  })

  it('every finding has the severity its code is registered with', async () => {
    const severity = new Map(SETTINGS_CODES.map((c) => [c.code, c.severity]))
    for (const fixture of badFixtures) {
      for (const f of await lint(fixture.file, fixture.env)) expect([f.code, f.severity]).toEqual([f.code, severity.get(f.code)])
    }
  })
})

describe('clean settings', () => {
  const examples = readdirSync(EXAMPLES).filter((f) => /\.(ya?ml|json)$/.test(f))

  it('there are at least three examples', () => {
    expect(examples.length).toBeGreaterThanOrEqual(3)
  })

  it.each(examples)('examples/%s lints with no error or warning (today and in 2030)', async (name) => {
    for (const now of [new Date(), NOW]) {
      const findings = await lint(join(EXAMPLES, name), {}, now)
      expect(findings.filter((f) => f.severity !== 'info').map(describeFinding)).toEqual([])
    }
  })

  it.each(readdirSync(GOOD).sort())('good/%s lints with no finding', async (name) => {
    const fixture = readFixture(join(GOOD, name))
    expect((await lint(fixture.file, fixture.env)).map(describeFinding)).toEqual([])
  })
})

describe('messages', () => {
  it('suggests the nested key a typo meant, with a readable path', async () => {
    const [f] = await lint(join(BAD, 'unknown-key.yaml'))
    expect(f?.message).toContain('Unknown key "prot" in domains[0].incoming: did you mean "port"?')
    expect(f?.fix).toBe('Rename "prot" to "port".')
  })

  it('says where a key written at the wrong level belongs', async () => {
    const [f] = await lint(join(BAD, 'unknown-key-wrong-level.yaml'))
    expect(f?.message).toContain('Unknown key "caFiles" in the top level: it belongs in trust.')
    expect(f?.fix).toBe('Move "caFiles" into trust.')
  })

  it('reports a password key as password-in-settings, not also as unknown-key', async () => {
    const findings = await lint(join(BAD, 'password-in-settings.yaml'))
    expect(findings.map((f) => f.code)).toEqual(['password-in-settings'])
    expect(findings[0]?.message).toContain('"password" in domains[0].incoming')
    expect(JSON.stringify(findings)).not.toContain('hunter2')
  })

  it('finds a password even when the schema fails elsewhere', async () => {
    const findings = await lint(join(BAD, 'password-with-schema-errors.yaml'))
    expect(findings.map((f) => f.code).sort()).toEqual(['missing-key', 'password-in-settings', 'unknown-key'])
    expect(findings.find((f) => f.code === 'unknown-key')?.message).toContain('"hots" in domains[0].incoming: did you mean "host"?')
  })

  it('never prints the signing passphrase', async () => {
    for (const name of ['signing-passphrase-wrong.yaml', 'signing-passphrase-wrong-pkcs12.yaml']) {
      const fixture = readFixture(join(BAD, name))
      const findings = await lint(fixture.file, fixture.env)
      expect(JSON.stringify(findings)).not.toContain('not-the-passphrase')
    }
  })

  it('never echoes a passphrase written where its variable name belongs', async () => {
    const findings = await lint(join(BAD, 'invalid-value-passphrase-env.yaml'))
    expect(findings[0]?.message).toContain('signing.passphraseEnv is not an environment variable name')
    expect(JSON.stringify(findings)).not.toContain('horse')
  })

  it('gives the punycode form of an IDN host', async () => {
    const [f] = await lint(join(BAD, 'host-idn.yaml'))
    expect(f?.message).toContain('xn--bcher-kva.example')
  })

  it('names the first occurrence of a duplicate CSV user by its line', async () => {
    const [f] = await lint(join(BAD, 'user-duplicate-csv.yaml'))
    expect(f?.message).toContain('first at test/fixtures/settings/bad/users-duplicate.csv:2:1'.replace('test/fixtures/settings/bad/', `${BAD}/`))
  })

  it('counts days to expiry against --warn-days', async () => {
    const file = join(BAD, 'ca-file-expiring.yaml')
    expect((await lintSettingsFile(file, {warnDays: 10, now: NOW, env: {}})).findings).toEqual([])
    const [f] = (await lintSettingsFile(file, {warnDays: 15, now: NOW, env: {}})).findings
    expect(f?.message).toContain('expires on 2030-01-15, in 14 days')
  })
})
