// writeFileAtomic's temporary file (src/core/util/write-file.ts): beside the target, created
// exclusively under a random name, so a link planted at that name is neither followed nor removed;
// with noClobber, nothing that appeared at the target's name is replaced.
import {existsSync, lstatSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, beforeEach, describe, expect, it, vi} from 'vitest'

const fixedBytes = vi.hoisted(() => ({next: undefined as Buffer | undefined}))
vi.mock('node:crypto', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:crypto')>()
  const randomBytes = (size: number) => {
    const fixed = fixedBytes.next
    fixedBytes.next = undefined
    return fixed ?? real.randomBytes(size)
  }
  return {...real, default: {...real, randomBytes}, randomBytes}
})

const {writeFileAtomic} = await import('../../../src/core/util/write-file.js')

let dir: string
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'mp-write-file-'))
})
afterEach(() => rmSync(dir, {recursive: true, force: true}))

describe('writeFileAtomic temporary files', () => {
  it('never writes through a link planted at the temporary name (in the target folder), and leaves what it did not create', () => {
    const victim = join(dir, 'victim')
    writeFileSync(victim, 'keep')
    const target = join(dir, 'manifest.json')
    fixedBytes.next = Buffer.from('deadbeef', 'hex')
    const planted = join(dir, `.manifest.json.${process.pid}.deadbeef.tmp`)
    symlinkSync(victim, planted)
    expect(() => writeFileAtomic(target, Buffer.from('new'))).toThrow(/EEXIST/)
    expect(readFileSync(victim, 'utf8')).toBe('keep')
    expect(lstatSync(planted).isSymbolicLink()).toBe(true)
    expect(existsSync(target)).toBe(false)
  })
})

describe('writeFileAtomic noClobber', () => {
  const leftovers = (): string[] => readdirSync(dir).filter((n) => n.endsWith('.tmp'))

  it('writes the file when nothing is at the name, and leaves no temporary file', () => {
    const target = join(dir, 'mailprofile.yaml')
    writeFileAtomic(target, Buffer.from('new'), {noClobber: true})
    expect(readFileSync(target, 'utf8')).toBe('new')
    expect(lstatSync(target).nlink).toBe(1)
    expect(leftovers()).toEqual([])
  })

  it('never replaces a file (or a link, dangling or not) that appeared at the name, and leaves no temporary file', () => {
    const target = join(dir, 'mailprofile.yaml')
    writeFileSync(target, 'theirs')
    expect(() => writeFileAtomic(target, Buffer.from('new'), {noClobber: true})).toThrow(/EEXIST/)
    expect(readFileSync(target, 'utf8')).toBe('theirs')
    const link = join(dir, 'linked.yaml')
    symlinkSync(join(dir, 'nowhere'), link)
    expect(() => writeFileAtomic(link, Buffer.from('new'), {noClobber: true})).toThrow(/EEXIST/)
    expect(lstatSync(link).isSymbolicLink()).toBe(true)
    expect(existsSync(join(dir, 'nowhere'))).toBe(false)
    expect(leftovers()).toEqual([])
  })

  it('replaces the file without noClobber (the default, as before)', () => {
    const target = join(dir, 'mailprofile.yaml')
    writeFileSync(target, 'old')
    writeFileAtomic(target, Buffer.from('new'))
    expect(readFileSync(target, 'utf8')).toBe('new')
  })
})
