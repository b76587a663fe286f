import {mkdtempSync, readdirSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterEach, describe, expect, it} from 'vitest'

import {assertDistinctOutputs} from '../../../src/core/generate/build.js'
import {buildManifest, manifestChunks, serializeManifest, type ManifestEntry} from '../../../src/core/generate/manifest.js'
import {FAN_IN, ManifestEntries, RUN_ENTRIES, RUNS_FOLDER} from '../../../src/core/generate/manifest-runs.js'

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

/** Files per kind in the order kinds first appear in the sorted manifest (what byKind() gives). */
function byKindOf(list: ManifestEntry[]): Array<[string, number]> {
  const order: string[] = []
  for (const f of buildManifest(list, 'apple@abc').files) if (!order.includes(f.kind)) order.push(f.kind)
  return order.map((k) => [k, list.filter((e) => e.kind === k).length])
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

  it('merges full levels of runs, keeping few open and the output unchanged', () => {
    const all = entries(1000, 7)
    const dir = staging()
    // 125 runs of 8 at a fan-in of 3: every third run merges, and every third merged run again.
    const store = new ManifestEntries(dir, 8, 3)
    let most = 0
    for (const e of all) {
      store.add(e)
      most = Math.max(most, store.runCount)
    }
    // 125 in base 3 is 11122: one run of level 4, one of 3, one of 2, two of 1, two of 0.
    expect(store.runCount).toBe(7)
    expect(most).toBeLessThanOrEqual(2 * 5 + 1)
    expect(readdirSync(join(dir, RUNS_FOLDER)).length).toBe(2 * store.runCount)
    const whole = buildManifest(all, 'apple@abc', {index: 1, count: 1}, '9.9.9')
    const header = buildManifest([], 'apple@abc', {index: 1, count: 1}, '9.9.9')
    expect(Buffer.from([...manifestChunks(header, 10, store.sorted())].join(''))).toEqual(serializeManifest(whole))
    expect([...store.paths()].sort()).toEqual(all.map((e) => e.path).sort())
    expect(errorOf(() => store.assertDistinct())).toBeUndefined()
  })

  it('keeps equal paths in build order through merged runs, and reports the first of a clash as the other', () => {
    const all = entries(200, 3)
    // The same path three times (a bug's output), in three runs that get merged: build order survives.
    const twin = (i: number, size: number): ManifestEntry => ({...all[i]!, path: 'example.com/users/same.mobileconfig', size, payloadIdentifier: `x.twin${i}`})
    const list = [...all.slice(0, 20), twin(20, 1), ...all.slice(20, 90), twin(90, 2), ...all.slice(90), twin(199, 3)]
    const store = new ManifestEntries(staging(), 16, 2)
    for (const e of list) store.add(e)
    expect(store.runCount).toBeLessThan(list.length / 16)
    expect([...store.sorted()].filter((e) => e.path.endsWith('/same.mobileconfig')).map((e) => e.size)).toEqual([1, 2, 3])
    expect([...store.sorted()]).toEqual(buildManifest(list, 'apple@abc').files)
    const expected = errorOf(() => assertDistinctOutputs(list))
    expect(expected).toMatch(/mailprofile bug: two outputs/)
    expect(errorOf(() => store.assertDistinct())).toBe(expected)
  })

  it('spills at RUN_ENTRIES by default, and refuses a fan-in that never merges', () => {
    const dir = staging()
    const store = new ManifestEntries(dir)
    const all = entries(RUN_ENTRIES)
    for (const e of all.slice(0, -1)) store.add(e)
    expect(store.runCount).toBe(0)
    store.add(all.at(-1)!)
    expect(store.runCount).toBe(1)
    expect(FAN_IN).toBeGreaterThanOrEqual(2)
    expect(() => new ManifestEntries(staging(), 4, 1)).toThrow(/fan-in/)
  })

  it('names the first in build order as the other when a clash is inside one run, whatever the paths sort as', () => {
    // x/a.json is built first; X/A.json sorts before it by path, in the same run of 8.
    const base = entries(20, 5)
    const first = {...base[0]!, path: 'example.com/x/a.json', user: 'first@example.com'}
    const second = {...base[1]!, path: 'EXAMPLE.COM/X/A.json', user: 'second@example.com'}
    const list = [first, second, ...base.slice(2)]
    const store = new ManifestEntries(staging(), 8)
    for (const e of list) store.add(e)
    expect(store.runCount).toBeGreaterThan(0)
    const expected = errorOf(() => assertDistinctOutputs(list))
    expect(expected).toContain('(first@example.com and second@example.com)')
    expect(errorOf(() => store.assertDistinct())).toBe(expected)
  })

  it('adopts the runs other threads hand over, in order after its own entries, as if it had added them all', () => {
    const all = entries(500, 11)
    const dir = staging()
    const main = new ManifestEntries(dir, 16)
    // Two "workers" writing runs into the same folder under their own names.
    const workers = [new ManifestEntries(dir, 16, 3, 'w1-'), new ManifestEntries(dir, 16, 3, 'w2-')]
    for (const e of all.slice(0, 40)) main.add(e)
    for (const e of all.slice(40, 300)) workers[0]!.add(e)
    for (const e of all.slice(300)) workers[1]!.add(e)
    const handed = workers.map((w) => w.handOver())
    // A handed-over store is empty, and what it hands over survives structured cloning (a worker's message).
    expect(workers[0]!.count).toBe(0)
    expect(workers[0]!.runCount).toBe(0)
    for (const h of handed) main.adopt(structuredClone(h))
    expect(main.count).toBe(500)
    expect(main.signed).toBe(true)
    const whole = buildManifest(all, 'apple@abc')
    expect([...main.sorted()]).toEqual(whole.files)
    expect(main.byKind()).toEqual(byKindOf(all))
    expect([...main.paths()].sort()).toEqual(all.map((e) => e.path).sort())
    expect(readdirSync(join(dir, RUNS_FOLDER)).some((f) => f.startsWith('w2-'))).toBe(true)
    expect(errorOf(() => main.assertDistinct())).toBeUndefined()
  })

  it('reports a clash between threads naming the earlier share as the other', () => {
    const all = entries(100, 13)
    const dir = staging()
    const main = new ManifestEntries(dir, 8)
    const first = new ManifestEntries(dir, 8, 2, 'w1-')
    const second = new ManifestEntries(dir, 8, 2, 'w2-')
    const clash = {...all[80]!, path: all[20]!.path.toUpperCase(), user: 'later@example.com'}
    for (const e of all.slice(0, 50)) first.add(e)
    for (const e of [...all.slice(50), clash]) second.add(e)
    main.adopt(first.handOver())
    main.adopt(second.handOver())
    const expected = errorOf(() => assertDistinctOutputs([...all, clash]))
    expect(expected).toContain(`(${all[20]!.user} and later@example.com)`)
    expect(errorOf(() => main.assertDistinct())).toBe(expected)
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
