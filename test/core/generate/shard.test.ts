import {createHash} from 'node:crypto'
import {existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

import {buildOutputs} from '../../../src/core/generate/build.js'
import {serializeManifest} from '../../../src/core/generate/manifest.js'
import {mergeShardManifests, writeMergedManifest} from '../../../src/core/generate/manifest-merge.js'
import {parseShard, shardManifestFile, shardOfAddress} from '../../../src/core/generate/shard.js'
import {baseSettings, loadFixture, type SettingsDoc} from './settings-fixture.js'

function settingsWith(n: number) {
  const doc = baseSettings() as SettingsDoc
  doc.users = Array.from({length: n}, (_, i) => ({address: `user${i}@example.com`}))
  return loadFixture(doc)
}

describe('shards', () => {
  it('parses K/N and refuses anything else', () => {
    expect(parseShard('2/4')).toEqual({index: 2, count: 4})
    for (const bad of ['0/4', '5/4', '4', '1/0', 'a/b', '1/100001', '-1/2']) expect(() => parseShard(bad), bad).toThrow(/--shard takes K\/N/)
  })

  it('assigns a user by SHA-256 of the lower-cased address mod N, independent of case', () => {
    const digest = BigInt('0x' + createHash('sha256').update('alice@example.com').digest('hex'))
    expect(shardOfAddress('Alice@Example.COM', 7)).toBe(Number(digest % 7n) + 1)
    expect(shardOfAddress('anyone@example.com', 1)).toBe(1)
  })

  it('4 shards build exactly the files of one build, per-domain files in shard 1 only, and merge into its manifest', () => {
    const settings = settingsWith(40)
    const whole = buildOutputs(settings)
    const parts = [1, 2, 3, 4].map((index) => buildOutputs(settings, {shard: {index, count: 4}}))
    const base = mkdtempSync(join(tmpdir(), 'mp-shards-'))
    const dirs = parts.map((p, i) => {
      expect(p.manifest.shard).toEqual({index: i + 1, count: 4})
      if (i > 0) expect(p.files.every((f) => f.user !== null)).toBe(true)
      const dir = join(base, `s${i + 1}`)
      mkdirSync(dir)
      writeFileSync(join(dir, shardManifestFile({index: i + 1, count: 4})), serializeManifest(p.manifest))
      return dir
    })
    expect(parts[0]!.files.some((f) => f.path === 'example.com/example.com.mobileconfig')).toBe(true)
    // Every shard got some users (40 users over 4 shards), and together exactly the files of one build, byte for byte.
    for (const p of parts) expect(p.files.filter((f) => f.user).length).toBeGreaterThan(0)
    const union = parts.flatMap((p) => p.files).sort((a, b) => (a.path < b.path ? -1 : 1))
    expect(union.map((f) => f.path)).toEqual(whole.files.map((f) => f.path))
    union.forEach((f, i) => expect(f.bytes.equals(whole.files[i]!.bytes), f.path).toBe(true))
    const out = join(base, 'merged')
    // A merge killed mid-write left its temporary file (pid 999999999 cannot exist: Linux pids stop at 2^22).
    mkdirSync(out)
    const leftover = join(out, '.manifest.json.999999999.deadbeef.tmp')
    writeFileSync(leftover, '')
    const written = writeMergedManifest(dirs, out)
    expect(readFileSync(written.file).equals(serializeManifest(whole.manifest))).toBe(true)
    expect(existsSync(leftover)).toBe(false)
  })

  it('refuses a merge with a shard missing, twice, or from another split', () => {
    const settings = settingsWith(8)
    const base = mkdtempSync(join(tmpdir(), 'mp-shards-'))
    const put = (dir: string, index: number, count: number) => {
      mkdirSync(join(base, dir), {recursive: true})
      writeFileSync(join(base, dir, shardManifestFile({index, count})), serializeManifest(buildOutputs(settings, {shard: {index, count}}).manifest))
      return join(base, dir)
    }
    const a = put('a', 1, 3)
    const b = put('b', 2, 3)
    expect(() => mergeShardManifests([a, b])).toThrow(/shard 3 of 3 missing/)
    const c = put('c', 2, 3)
    expect(() => mergeShardManifests([a, b, c])).toThrow(/is shard 2\/3 again/)
    const d = put('d', 3, 4)
    expect(() => mergeShardManifests([a, b, d])).toThrow(/of one split/)
    expect(() => mergeShardManifests([join(base, 'nowhere')])).toThrow(/cannot be read/)
    writeFileSync(join(base, 'd', shardManifestFile({index: 1, count: 2})), '{"manifestVersion":1,"files":[]}')
    expect(() => mergeShardManifests([d])).toThrow(/not a partial manifest/)
  })
})
