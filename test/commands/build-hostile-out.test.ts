// `build` into an output folder someone else prepared: planted manifests, symbolic links and
// staging folders (issue 11, items 1 and 2). Nothing outside --out may be written or deleted.
import {createHash} from 'node:crypto'
import {lstatSync, mkdtempSync, readFileSync, readdirSync, symlinkSync, writeFileSync} from 'node:fs'
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

