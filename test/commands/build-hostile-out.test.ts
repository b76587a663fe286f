// `build` into an output folder someone else prepared: planted manifests, symbolic links and
// staging folders (issue 11, items 1 and 2). Nothing outside --out may be written or deleted.
import {createHash} from 'node:crypto'
import {existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, symlinkSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'
import {stringify} from 'yaml'

import {runCli} from '../helpers/cli.js'
import {baseSettings} from '../core/generate/settings-fixture.js'

const tmp = (): string => mkdtempSync(join(tmpdir(), 'mp-hostile-out-'))
const sha = (bytes: string | Buffer): string => createHash('sha256').update(bytes).digest('hex')

function settingsFile(): string {
  const file = join(tmp(), 'settings.yaml')
  writeFileSync(file, stringify(baseSettings()))
  return file
}

function entry(path: string, content: string): Record<string, unknown> {
  return {path, kind: 'mobileconfig', domain: 'example.com', user: null, payloadIdentifier: null, payloadUuid: null, sha256: sha(content), size: content.length, signer: null}
}

type Doc = {exitCode: number; pruned: string[]; findings: Array<{code: string; severity: string; message: string}>; inputErrors?: unknown[]}

describe('build --prune with a planted manifest', () => {
  it('leaves a file reached through a symlinked folder, a "..", or an absolute path (issue 11 reproducer)', async () => {
    const out = tmp()
    const elsewhere = tmp()
    writeFileSync(join(elsewhere, 'precious.txt'), 'precious')
    symlinkSync(elsewhere, join(out, 'link'))
    const manifest = {manifestVersion: 1, appleSchemas: 'x', files: [entry('link/precious.txt', 'precious'), entry(`../${elsewhere.split('/').pop()}/precious.txt`, 'precious'), entry(join(elsewhere, 'precious.txt'), 'precious')]}
    writeFileSync(join(out, 'manifest.json'), JSON.stringify(manifest))
    const r = await runCli(['build', settingsFile(), '--out', out, '--prune', '--json'])
    expect(r.code, r.stderr).toBe(0)
    const doc = JSON.parse(r.stdout) as Doc
    expect(doc.pruned).toEqual([])
    expect(readFileSync(join(elsewhere, 'precious.txt'), 'utf8')).toBe('precious')
    expect(lstatSync(join(out, 'link')).isSymbolicLink()).toBe(true)
    expect(readdirSync(elsewhere)).toEqual(['precious.txt'])
  })
})


describe('build into a folder with planted links', () => {
  it('refuses to write through a symlinked domain folder (out/example.com -> ../elsewhere) and writes nothing', async () => {
    const parent = tmp()
    const out = join(parent, 'out')
    const elsewhere = join(parent, 'elsewhere')
    mkdirSync(out)
    mkdirSync(elsewhere)
    symlinkSync('../elsewhere', join(out, 'example.com'))
    const r = await runCli(['build', settingsFile(), '--out', out, '--json'])
    expect(r.code, r.stderr).toBe(1)
    const doc = JSON.parse(r.stdout) as Doc & {manifest: unknown}
    const unsafe = doc.findings.filter((f) => f.code === 'output-path-unsafe')
    expect(unsafe.map((f) => f.severity)).toEqual(['error'])
    expect(unsafe[0]!.message).toContain(`${join(out, 'example.com')} is a symbolic link`)
    expect(doc.manifest).toBeNull()
    expect(readdirSync(elsewhere)).toEqual([])
    // Nothing else either: no manifest, no staging folder left.
    expect(readdirSync(out)).toEqual(['example.com'])
  })

  it('never writes into a planted staging link, and leaves it alone', async () => {
    const out = tmp()
    const elsewhere = tmp()
    // Links under staging names: the old scheme's (pid only) for a range of likely pids, and the new one's.
    for (let pid = process.pid; pid < process.pid + 200; pid++) symlinkSync(elsewhere, join(out, `.mailprofile-staging-${pid}`))
    symlinkSync(elsewhere, join(out, '.mailprofile-staging-4194311-abcdef'))
    const r = await runCli(['build', settingsFile(), '--out', out, '--threads', '2'])
    expect(r.code, r.stderr).toBe(0)
    expect(readdirSync(elsewhere)).toEqual([])
    expect(existsSync(join(out, 'example.com', 'example.com.mobileconfig'))).toBe(true)
    expect(lstatSync(join(out, '.mailprofile-staging-4194311-abcdef')).isSymbolicLink()).toBe(true)
  })

  it('replaces a file that is a link by the built file, never writing through it', async () => {
    const out = tmp()
    const elsewhere = tmp()
    writeFileSync(join(elsewhere, 'victim'), 'keep')
    mkdirSync(join(out, 'example.com'))
    symlinkSync(join(elsewhere, 'victim'), join(out, 'example.com', 'dns.zone'))
    const r = await runCli(['build', settingsFile(), '--out', out])
    expect(r.code, r.stderr).toBe(0)
    expect(readFileSync(join(elsewhere, 'victim'), 'utf8')).toBe('keep')
    expect(lstatSync(join(out, 'example.com', 'dns.zone')).isFile()).toBe(true)
  })
})
