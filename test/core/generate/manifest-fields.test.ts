/**
 * The manifest says what its paths are relative to, which mailprofile wrote it, and per profile the
 * name and device it declares (issue 9, item 13). Checked on the golden outputs against the
 * profiles themselves, read by python3's plistlib (signed ones unwrapped by openssl cms).
 */
import {execFileSync} from 'node:child_process'
import {createHash} from 'node:crypto'
import {mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

import {buildOutputs} from '../../../src/core/generate/build.js'
import {serializeManifest, type Manifest} from '../../../src/core/generate/manifest.js'
import {mergeShardManifests} from '../../../src/core/generate/manifest-merge.js'
import {shardManifestFile} from '../../../src/core/generate/shard.js'
import {ROOT} from '../../helpers/cli.js'
import {baseSettings, loadFixture, type SettingsDoc} from './settings-fixture.js'

const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {version: string}).version
const GOLDEN = readdirSync(join(ROOT, 'profiles')).map((name) => join(ROOT, 'profiles', name))

/** PayloadDisplayName and TargetDeviceType of a .mobileconfig, as plistlib reads it. */
function declared(file: string): {name: string; device: number | null} {
  const bytes = readFileSync(file)
  const xml = bytes[0] === 0x30 ? execFileSync('openssl', ['cms', '-verify', '-noverify', '-inform', 'DER', '-in', file], {stdio: ['ignore', 'pipe', 'ignore']}) : bytes
  const out = execFileSync('python3', ['-c', 'import plistlib,sys,json; p=plistlib.loads(sys.stdin.buffer.read()); print(json.dumps({"name": p["PayloadDisplayName"], "device": p.get("TargetDeviceType")}))'], {input: xml, encoding: 'utf8'})
  return JSON.parse(out) as {name: string; device: number | null}
}

describe('manifest fields', () => {
  it.each(GOLDEN)('%s: paths relative to --out, the tool version, and each profile\'s name and device as it declares them', (dir) => {
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Manifest
    expect(manifest.pathsRelativeTo).toBe('--out')
    expect(manifest.generator).toEqual({name: 'mailprofile', version: VERSION})
    let profiles = 0
    for (const entry of manifest.files) {
      // Relative to the folder holding the manifest (the build's --out): the bytes are there.
      expect(createHash('sha256').update(readFileSync(join(dir, ...entry.path.split('/')))).digest('hex'), entry.path).toBe(entry.sha256)
      if (entry.kind !== 'mobileconfig') {
        expect([entry.displayName, entry.targetDevice], entry.path).toEqual([null, null])
        continue
      }
      profiles++
      const {name, device} = declared(join(dir, ...entry.path.split('/')))
      expect(entry.displayName, entry.path).toBe(name)
      expect(entry.targetDevice, entry.path).toBe(device === 1 ? 'ios' : device === 5 ? 'macos' : device === null ? 'any' : `unexpected ${device}`)
    }
    expect(profiles).toBeGreaterThan(0)
  })

  it('carries the target device the settings give (macos) and the display name', () => {
    const doc = baseSettings() as SettingsDoc
    ;(doc as Record<string, unknown>).profile = {displayName: 'Staff Mail', targetDevice: 'macos'}
    const {manifest} = buildOutputs(loadFixture(doc))
    const profiles = manifest.files.filter((f) => f.kind === 'mobileconfig')
    expect(profiles.length).toBeGreaterThan(0)
    for (const p of profiles) expect([p.displayName, p.targetDevice]).toEqual(['Staff Mail', 'macos'])
  })

  it('manifest merge keeps the shards\' version and refuses shards written by different versions', () => {
    const doc = baseSettings() as SettingsDoc
    doc.users = Array.from({length: 6}, (_, i) => ({address: `user${i}@example.com`}))
    const settings = loadFixture(doc)
    const base = mkdtempSync(join(tmpdir(), 'mp-manifest-'))
    try {
      const write = (index: number, version: string) => {
        const {manifest} = buildOutputs(settings, {shard: {index, count: 2}})
        const dir = join(base, `s${index}`)
        mkdirSync(dir, {recursive: true})
        writeFileSync(join(dir, shardManifestFile({index, count: 2})), serializeManifest({...manifest, generator: {name: 'mailprofile', version}}))
        return dir
      }
      const merged = mergeShardManifests([write(1, '9.9.9'), write(2, '9.9.9')]).manifest
      expect(merged.generator?.version).toBe('9.9.9')
      expect(merged.pathsRelativeTo).toBe('--out')
      expect(() => mergeShardManifests([write(1, '9.9.9'), write(2, '1.0.0')])).toThrow(/written by mailprofile 1\.0\.0, .* by 9\.9\.9: build every shard with the same mailprofile/)
    } finally {
      rmSync(base, {recursive: true, force: true})
    }
  })
})
