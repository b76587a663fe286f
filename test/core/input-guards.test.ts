/**
 * Every file a user names goes through the one guarded reader (src/core/files.ts): a device, a FIFO
 * or a folder is refused with an InputError naming the file, never read (a read of /dev/zero would
 * grow without bound; a FIFO would block forever).
 */
import {execFileSync} from 'node:child_process'
import {mkdirSync, mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {readDomainsFile} from '../../src/core/doctor/many.js'
import {InputError} from '../../src/core/errors.js'
import {mergeShardManifests} from '../../src/core/generate/manifest-merge.js'
import {readProfileFile} from '../../src/core/inspect/read.js'
import {ROOT, runCli} from '../helpers/cli.js'

function inputError(fn: () => unknown): InputError {
  try {
    fn()
  } catch (error) {
    expect(error).toBeInstanceOf(InputError)
    return error as InputError
  }
  throw new Error('expected an InputError')
}

function fifoIn(dir: string, name: string): string {
  const file = join(dir, name)
  execFileSync('mkfifo', [file])
  return file
}

describe('named files are read through the guard', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mailprofile-guards-'))

  it('doctor --domains refuses a device, a FIFO and a folder', () => {
    expect(inputError(() => readDomainsFile('/dev/zero')).message).toMatch(/not a regular file/)
    expect(inputError(() => readDomainsFile(fifoIn(dir, 'domains.fifo'))).message).toMatch(/not a regular file/)
    expect(inputError(() => readDomainsFile(dir)).message).toMatch(/directory/)
    expect(inputError(() => readDomainsFile(join(dir, 'missing.txt'))).message).toMatch(/domains file not found/)
  })

  it('doctor --domains names the line of a bad entry, counting comments and blank lines', () => {
    const file = join(dir, 'domains.txt')
    writeFileSync(file, '# customers\n\nexample.com\n  # old\nalice@example.org\nnot a domain!\n')
    const error = inputError(() => readDomainsFile(file))
    expect(error.location).toMatchObject({file, line: 6})
    writeFileSync(file, '# customers\n\nexample.com\nalice@example.org # vip\n')
    expect(readDomainsFile(file)).toEqual(['example.com', 'alice@example.org'])
  })

  it('manifest merge refuses a partial manifest that is a FIFO instead of blocking on it', () => {
    const shard = join(dir, 'shard-fifo')
    mkdirSync(shard)
    fifoIn(shard, 'manifest.shard-1-of-2.json')
    const error = inputError(() => mergeShardManifests([shard]))
    expect(error.message).toMatch(/not a regular file/)
    expect(error.location?.file).toBe(join(shard, 'manifest.shard-1-of-2.json'))
  })

  it('inspect refuses a device and a FIFO with the profile wording', () => {
    expect(inputError(() => readProfileFile('/dev/zero')).message).toBe('is not a regular file')
    expect(inputError(() => readProfileFile(fifoIn(dir, 'p.mobileconfig'))).message).toBe('is not a regular file')
    expect(inputError(() => readProfileFile(join(dir, 'none.mobileconfig'))).message).toBe('profile not found')
  })

  it('serve --tls-cert /dev/zero is an input error naming the flag, with one JSON document', async () => {
    const res = await runCli(['serve', join(ROOT, 'examples', 'provider.yaml'), '--listen', '127.0.0.1:0', '--tls-cert', '/dev/zero', '--tls-key', '/dev/zero', '--json'], {timeoutMs: 20_000})
    expect(res.code).toBe(2)
    const doc = JSON.parse(res.stdout) as {exitCode: number; inputErrors: {message: string; file?: string}[]}
    expect(doc.exitCode).toBe(2)
    expect(JSON.stringify(doc.inputErrors)).toMatch(/--tls-cert: cannot read the TLS certificate \(it is not a regular file\)/)
  })
})
