import {existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

import {discardStaging, removeAbandonedStaging, safeFileName, stageFile, stagingDir, writeOutputs} from '../../../src/core/generate/write.js'
import {writeFileAtomic} from '../../../src/core/util/write-file.js'

describe('safeFileName', () => {
  it('keeps ordinary addresses and domains readable', () => {
    expect(safeFileName('alice@example.com')).toBe('alice@example.com')
    expect(safeFileName('first.last+tag@example.com')).toBe('first.last+tag@example.com')
    expect(safeFileName('example.com')).toBe('example.com')
  })

  it('escapes path separators, dot-dot, control characters, reserved names, and marks the change with a hash', () => {
    const hostile = ['../../etc/passwd', 'a/b@example.com', 'a\\b@example.com', '..', '.', '.hidden', 'con', 'NUL.txt', 'a\u0000b', 'a\nb', 'Alice@Example.com', 'zoë@example.com', 'x'.repeat(300)]
    const names = hostile.map(safeFileName)
    for (const n of names) {
      expect(n).toMatch(/^[a-z0-9@._+~-]+$/)
      expect(n.startsWith('.')).toBe(false)
      expect(n).not.toContain('..')
      expect(n.length).toBeLessThanOrEqual(200)
      expect(n).toMatch(/~[0-9a-f]{8}$/)
    }
    expect(new Set(names).size).toBe(hostile.length)
  })

  it('does not collide for names that differ only in case or in escaped characters', () => {
    const names = ['alice@example.com', 'Alice@example.com', 'a/b@x', 'a_b@x', 'a\\b@x'].map(safeFileName)
    expect(new Set(names).size).toBe(names.length)
    expect(new Set(names.map((n) => n.toLowerCase())).size).toBe(names.length)
  })
})

describe('writeFileAtomic', () => {
  it('writes the bytes and leaves no temporary file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mp-write-'))
    const target = join(dir, 'sub', 'x.mobileconfig')
    writeFileAtomic(target, Buffer.from('one'))
    writeFileAtomic(target, Buffer.from('two'))
    expect(readFileSync(target, 'utf8')).toBe('two')
    expect(readdirSync(join(dir, 'sub'))).toEqual(['x.mobileconfig'])
  })

  it('leaves the old file intact and no temporary file when the write fails', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mp-write-'))
    // The target is a non-empty directory: rename fails after the temporary file was written.
    const target = join(dir, 'taken')
    mkdirSync(target)
    writeFileSync(join(target, 'keep'), 'old')
    expect(() => writeFileAtomic(target, Buffer.from('new'))).toThrow()
    expect(readdirSync(dir)).toEqual(['taken'])
    expect(readFileSync(join(target, 'keep'), 'utf8')).toBe('old')
  })

  it('writeOutputs refuses paths that would leave the output folder', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mp-write-'))
    expect(() => writeOutputs(dir, [{path: '../evil', bytes: Buffer.from('x')}])).toThrow(/unsafe output path/)
    expect(readdirSync(dir)).toEqual([])
  })
})

describe('staging (parallel build)', () => {
  it('stages files under the staging folder and writeOutputs moves them into place by rename', () => {
    const out = mkdtempSync(join(tmpdir(), 'mp-stage-'))
    try {
      const staged = stageFile(out, 'example.com/users/a@example.com.mobileconfig', Buffer.from('profile a'))
      expect(staged.startsWith(stagingDir(out))).toBe(true)
      const written = writeOutputs(out, [{path: 'example.com/users/a@example.com.mobileconfig', staged}, {path: 'example.com/example.com.mobileconfig', bytes: Buffer.from('domain')}], {path: 'manifest.json', bytes: Buffer.from('{}')})
      expect(written).toHaveLength(3)
      expect(readFileSync(join(out, 'example.com', 'users', 'a@example.com.mobileconfig'), 'utf8')).toBe('profile a')
      expect(existsSync(staged)).toBe(false)
      discardStaging(out)
      expect(existsSync(stagingDir(out))).toBe(false)
      expect(() => stageFile(out, '../escape', Buffer.from('x'))).toThrow(/unsafe output path/)
    } finally {
      rmSync(out, {recursive: true, force: true})
    }
  })

  it("removes staging folders of builds that were killed, never a live process's", () => {
    const out = mkdtempSync(join(tmpdir(), 'mp-stage-'))
    try {
      // A pid far above pid_max cannot belong to a live process; pid 1 always does.
      for (const pid of [2 ** 22 + 7, 1, process.pid]) mkdirSync(join(out, `.mailprofile-staging-${pid}`, 'example.com'), {recursive: true})
      mkdirSync(join(out, 'example.com'))
      removeAbandonedStaging(out)
      expect(readdirSync(out).sort()).toEqual(['.mailprofile-staging-1', `.mailprofile-staging-${process.pid}`, 'example.com'].sort())
      removeAbandonedStaging(join(out, 'missing')) // no folder yet: nothing to do
    } finally {
      rmSync(out, {recursive: true, force: true})
    }
  })
})
