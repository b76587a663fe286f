import {cpSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join, relative} from 'node:path'

import {describe, expect, it} from 'vitest'
import {stringify} from 'yaml'

import {ROOT, runCli} from '../helpers/cli.js'

function tree(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>()
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name)
      if (statSync(p).isDirectory()) walk(p)
      else out.set(relative(dir, p), readFileSync(p))
    }
  }
  walk(dir)
  return out
}

function settings(users: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'mp-shard-'))
  writeFileSync(join(dir, 'users.csv'), 'address,name\n' + Array.from({length: users}, (_, i) => `user${i}@example.com,User ${i}\n`).join(''))
  const doc = {
    version: 1,
    organization: {name: 'Example Org', identifier: 'com.example.mail'},
    profile: {displayName: 'Example Mail'},
    signing: {certificate: join(ROOT, 'examples/signing/signing-cert.pem'), key: join(ROOT, 'examples/signing/signing-key.pem'), chain: [join(ROOT, 'examples/signing/chain.pem')]},
    domains: [{domain: 'example.com', incoming: {protocol: 'imap', host: 'imap.example.com', port: 993, security: 'ssl'}, outgoing: {host: 'smtp.example.com', port: 465, security: 'ssl'}}],
    usersFile: 'users.csv',
  }
  writeFileSync(join(dir, 'mail.yaml'), stringify(doc))
  return join(dir, 'mail.yaml')
}

describe('build --shard K/N and manifest merge', () => {
  it('4 shards (on worker threads, in separate folders) merged give the files and the manifest of one build, byte for byte', async () => {
    const file = settings(420)
    const base = mkdtempSync(join(tmpdir(), 'mp-shard-out-'))
    const one = join(base, 'one')
    const whole = await runCli(['build', file, '--out', one, '--threads', '1'])
    expect(whole.code, whole.stderr).toBe(0)
    const shards = await Promise.all([1, 2, 3, 4].map((k) => runCli(['build', file, '--out', join(base, `shard-${k}`), '--shard', `${k}/4`, '--threads', '2', '--json'])))
    for (const r of shards) expect(r.code, r.stderr).toBe(0)
    const partial = JSON.parse(shards[1]!.stdout).manifest
    expect(partial.shard).toEqual({index: 2, count: 4})
    expect(partial.files.every((f: {user: string | null}) => f.user !== null)).toBe(true)
    expect(readdirSync(join(base, 'shard-2')).filter((n) => n.startsWith('manifest'))).toEqual(['manifest.shard-2-of-4.json'])
    // The four folders copied into one (as a CI job collecting the matrix's artifacts would), then merged.
    const merged = join(base, 'merged')
    for (const k of [1, 2, 3, 4]) cpSync(join(base, `shard-${k}`), merged, {recursive: true})
    const m = await runCli(['manifest', 'merge', merged, '--json'])
    expect(m.code, m.stderr).toBe(0)
    expect(JSON.parse(m.stdout)).toMatchObject({files: JSON.parse(readFileSync(join(one, 'manifest.json'), 'utf8')).files.length})
    const got = tree(merged)
    for (const k of [1, 2, 3, 4]) got.delete(`manifest.shard-${k}-of-4.json`)
    const want = tree(one)
    expect([...got.keys()]).toEqual([...want.keys()])
    for (const [path, bytes] of want) expect(got.get(path)!.equals(bytes), path).toBe(true)
  }, 120_000)

  it('refuses a bad --shard, --shard with --out -, and a merge with a shard missing (exit 2)', async () => {
    const file = settings(5)
    const bad = await runCli(['build', file, '--shard', '5/4', '--out', mkdtempSync(join(tmpdir(), 'mp-shard-'))])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toMatch(/--shard takes K\/N/)
    const stdout = await runCli(['build', file, '--shard', '1/2', '--out', '-', '--no-users'])
    expect(stdout.code).toBe(2)
    const out = mkdtempSync(join(tmpdir(), 'mp-shard-'))
    expect((await runCli(['build', file, '--shard', '1/2', '--out', out])).code).toBe(0)
    const m = await runCli(['manifest', 'merge', out])
    expect(m.code).toBe(2)
    expect(m.stderr).toMatch(/shard 2 of 2 missing/)
  }, 60_000)

  it('refuses a users file above --max-users-file-size, and reads it when the cap is raised', async () => {
    const file = settings(30_000) // about 0.9 MiB
    const low = await runCli(['lint', file, '--max-users-file-size', '0'])
    expect(low.code).toBe(2)
    const capped = await runCli(['lint', file, '--max-users-file-size', '1', '--json'])
    expect(capped.code, capped.stderr).toBe(0)
    const big = settings(40_000) // about 1.2 MiB
    const over = await runCli(['lint', big, '--max-users-file-size', '1', '--json'])
    expect(over.code).toBe(1)
    expect(JSON.parse(over.stdout).findings.map((f: {code: string}) => f.code)).toContain('users-file-unreadable')
    expect(over.stdout).toMatch(/--max-users-file-size/)
  }, 60_000)
})
