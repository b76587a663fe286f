import fc from 'fast-check'
import {lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, realpathSync, rmSync, statSync, symlinkSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

import {abandonedStaging, createStaging, discardStaging, moveIntoPlace, planMoves, safeFileName, stageFile} from '../../../src/core/generate/write.js'
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

})

describe('staging and moving into place', () => {
  const outFolder = (): string => realpathSync(mkdtempSync(join(tmpdir(), 'mp-stage-')))

  it('stages files in an exclusive 0700 folder, moves new folders whole and existing files one by one', () => {
    const out = outFolder()
    try {
      mkdirSync(join(out, 'example.com'))
      writeFileSync(join(out, 'example.com', 'example.com.mobileconfig'), 'old')
      const staging = createStaging(out)
      expect(statSync(staging).mode & 0o777).toBe(0o700)
      const paths = ['example.com/users/a@example.com.mobileconfig', 'example.com/example.com.mobileconfig', 'other.org/other.org.mobileconfig']
      for (const p of paths) stageFile(staging, p, Buffer.from(`new ${p}`))
      expect(() => stageFile(staging, paths[0]!, Buffer.from('again'))).toThrow(/EEXIST/)
      expect(() => stageFile(staging, '../escape', Buffer.from('x'))).toThrow(/unsafe output path/)
      const plan = planMoves(out, paths, 'out')
      expect(plan.findings).toEqual([])
      // users/ and other.org/ are new: one rename each; the existing domain file is replaced by name.
      expect(plan.moves.map((m) => [m.kind, m.rel.join('/')])).toEqual([
        ['folder', 'example.com/users'],
        ['file', 'example.com/example.com.mobileconfig'],
        ['folder', 'other.org'],
      ])
      moveIntoPlace(out, staging, plan)
      for (const p of paths) expect(readFileSync(join(out, p), 'utf8')).toBe(`new ${p}`)
      discardStaging(staging)
      expect(readdirSync(out).sort()).toEqual(['example.com', 'other.org'])
    } finally {
      rmSync(out, {recursive: true, force: true})
    }
  })

  it('refuses a symlinked folder or a file where a folder belongs, before moving anything', () => {
    const out = outFolder()
    const elsewhere = mkdtempSync(join(tmpdir(), 'mp-elsewhere-'))
    try {
      symlinkSync(elsewhere, join(out, 'example.com'))
      writeFileSync(join(out, 'other.org'), 'a file')
      const staging = createStaging(out)
      const paths = ['example.com/example.com.mobileconfig', 'other.org/x', 'third.net/x']
      for (const p of paths) stageFile(staging, p, Buffer.from('x'))
      const plan = planMoves(out, paths, 'out')
      expect(plan.findings.map((f) => [f.code, f.severity, f.source?.file])).toEqual([
        ['output-path-unsafe', 'error', 'out/example.com'],
        ['output-path-unsafe', 'error', 'out/other.org'],
      ])
      expect(plan.findings[0]!.message).toMatch(/symbolic link/)
      expect(readdirSync(elsewhere)).toEqual([])
    } finally {
      rmSync(out, {recursive: true, force: true})
      rmSync(elsewhere, {recursive: true, force: true})
    }
  })

  it('never uses a planted staging folder or link, and finds only real staging folders of dead processes', () => {
    const out = outFolder()
    const elsewhere = mkdtempSync(join(tmpdir(), 'mp-elsewhere-'))
    try {
      // Planted under this process's old staging name, and under the new scheme's prefix.
      symlinkSync(elsewhere, join(out, `.mailprofile-staging-${process.pid}`))
      const staging = createStaging(out)
      expect(lstatSync(staging).isDirectory()).toBe(true)
      expect(staging.startsWith(join(out, `.mailprofile-staging-${process.pid}-`))).toBe(true)
      stageFile(staging, 'example.com/a', Buffer.from('x'))
      expect(readdirSync(elsewhere)).toEqual([])
      // A pid far above pid_max cannot belong to a live process; pid 1 always does.
      const dead = join(out, `.mailprofile-staging-${2 ** 22 + 7}-abcdef`)
      mkdirSync(dead)
      mkdirSync(join(out, '.mailprofile-staging-1-abcdef'))
      mkdirSync(join(out, `.mailprofile-staging-${2 ** 22 + 7}`)) // the old scheme's name
      symlinkSync(elsewhere, join(out, `.mailprofile-staging-${2 ** 22 + 9}-abcdef`)) // a link: never ours
      expect(abandonedStaging(out, staging).sort()).toEqual([join(out, `.mailprofile-staging-${2 ** 22 + 7}`), dead].sort())
      expect(abandonedStaging(join(out, 'missing'))).toEqual([])
    } finally {
      rmSync(out, {recursive: true, force: true})
      rmSync(elsewhere, {recursive: true, force: true})
    }
  })
})

describe('manifestChunks', () => {
  it('gives exactly the bytes of serializeManifest, in pieces', async () => {
    const {manifestChunks, serializeManifest} = await import('../../../src/core/generate/manifest.js')
    type M = Parameters<typeof serializeManifest>[0]
    const entry = (i: number) => ({path: `example.com/users/u${i}@example.com.mobileconfig`, kind: 'mobileconfig' as const, domain: 'example.com', user: `u${i}@example.com`, payloadIdentifier: `com.example.u${i}`, payloadUuid: null, sha256: 'ab'.repeat(32), size: i, displayName: i % 3 ? 'Mail "x"' : null, targetDevice: null, signer: i % 2 ? {subject: 'CN="quoted" \\ name', sha256: 'AB:CD'} : null})
    const files = Array.from({length: 700}, (_, i) => entry(i))
    const manifests: M[] = [
      {manifestVersion: 1 as const, appleSchemas: 'x', files: []},
      {manifestVersion: 1 as const, appleSchemas: 'x', files},
      {manifestVersion: 1 as const, appleSchemas: 'x', files, shard: {index: 2, count: 4}, stale: files.slice(0, 3)},
      {manifestVersion: 1 as const, appleSchemas: 'x', files: files.slice(0, 1), stale: []},
    ]
    for (const m of manifests) {
      const chunks = [...manifestChunks(m, 100)]
      expect(Buffer.from(chunks.join(''), 'utf8').equals(serializeManifest(m))).toBe(true)
      if (m.files.length === 700) expect(chunks.length).toBeGreaterThan(5)
    }
  })
})

describe('manifest entries written key by key', () => {
  it('are what JSON.stringify(entry, null, 2) re-indented gives, for entries of any shape', async () => {
    const {entryText} = await import('../../../src/core/generate/manifest.js')
    const keys = ['path', 'kind', 'domain', 'user', 'payloadIdentifier', 'payloadUuid', 'displayName', 'targetDevice', 'sha256', 'size', 'signer']
    const text = fc.oneof(fc.string({unit: 'binary', maxLength: 12}), fc.constantFrom('"', '\\', '\u2028', '\ud800', 'é😀', '\n\t\u0000'))
    const scalar = fc.oneof(text, fc.constant(null), fc.integer(), fc.double(), fc.constant(undefined), fc.boolean())
    const signer = fc.oneof(fc.constant(null), fc.record({subject: text, sha256: text}), fc.record({sha256: text, subject: text}), fc.dictionary(fc.constantFrom('subject', 'sha256', 'x'), scalar))
    const valueFor = (k: string) => (k === 'signer' ? signer : scalar)
    const standard = fc.tuple(...keys.map(valueFor)).map((values) => Object.fromEntries(keys.map((k, i) => [k, values[i]])))
    const shuffled = fc.shuffledSubarray(keys).chain((ks) => fc.tuple(...ks.map(valueFor)).map((values) => Object.fromEntries(ks.map((k, i) => [k, values[i]]))))
    const extra = standard.map((e) => ({...e, extra: 1}))
    // The shape a build writes, which takes the key-by-key way.
    const plainValue = (k: string) => (k === 'signer' ? fc.oneof(fc.constant(null), fc.record({subject: text, sha256: text})) : fc.oneof(text, fc.constant(null), fc.integer(), fc.double({noNaN: true, noDefaultInfinity: true})))
    const plain = fc.tuple(...keys.map(plainValue)).map((values) => Object.fromEntries(keys.map((k, i) => [k, values[i]])))
    fc.assert(
      fc.property(fc.oneof(plain, plain, standard, shuffled, extra, text, fc.integer(), fc.constant(null)), (entry) => {
        expect(entryText(entry)).toBe(JSON.stringify(entry, null, 2).replace(/\n/g, '\n    '))
      }),
      {numRuns: 2000},
    )
  })
})
