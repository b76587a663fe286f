import {mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

import {safeFileName, writeFileAtomic, writeOutputs} from '../../../src/core/generate/write.js'

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
