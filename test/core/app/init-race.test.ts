// init never overwrites a file created after its existence check (the check and the write are two
// steps): the write itself refuses a name that is taken, unless --force.
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, beforeEach, describe, expect, it, vi} from 'vitest'

// The existence check of the target answers "absent", as it would just before another process creates the file.
const hidden = vi.hoisted(() => ({path: ''}))
vi.mock('node:fs', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs')>()
  const existsSync = (path: string) => path !== hidden.path && real.existsSync(path)
  return {...real, default: {...real, existsSync}, existsSync}
})

const {initSettingsFile} = await import('../../../src/core/app/init.js')
const {InputError} = await import('../../../src/core/errors.js')

let dir: string
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'mp-init-race-'))
})
afterEach(() => rmSync(dir, {recursive: true, force: true}))

const values = (out: string, force: boolean) => ({domain: 'example.com', out, force, protocol: 'imap' as const, security: 'ssl' as const})

describe('init and a file created after its check', () => {
  it('is left as it is without --force, with the usual "the file exists" input error', async () => {
    const out = (hidden.path = join(dir, 'mailprofile.yaml'))
    writeFileSync(out, 'theirs')
    const error = await initSettingsFile(values(out, false)).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(InputError)
    expect((error as Error).message).toMatch(/the file exists; use --force/)
    expect(readFileSync(out, 'utf8')).toBe('theirs')
  })

  it('is replaced with --force', async () => {
    const out = (hidden.path = join(dir, 'mailprofile.yaml'))
    writeFileSync(out, 'theirs')
    await initSettingsFile(values(out, true))
    expect(readFileSync(out, 'utf8')).toMatch(/example\.com/)
  })
})
