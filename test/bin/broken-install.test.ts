// bin/run.js and bin/pre-commit.js when their bundles cannot be loaded (an install whose dist/ is missing or half written):
// exit 2 with one line on stderr and no stack trace, and under --json the one JSON document every
// exit path prints, with `internalError`.
import {spawnSync} from 'node:child_process'
import {cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {JSON_SCHEMA_VERSION} from '../../src/render/json.js'
import {ROOT} from '../helpers/cli.js'

let dir: string
beforeAll(() => {
  // The package as installed, but for dist/: the bin, package.json and an empty dist/.
  dir = mkdtempSync(join(tmpdir(), 'mailprofile-broken-'))
  cpSync(join(ROOT, 'bin'), join(dir, 'bin'), {recursive: true})
  cpSync(join(ROOT, 'package.json'), join(dir, 'package.json'))
  mkdirSync(join(dir, 'dist'))
})
afterAll(() => rmSync(dir, {recursive: true, force: true}))

const run = (args: string[], env: Record<string, string> = {}, bin = 'run.js') => {
  const r = spawnSync(process.execPath, [join(dir, 'bin', bin), ...args], {cwd: dir, encoding: 'utf8', env: {...process.env, NO_COLOR: '1', MAILPROFILE_CODE_CACHE_DIR: join(dir, 'cache'), ...env}})
  return {code: r.status, stdout: r.stdout, stderr: r.stderr}
}

describe('bin/run.js without its built files', () => {
  it('exits 2 with one clear line and no stack trace, on the lean path and the full CLI alike', () => {
    for (const args of [['lint', 'settings.yaml'], ['build', 'settings.yaml', '--out', 'out'], ['--version']]) {
      const r = run(args)
      expect(r.code, args.join(' ')).toBe(2)
      expect(r.stdout).toBe('')
      expect(r.stderr).toMatch(/^mailprofile: internal error: cannot read .*dist\/\w[\w-]*\.cjs: the package's built files are missing or incomplete\nReinstall mailprofile/)
      expect(r.stderr).not.toMatch(/^\s+at /m)
    }
  })

  it('prints the one JSON document under --json (and --format json), with internalError and exit code 2', () => {
    const version = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {version: string}).version
    for (const args of [['lint', '--json', 'settings.yaml'], ['check', 'settings.yaml', '--format', 'json'], ['inspect', '--format=json', 'a.mobileconfig']]) {
      const r = run(args)
      expect(r.code, args.join(' ')).toBe(2)
      const doc = JSON.parse(r.stdout) as Record<string, unknown>
      expect(doc).toMatchObject({schemaVersion: JSON_SCHEMA_VERSION, tool: 'mailprofile', version, command: args[0], exitCode: 2, findings: [], inputErrors: []})
      expect((doc.internalError as {message: string}).message).toMatch(/the package's built files are missing/)
    }
  })

  it("fails the git hook the same way (bin/pre-commit.js)", () => {
    const r = run(['mailprofile.yaml'], {}, 'pre-commit.js')
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/^mailprofile: internal error: cannot read .*dist\/lint\.cjs: the package's built files are missing or incomplete\n/)
    expect(r.stderr).not.toMatch(/^\s+at /m)
  })

  it('shows the stack with MAILPROFILE_DEBUG=1', () => {
    expect(run(['lint', 'settings.yaml'], {MAILPROFILE_DEBUG: '1'}).stderr).toMatch(/^\s+at /m)
  })
})
