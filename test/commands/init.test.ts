// `mailprofile init` as a user runs it: a settings file that lints clean and builds, never an overwrite.
import {mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, describe, expect, it} from 'vitest'

import {ROOT, runCli} from '../helpers/cli.js'

const dir = mkdtempSync(join(tmpdir(), 'mailprofile-init-'))
afterAll(() => rmSync(dir, {recursive: true, force: true}))

describe('mailprofile init', () => {
  it('writes a settings file that lints clean and builds, and says what to run next', async () => {
    const r = await runCli(['init', 'example.com', '--organization', 'Example & Co'], {cwd: dir})
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toBe('Wrote mailprofile.yaml. Next: check the host names in it, then\n  mailprofile lint mailprofile.yaml\n  mailprofile check mailprofile.yaml\n  mailprofile build mailprofile.yaml --out out\n')
    const lint = await runCli(['lint', 'mailprofile.yaml', '--json'], {cwd: dir})
    expect(lint.code, lint.stdout).toBe(0)
    expect((JSON.parse(lint.stdout) as {findings: unknown[]}).findings).toEqual([])
    const build = await runCli(['build', 'mailprofile.yaml', '--out', 'out', '--json'], {cwd: dir})
    expect(build.code, build.stdout).toBe(0)
    const manifest = (JSON.parse(build.stdout) as {manifest: {files: Array<{path: string}>}}).manifest
    expect(manifest.files.map((f) => f.path)).toContain('example.com/example.com.mobileconfig')
    expect(readFileSync(join(dir, 'out', 'example.com', 'example.com.mobileconfig'), 'utf8')).toContain('<string>Example &amp; Co</string>')
  })

  it('never overwrites without --force (exit 2, file unchanged); --json names the file', async () => {
    const file = join(dir, 'existing.yaml')
    writeFileSync(file, 'mine\n')
    const refused = await runCli(['init', 'example.com', '--out', 'existing.yaml'], {cwd: dir})
    expect(refused.code).toBe(2)
    expect(refused.stderr).toMatch(/existing\.yaml: the file exists; use --force/)
    expect(readFileSync(file, 'utf8')).toBe('mine\n')
    const forced = await runCli(['init', 'example.com', '--out', 'existing.yaml', '--force', '--json'], {cwd: dir})
    expect(forced.code).toBe(0)
    expect((JSON.parse(forced.stdout) as {command: string; file: string}).file).toBe(file)
    expect(readFileSync(file, 'utf8')).toContain('host: imap.example.com')
  })

  it('points editors at the schema when mailprofile lies below the file (installed in node_modules), not otherwise', async () => {
    const outside = await runCli(['init', 'example.com', '--out', 'outside.yaml'], {cwd: dir})
    expect(outside.code).toBe(0)
    expect(readFileSync(join(dir, 'outside.yaml'), 'utf8').split('\n')[0]).toBe('# Editor completion: yaml-language-server: $schema=<mailprofile>/schemas/mailprofile.schema.json')
    // A file in the folder that holds mailprofile (here: the checkout itself).
    const name = `init-test-${process.pid}.yaml`
    const inside = await runCli(['init', 'example.com', '--out', name], {cwd: ROOT})
    try {
      expect(inside.code).toBe(0)
      expect(readFileSync(join(ROOT, name), 'utf8').split('\n')[0]).toBe('# yaml-language-server: $schema=schemas/mailprofile.schema.json')
    } finally {
      rmSync(join(ROOT, name), {force: true})
    }
  })

  it.each([
    [['init', 'not a domain'], /the domain "not a domain" is not usable/],
    [['init', 'example.com', '--security', 'tls'], /security/],
    [['init'], /domain/i],
  ])('exits 2 on unusable input: %j', async (args, message) => {
    mkdirSync(join(dir, 'empty'), {recursive: true})
    const r = await runCli(args, {cwd: join(dir, 'empty')})
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(message)
    expect(r.stderr).not.toMatch(/\n\s+at /)
  })
})
