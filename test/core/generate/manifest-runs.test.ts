import {mkdtempSync, readdirSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterEach, describe, expect, it} from 'vitest'

import {assertDistinctOutputs} from '../../../src/core/generate/build.js'
import {buildManifest, manifestChunks, serializeManifest, type ManifestEntry} from '../../../src/core/generate/manifest.js'
import {ManifestEntries, RUNS_FOLDER} from '../../../src/core/generate/manifest-runs.js'

const dirs: string[] = []
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, {recursive: true, force: true})
})
const staging = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'mp-runs-'))
  dirs.push(d)
  return d
}

/** Entries in a shuffled order, with names that need escaping and non-ASCII in them. */
function entries(n: number, seed = 1): ManifestEntry[] {
  let s = seed
  const rnd = (): number => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32)
  const out: ManifestEntry[] = []
  for (let i = 0; i < n; i++) {
    const user = `u${Math.floor(rnd() * 1e9)}-${i}${i % 7 === 0 ? 'é"\\\u2028' : ''}@example.com`
    const profile = i % 3 === 0
    out.push({path: `example.com/${profile ? 'users' : 'ddm/users'}/${user}${profile ? '.mobileconfig' : '.json'}`, kind: profile ? 'mobileconfig' : 'ddm', domain: 'example.com', user, payloadIdentifier: `com.example.${user}`, payloadUuid: profile ? `uuid-${i}` : null, displayName: profile ? 'Mail' : null, targetDevice: profile ? 'any' : null, sha256: 'ab'.repeat(32), size: i, signer: profile ? {subject: 'CN=Signer, O=Ex', sha256: 'CD:EF'} : null})
  }
  return out
}

const errorOf = (f: () => void): string | undefined => {
  try {
    f()
  } catch (error) {
    return (error as Error).message
  }
  return undefined
}

describe('ManifestEntries', () => {
  it('writes the manifest from spilled runs byte for byte as from all entries in memory', () => {
    const all = entries(1000)
    const dir = staging()
    const store = new ManifestEntries(dir, 64)
    for (const e of all) store.add(e)
    expect(readdirSync(join(dir, RUNS_FOLDER)).length).toBe(2 * Math.floor(1000 / 64))
    const whole = buildManifest(all, 'apple@abc', {index: 2, count: 3}, '9.9.9')
    const header = buildManifest([], 'apple@abc', {index: 2, count: 3}, '9.9.9')
    expect([...store.sorted()]).toEqual(whole.files)
    expect(Buffer.from([...manifestChunks(header, 10, store.sorted())].join(''))).toEqual(serializeManifest(whole))
    expect([...store.paths()].sort()).toEqual(all.map((e) => e.path).sort())
    expect(store.count).toBe(1000)
    expect(store.signed).toBe(true)
    const firstKinds: string[] = []
    for (const f of whole.files) if (!firstKinds.includes(f.kind)) firstKinds.push(f.kind)
    expect(store.byKind().map(([k]) => k)).toEqual(firstKinds)
    expect(store.byKind().reduce((n, [, c]) => n + c, 0)).toBe(1000)
  })

  it('writes an empty files list as buildManifest does', () => {
    const header = buildManifest([], 'apple@abc')
    expect([...manifestChunks(header, 10, new ManifestEntries(staging(), 4).sorted())].join('')).toBe(serializeManifest(header).toString())
  })

  it('finds a shared path (case-insensitively) or PayloadIdentifier across runs with the message assertDistinctOutputs gives', () => {
    const all = entries(300)
    const clash = {...all[250]!, path: all[10]!.path.toUpperCase(), payloadIdentifier: 'x.unique'}
    const ids = {...all[251]!, path: 'example.com/users/other.mobileconfig', kind: 'mobileconfig' as const, payloadIdentifier: all[30]!.payloadIdentifier}
    for (const [extra, at] of [[clash, 200], [ids, 120]] as const) {
      const list = [...all.slice(0, at), extra, ...all.slice(at)]
      const store = new ManifestEntries(staging(), 32)
      for (const e of list) store.add(e)
      const expected = errorOf(() => assertDistinctOutputs(list))
      expect(expected).toMatch(/mailprofile bug/)
      expect(errorOf(() => store.assertDistinct())).toBe(expected)
    }
    const fine = new ManifestEntries(staging(), 32)
    for (const e of all) fine.add(e)
    expect(errorOf(() => fine.assertDistinct())).toBeUndefined()
  })
})
