import {execFileSync} from 'node:child_process'
import {createHash} from 'node:crypto'
import {existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {MANIFEST_FILE, type Manifest, type ManifestEntry} from '../../../src/core/generate/manifest.js'
import {buildScope, carriedStale, findStaleOutputs, manifestWithStale, readPreviousManifest, removeStaleOutputs, staleOutputFindings} from '../../../src/core/generate/prune.js'

/** The paths a build writes, as writeBuild hands them to findStaleOutputs. */
const paths = (m: {files: Array<{path: string}>}): string[] => m.files.map((f) => f.path)

let out: string
beforeEach(() => {
  out = mkdtempSync(join(tmpdir(), 'mp-prune-'))
})
afterEach(() => rmSync(out, {recursive: true, force: true}))

const sha = (text: string) => createHash('sha256').update(text).digest('hex')
function entry(path: string, content: string, extra: Partial<ManifestEntry> = {}): ManifestEntry {
  return {path, kind: 'mobileconfig', domain: 'example.com', user: null, payloadIdentifier: null, payloadUuid: null, displayName: null, targetDevice: null, sha256: sha(content), size: content.length, signer: null, ...extra}
}
function write(path: string, content: string): void {
  const target = join(out, ...path.split('/'))
  mkdirSync(join(target, '..'), {recursive: true})
  writeFileSync(target, content)
}
const manifest = (files: ManifestEntry[]): Manifest => ({manifestVersion: 1, generator: {name: 'mailprofile', version: 'test'}, pathsRelativeTo: '--out', appleSchemas: 'test', files})
const staleFile = (path: string, unchanged: boolean) => ({path, unchanged, entry: entry(path, path)})

describe('stale outputs', () => {
  it('finds what the earlier manifest listed and this build does not, telling unchanged files from edited ones', () => {
    write('example.com/example.com.mobileconfig', 'domain')
    write('example.com/users/gone@example.com.mobileconfig', 'gone')
    write('example.com/users/edited@example.com.mobileconfig', 'edited by hand')
    write('unlisted.txt', 'not ours')
    const previous = manifest([
      entry('example.com/example.com.mobileconfig', 'domain'),
      entry('example.com/users/gone@example.com.mobileconfig', 'gone', {user: 'gone@example.com'}),
      entry('example.com/users/edited@example.com.mobileconfig', 'as built', {user: 'edited@example.com'}),
      entry('example.com/users/deleted@example.com.mobileconfig', 'deleted', {user: 'deleted@example.com'}),
    ])
    const current = manifest([entry('example.com/example.com.mobileconfig', 'domain')])
    expect(findStaleOutputs(out, previous, paths(current)).map(({path, unchanged, entry}) => [path, unchanged, entry.user])).toEqual([
      ['example.com/users/edited@example.com.mobileconfig', false, 'edited@example.com'],
      ['example.com/users/gone@example.com.mobileconfig', true, 'gone@example.com'],
    ])
    expect(findStaleOutputs(out, undefined, paths(current))).toEqual([])
  })

  it("keeps knowing stale files through the new manifest's `stale` list, so a later --prune still finds them", () => {
    write('example.com/users/gone@example.com.mobileconfig', 'gone')
    write('example.com/users/edited@example.com.mobileconfig', 'edited')
    const gone = entry('example.com/users/gone@example.com.mobileconfig', 'gone', {user: 'gone@example.com', payloadIdentifier: 'com.example.gone'})
    const edited = entry('example.com/users/edited@example.com.mobileconfig', 'as built', {user: 'edited@example.com'})
    const current = manifest([entry('example.com/example.com.mobileconfig', 'domain')])
    const first = findStaleOutputs(out, manifest([...current.files, gone, edited]), paths(current))
    // Not pruning: both stay listed (with their earlier entries, e.g. the PayloadIdentifier to withdraw).
    const kept = manifestWithStale(current, first, false)
    expect(kept.stale).toEqual([edited, gone])
    // The next run reads them from `stale` although `files` no longer has them.
    expect(findStaleOutputs(out, kept, paths(current)).map((x) => x.path)).toEqual([edited.path, gone.path])
    // Pruning: only the edited file, which --prune keeps, stays listed; nothing stale, no key at all.
    expect(manifestWithStale(current, first, true).stale).toEqual([edited])
    expect(manifestWithStale(current, [], false)).toBe(current)
    expect(Object.keys(manifestWithStale(current, [], false))).not.toContain('stale')
    // A --no-users run does not judge per-user files: their stale entries are carried over as they are.
    const perDomain = buildScope({users: false})
    expect(findStaleOutputs(out, kept, paths(current), perDomain)).toEqual([])
    expect(carriedStale(out, kept, perDomain)).toEqual([edited, gone])
    expect(carriedStale(out, kept, buildScope({users: true}))).toEqual([])
  })

  it('never follows a manifest path out of the output folder', () => {
    const outside = mkdtempSync(join(tmpdir(), 'mp-prune-outside-'))
    try {
      writeFileSync(join(outside, 'victim'), 'x')
      const rel = `../${outside.split('/').pop()}/victim`
      const previous = manifest([entry(rel, 'x'), entry(join(outside, 'victim'), 'x'), entry('a/./b', 'x'), entry('a\\..\\b', 'x'), entry(MANIFEST_FILE, 'x')])
      const stale = findStaleOutputs(out, previous, paths(manifest([])))
      expect(stale).toEqual([])
      expect(removeStaleOutputs(out, [staleFile(rel, true)])).toEqual([])
      expect(existsSync(join(outside, 'victim'))).toBe(true)
    } finally {
      rmSync(outside, {recursive: true, force: true})
    }
  })

  it('never deletes through a symbolic link: a planted manifest naming link/precious.txt with the victim\'s SHA-256 leaves the victim', () => {
    // The reproducer of issue 11: out/link -> a folder elsewhere, and a manifest listing link/precious.txt.
    const elsewhere = mkdtempSync(join(tmpdir(), 'mp-prune-victim-'))
    try {
      writeFileSync(join(elsewhere, 'precious.txt'), 'precious')
      symlinkSync(elsewhere, join(out, 'link'))
      // And a link to a file, named directly.
      symlinkSync(join(elsewhere, 'precious.txt'), join(out, 'file-link.txt'))
      const planted = manifest([entry('link/precious.txt', 'precious'), entry('file-link.txt', 'precious'), entry(`../${elsewhere.split('/').pop()}/precious.txt`, 'precious'), entry(join(elsewhere, 'precious.txt'), 'precious')])
      writeFileSync(join(out, MANIFEST_FILE), JSON.stringify(planted))
      const previous = readPreviousManifest(out)
      expect(previous?.files).toHaveLength(4)
      // Not judged at all (neither stale nor "modified"): the bytes behind a link are not ours.
      expect(findStaleOutputs(out, previous, paths(manifest([])))).toEqual([])
      // Even when told they are unchanged stale files, nothing behind a link (nor the link) is removed.
      expect(removeStaleOutputs(out, planted.files.map((f) => staleFile(f.path, true)))).toEqual([])
      expect(readFileSync(join(elsewhere, 'precious.txt'), 'utf8')).toBe('precious')
      expect(existsSync(join(out, 'link'))).toBe(true)
      expect(existsSync(join(out, 'file-link.txt'))).toBe(true)
    } finally {
      rmSync(elsewhere, {recursive: true, force: true})
    }
  })

  it('does not read a manifest that is a link or not a regular file, nor a stale entry that is a FIFO', () => {
    const elsewhere = mkdtempSync(join(tmpdir(), 'mp-prune-victim-'))
    try {
      writeFileSync(join(elsewhere, 'm.json'), JSON.stringify(manifest([entry('a', 'a')])))
      symlinkSync(join(elsewhere, 'm.json'), join(out, MANIFEST_FILE))
      expect(readPreviousManifest(out)).toBeUndefined()
      rmSync(join(out, MANIFEST_FILE))
      mkdirSync(join(out, MANIFEST_FILE))
      expect(readPreviousManifest(out)).toBeUndefined()
      rmSync(join(out, MANIFEST_FILE), {recursive: true})
      execFileSync('mkfifo', [join(out, 'fifo')])
      expect(findStaleOutputs(out, manifest([entry('fifo', '')]), paths(manifest([])))).toEqual([])
      expect(removeStaleOutputs(out, [staleFile('fifo', true)])).toEqual([])
      expect(existsSync(join(out, 'fifo'))).toBe(true)
    } finally {
      rmSync(elsewhere, {recursive: true, force: true})
    }
  })

  it('refuses hidden parts in manifest paths (staging folders, .git), so a planted manifest cannot reach them', () => {
    write('.git/config', 'x')
    write('.mailprofile-staging-1-abcdef/example.com/a', 'x')
    const previous = manifest([entry('.git/config', 'x'), entry('.mailprofile-staging-1-abcdef/example.com/a', 'x')])
    expect(findStaleOutputs(out, previous, paths(manifest([])))).toEqual([])
    expect(removeStaleOutputs(out, previous.files.map((f) => staleFile(f.path, true)))).toEqual([])
    expect(existsSync(join(out, '.git/config'))).toBe(true)
  })

  it('removes unchanged stale files and the folders they leave empty, never the output folder or edited files', () => {
    write('old.example/old.example.mobileconfig', 'old domain')
    write('old.example/users/a@old.example.mobileconfig', 'a')
    write('example.com/users/gone@example.com.mobileconfig', 'gone')
    write('example.com/users/kept@example.com.mobileconfig', 'kept')
    write('example.com/users/edited@example.com.mobileconfig', 'edited')
    const removed = removeStaleOutputs(out, [
      staleFile('old.example/old.example.mobileconfig', true),
      staleFile('old.example/users/a@old.example.mobileconfig', true),
      staleFile('example.com/users/gone@example.com.mobileconfig', true),
      staleFile('example.com/users/edited@example.com.mobileconfig', false),
    ])
    expect(removed).toEqual(['old.example/old.example.mobileconfig', 'old.example/users/a@old.example.mobileconfig', 'example.com/users/gone@example.com.mobileconfig'])
    expect(existsSync(join(out, 'old.example'))).toBe(false)
    expect(existsSync(join(out, 'example.com/users/kept@example.com.mobileconfig'))).toBe(true)
    expect(existsSync(join(out, 'example.com/users/edited@example.com.mobileconfig'))).toBe(true)
    expect(existsSync(out)).toBe(true)
  })

  it('scopes staleness to what this build makes: --only kinds (autodiscover with its error document), --no-users', () => {
    const user = entry('u', 'u', {user: 'a@example.com'})
    const ad = entry('e', 'e', {kind: 'autodiscover-error'})
    const dns = entry('d', 'd', {kind: 'dns'})
    expect([user, ad, dns].map(buildScope({users: true}))).toEqual([true, true, true])
    expect([user, ad, dns].map(buildScope({only: ['autodiscover'], users: true}))).toEqual([false, true, false])
    expect([user, ad, dns].map(buildScope({only: ['mobileconfig', 'dns'], users: false}))).toEqual([false, false, true])
  })

  it('reads the previous manifest only when it is one of ours', () => {
    expect(readPreviousManifest(out)).toBeUndefined()
    writeFileSync(join(out, MANIFEST_FILE), '{"files": []}')
    expect(readPreviousManifest(out)).toBeUndefined()
    writeFileSync(join(out, MANIFEST_FILE), 'not json')
    expect(readPreviousManifest(out)).toBeUndefined()
    writeFileSync(join(out, MANIFEST_FILE), JSON.stringify(manifest([entry('a', 'a')])))
    expect(readPreviousManifest(out)?.files.map((f) => f.path)).toEqual(['a'])
  })

  it('reports stale files (info) without --prune and edited ones (warning) either way', () => {
    const stale = [
      staleFile('a', true),
      staleFile('b', false),
    ]
    expect(staleOutputFindings(stale, false, 'out').map((f) => [f.code, f.severity])).toEqual([
      ['stale-output', 'info'],
      ['stale-output-modified', 'warning'],
    ])
    expect(staleOutputFindings(stale, true, 'out').map((f) => f.code)).toEqual(['stale-output-modified'])
    expect(staleOutputFindings([], false, 'out')).toEqual([])
  })
})
