import {mkdtempSync, readdirSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join, relative} from 'node:path'

import {afterEach, describe, expect, it} from 'vitest'

import {buildSettingsFile, type BuildValues} from '../../../src/core/app/build.js'

const dirs: string[] = []
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, {recursive: true, force: true})
})

/** Every file under `dir` (staging folders included, so a leftover shows), relative path → bytes. */
function tree(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>()
  const walk = (d: string): void => {
    for (const e of readdirSync(d, {withFileTypes: true})) {
      const abs = join(d, e.name)
      if (e.isDirectory()) walk(abs)
      else out.set(relative(dir, abs), readFileSync(abs))
    }
  }
  walk(dir)
  return out
}

const values = (out: string, more: Partial<BuildValues> = {}): BuildValues => ({out, users: true, prune: false, fsync: false, embedServerRoot: false, pins: [], threads: 1, env: {}, ...more})

describe('build with its manifest entries in runs on disk', () => {
  it('writes the same files and manifest.json as with every entry in memory, and leaves no run behind', async () => {
    const base = mkdtempSync(join(tmpdir(), 'mp-build-runs-'))
    dirs.push(base)
    const settings = join(process.cwd(), 'examples', 'provider.yaml')
    const inMemory = await buildSettingsFile(settings, values(join(base, 'memory')))
    const spilled = await buildSettingsFile(settings, values(join(base, 'runs'), {runEntries: 3}))
    const a = tree(join(base, 'memory'))
    const b = tree(join(base, 'runs'))
    expect(a.size).toBeGreaterThan(10)
    expect([...b.keys()].sort()).toEqual([...a.keys()].sort())
    for (const [path, bytes] of a) expect(b.get(path), path).toEqual(bytes)
    expect(spilled.written).toEqual(inMemory.written)
    expect(spilled.data.manifest).toEqual(inMemory.data.manifest)
    // A text report does not need the list: it stays on disk.
    const text = await buildSettingsFile(settings, values(join(base, 'runs'), {runEntries: 3, listFiles: false}))
    expect(text.data.manifest?.files).toEqual([])
    expect(text.written).toEqual(inMemory.written)
    expect(tree(join(base, 'runs'))).toEqual(b)
  })

  it('writes the same on two worker threads keeping runs of their own, and leaves none of them behind', async () => {
    const base = mkdtempSync(join(tmpdir(), 'mp-build-runs-'))
    dirs.push(base)
    const settings = join(process.cwd(), 'examples', 'provider.yaml')
    const one = await buildSettingsFile(settings, values(join(base, 'one')))
    // Runs of 3 entries: each worker spills many runs into the staging folder, and this thread adopts them.
    const two = await buildSettingsFile(settings, values(join(base, 'two'), {runEntries: 3, threads: 2}))
    const a = tree(join(base, 'one'))
    expect(a.size).toBeGreaterThan(10)
    expect(tree(join(base, 'two'))).toEqual(a)
    expect(two.data.manifest).toEqual(one.data.manifest)
    expect(two.written).toEqual(one.written)
  })
})
