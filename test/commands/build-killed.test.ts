// `build` killed with SIGKILL during the write phase (issue 11 item 11, issue 14 item 2): a real
// kill of the built CLI at exact points (MAILPROFILE_TEST_KILL_AT, write.ts / kill-point.ts), then
// the invariant checked — a manifest in the folder describes only files that are there with those
// bytes — and the next build must clean up after the killed one and still know its stale files.
import {spawn} from 'node:child_process'
import {createHash} from 'node:crypto'
import {cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {beforeAll, describe, expect, it} from 'vitest'
import {stringify} from 'yaml'

import {BIN, runCli} from '../helpers/cli.js'
import {baseSettings} from '../core/generate/settings-fixture.js'

type Entry = {path: string; sha256: string; size: number; user: string | null}
type Manifest = {files: Entry[]; stale?: Entry[]}

const dir = mkdtempSync(join(tmpdir(), 'mp-killed-'))

/** Settings with users `from`…`to - 1` and a description (changing it changes every profile's bytes). */
function settings(name: string, from: number, to: number, description: string): string {
  const d = baseSettings() as Record<string, unknown> & {profile: Record<string, unknown>}
  d.profile.description = description
  d.users = Array.from({length: to - from}, (_, i) => ({address: `user${from + i}@example.com`, name: `User ${from + i}`}))
  const file = join(dir, `${name}.yaml`)
  writeFileSync(file, stringify(d))
  return file
}

function listAll(root: string, prefix = ''): string[] {
  return readdirSync(join(root, prefix), {withFileTypes: true}).flatMap((e) => (e.isDirectory() ? listAll(root, `${prefix}${e.name}/`) : [`${prefix}${e.name}`]))
}

/** The invariant: a manifest in the folder lists only files that are there, with exactly those bytes. */
function expectManifestTrue(out: string): Manifest | undefined {
  const file = join(out, 'manifest.json')
  if (!existsSync(file)) return undefined
  const manifest = JSON.parse(readFileSync(file, 'utf8')) as Manifest
  for (const f of manifest.files) {
    const abs = join(out, f.path)
    expect(existsSync(abs), `${f.path} is listed but missing`).toBe(true)
    const bytes = readFileSync(abs)
    expect(createHash('sha256').update(bytes).digest('hex'), `${f.path} is listed with other bytes`).toBe(f.sha256)
    expect(bytes.length).toBe(f.size)
  }
  return manifest
}

function runKilled(args: string[], killAt: string): Promise<string | null> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], {stdio: 'ignore', env: {...process.env, MAILPROFILE_TEST_KILL_AT: killAt}})
    child.once('exit', (_code, signal) => resolve(signal))
  })
}

const hidden = (out: string): string[] => listAll(out).filter((p) => p.split('/').some((part) => part.startsWith('.')))

let first: string
let second: string
let built: string
beforeAll(async () => {
  // Build A: users 0…119. Build B (killed, then run again): users 0…79 and 120…199, with another
  // description, so it replaces 80 files, adds 80 and leaves 40 users' files stale.
  first = settings('a', 0, 120, 'First build.')
  const b = baseSettings() as Record<string, unknown> & {profile: Record<string, unknown>}
  b.profile.description = 'Second build.'
  b.users = [...Array.from({length: 80}, (_, i) => i), ...Array.from({length: 80}, (_, i) => 120 + i)].map((n) => ({address: `user${n}@example.com`, name: `User ${n}`}))
  second = join(dir, 'b.yaml')
  writeFileSync(second, stringify(b))
  built = join(dir, 'built')
  const r = await runCli(['build', first, '--out', built, '--only', 'mobileconfig,autodiscover', '--threads', '1'])
  expect(r.code, r.stderr).toBe(0)
}, 60_000)

describe('build killed with SIGKILL during the write phase', () => {
  const points = ['stage:30', 'unplace:1', 'move:1', 'move:70', 'manifest:1', 'prune:5']
  it.each(points)('at %s: the manifest never lies, and the next build cleans up and still knows the stale files', async (point) => {
    const out = join(dir, `out-${point.replace(':', '-')}`)
    cpSync(built, out, {recursive: true})
    const args = ['build', second, '--out', out, '--only', 'mobileconfig,autodiscover', '--threads', '1', ...(point.startsWith('prune') ? ['--prune'] : [])]
    expect(await runKilled(args, point)).toBe('SIGKILL')
    const left = expectManifestTrue(out)
    // Only before the old manifest is taken out of place, or once the new one is in place, is there one.
    if (point === 'stage:30') expect(left?.files.some((f) => f.user === 'user100@example.com')).toBe(true)
    else if (point === 'unplace:1' || point.startsWith('move')) expect(left).toBeUndefined()
    else expect(left?.files.some((f) => f.user === 'user150@example.com')).toBe(true)
    expect(hidden(out).length).toBeGreaterThan(0) // the killed build's staging folder

    // The next complete build: exit 0, a true manifest, nothing hidden left, and users 80…119 still known as stale.
    const again = await runCli([...args.filter((a) => a !== '--prune'), '--json'])
    expect(again.code, again.stderr).toBe(0)
    const doc = JSON.parse(again.stdout) as {findings: Array<{code: string; message: string}>}
    const manifest = expectManifestTrue(out)!
    expect(hidden(out)).toEqual([])
    expect(manifest.files.filter((f) => f.user !== null)).toHaveLength(160 * 2)
    const staleUsers = new Set((manifest.stale ?? []).map((f) => f.user))
    // Killed while pruning, some were removed already; the rest are still known from the killed build's staging folder.
    const removedEarly = point === 'prune:5' ? 5 : 0
    expect(staleUsers.size).toBeGreaterThanOrEqual(40 - removedEarly)
    expect([...staleUsers].every((u) => /^user(8\d|9\d|1[01]\d)@example\.com$/.test(String(u)))).toBe(true)
    expect(doc.findings.map((f) => f.code)).toContain('stale-output')
    expect(doc.findings.map((f) => f.code)).not.toContain('stale-output-modified')
    const pruned = await runCli(['build', second, '--out', out, '--only', 'mobileconfig,autodiscover', '--prune', '--json'])
    expect(pruned.code, pruned.stderr).toBe(0)
    expect((JSON.parse(pruned.stdout) as {pruned: string[]}).pruned).toHaveLength(80 - removedEarly)
    expect(listAll(out).filter((p) => /user(8\d|9\d|1[01]\d)@/.test(p))).toEqual([])
    expectManifestTrue(out)
  }, 60_000)

  it('killed while worker threads stage files: the old manifest and files stay as they were', async () => {
    const out = join(dir, 'out-threads')
    cpSync(built, out, {recursive: true})
    const before = readFileSync(join(out, 'manifest.json'))
    expect(await runKilled(['build', second, '--out', out, '--only', 'mobileconfig,autodiscover', '--threads', '2'], 'stage:40')).toBe('SIGKILL')
    expect(readFileSync(join(out, 'manifest.json')).equals(before)).toBe(true)
    expectManifestTrue(out)
    const again = await runCli(['build', second, '--out', out, '--only', 'mobileconfig,autodiscover', '--threads', '2'])
    expect(again.code, again.stderr).toBe(0)
    expectManifestTrue(out)
    expect(hidden(out)).toEqual([])
  }, 60_000)
})
