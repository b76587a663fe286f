// The --json contract on every exit path (README "JSON output"): whatever happens — a missing
// file, a bad flag, an unknown command, an unexpected exception — stdout holds exactly one JSON
// document whose exitCode is the process's exit status, and never a stack trace.
import {execFile} from 'node:child_process'
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, describe, expect, it} from 'vitest'

import {BIN, ROOT, runCli, type CliResult} from '../helpers/cli.js'
import {makeSigningPki, requireOpenssl} from '../helpers/signing-fixtures.js'

const dir = mkdtempSync(join(tmpdir(), 'mp-json-contract-'))
afterAll(() => rmSync(dir, {recursive: true, force: true}))

interface Doc {
  command: string
  exitCode: number
  findings: Array<{code: string}>
  inputErrors: Array<{file?: string; message: string}>
  internalError?: {name: string; message: string}
  [key: string]: unknown
}

const STACK = /\n\s+at .+:\d+:\d+/

/** Parses stdout as one JSON document (JSON.parse fails on a second one) and checks it against the exit status. */
function oneDocument(r: CliResult): Doc {
  expect(r.stdout, r.stderr).toMatch(/^\{/)
  const doc = JSON.parse(r.stdout) as Doc
  expect(doc.exitCode).toBe(r.code)
  expect(r.stdout).not.toMatch(STACK)
  expect(r.stderr).not.toMatch(STACK)
  return doc
}

const settings = join(ROOT, 'examples', 'single-domain.yaml')

describe('--json: one document on every exit path', () => {
  it.each([
    ['build', ['build', 'nosuch.yaml', '--json', '--out', join(dir, 'o1')], /settings file not found/],
    ['check', ['check', 'nosuch.yaml', '--json'], /settings file not found/],
    ['lint', ['lint', 'nosuch.yaml', '--json'], /settings file not found/],
    ['inspect', ['inspect', 'nosuch.mobileconfig', '--json'], /not found|no such file/i],
    ['build', ['build', settings, '--only', 'bogus', '--json', '--out', join(dir, 'o2')], /--only takes a comma-separated list/],
    ['build', ['build', settings, '--out', '-', '--json'], /cannot be combined with --json/],
    ['build', ['build', settings, '--pin', 'AB', '--json', '--out', join(dir, 'o3')], /--pin is only used with --embed-server-root/],
    ['probe', ['probe', 'bad host', '--json'], /expected HOST or HOST:PORT/],
    ['probe', ['probe', 'mail.example.com:2525', '--json'], /--protocol imap\|pop3\|smtp is required/],
    ['check', ['check', settings, '--at', 'yesterday', '--json'], /--at "yesterday"/],
    ['check', ['check', settings, '--ca', 'nosuch.pem', '--json'], /--ca: cannot read the CA file/],
    ['inspect', ['inspect', 'x.mobileconfig', '--trust', 'nosuch.pem', '--json'], /--trust: cannot read the CA file \(no such file\)/],
  ])('%s: unusable input %j', async (command, args, message) => {
    const r = await runCli(args, {cwd: dir})
    expect(r.code).toBe(2)
    const doc = oneDocument(r)
    expect(doc.command).toBe(command)
    expect(doc.inputErrors.length).toBeGreaterThan(0)
    expect(doc.inputErrors.map((p) => p.message).join('\n')).toMatch(message)
    expect(r.stderr).toMatch(message)
  })

  it('init over an existing file: exit 2, the file untouched, one document', async () => {
    const file = join(dir, 'taken.yaml')
    writeFileSync(file, 'mine\n')
    const r = await runCli(['init', 'x.test', '--out', 'taken.yaml', '--json'], {cwd: dir})
    expect(r.code).toBe(2)
    const doc = oneDocument(r)
    expect(doc).toMatchObject({command: 'init', inputErrors: [{file: 'taken.yaml', message: expect.stringMatching(/the file exists/)}]})
    expect(readFileSync(file, 'utf8')).toBe('mine\n')
  })

  it('build with the passphrase variable unset: exit 2, the variable named, nothing written', async () => {
    if (!requireOpenssl()) return
    const pki = makeSigningPki()
    try {
      const file = join(pki.dir, 'settings.yaml')
      writeFileSync(file, readFileSync(settings, 'utf8').replace(/^users(File)?:[\s\S]*$/m, '') + `signing:\n  certificate: ${pki.signerCert}\n  key: ${pki.signerKeyEncrypted}\n  passphraseEnv: MP_CONTRACT_PASSPHRASE\n`)
      const out = join(pki.dir, 'out')
      const r = await runCli(['build', file, '--out', out, '--json'], {env: {MP_CONTRACT_PASSPHRASE: undefined}})
      expect(r.code).toBe(2)
      const doc = oneDocument(r)
      expect(doc.inputErrors.map((p) => p.message).join('\n')).toMatch(/MP_CONTRACT_PASSPHRASE/)
      expect(doc).toMatchObject({command: 'build', out: null, manifest: null, pruned: []})
    } finally {
      pki.cleanup()
    }
  })

  it.each([
    ['lint', ['lint', settings, '--bogus', '--json'], /Nonexistent flag: --bogus/],
    ['lint', ['lint', '--json'], /Missing 1 required arg/],
    ['build', ['build', settings, '--threads', 'many', '--json'], /threads/],
    ['init', ['init', 'example.com', '--security', 'tls', '--json'], /security/],
    ['probe', ['probe', 'mail.example.com', '--timeout', '0', '--format', 'json'], /--timeout "0"/],
    ['probe', ['probe', 'mail.example.com:993', '--concurrency', '4', '--json'], /Nonexistent flag: --concurrency/],
    ['inspect', ['inspect', '--json'], /Missing 1 required arg/],
  ])('%s: flag or argument error %j', async (command, args, message) => {
    const r = await runCli(args, {cwd: dir})
    expect(r.code).toBe(2)
    const doc = oneDocument(r)
    expect(doc.command).toBe(command)
    expect(doc.inputErrors.map((p) => p.message).join('\n')).toMatch(message)
  })

  it('an unknown command: exit 2 with a suggestion, in text and as one document', async () => {
    const text = await runCli(['biuld', settings])
    expect(text.code).toBe(2)
    expect(text.stdout).toBe('')
    expect(text.stderr).toBe('mailprofile: "biuld" is not a mailprofile command; did you mean "build"? Run `mailprofile help` for the list of commands.\n')
    const json = await runCli(['biuld', settings, '--json'])
    expect(json.code).toBe(2)
    expect(oneDocument(json)).toMatchObject({command: 'biuld', inputErrors: [{message: expect.stringMatching(/did you mean "build"/)}]})
    const far = oneDocument(await runCli(['frobnicate', '--format', 'json']))
    expect(far.inputErrors[0]!.message).toBe('"frobnicate" is not a mailprofile command. Run `mailprofile help` for the list of commands.')
    const help = await runCli(['help', 'lnt', '--json'])
    expect(help.code).toBe(2)
    expect(oneDocument(help).inputErrors[0]!.message).toMatch(/did you mean "lint"/)
  })

  it('an unexpected exception: exit 2, one document with internalError, the stack only on stderr under MAILPROFILE_DEBUG', async () => {
    // A fault injected below the CLI (a preloaded module makes path.dirname throw a TypeError for
    // this one settings file, once it has been read and validated), so the test does not depend on
    // any particular bug still being there.
    const fault = join(dir, 'fault.cjs')
    writeFileSync(fault, "const path = require('node:path'); const dirname = path.dirname; path.dirname = function (p) { if (String(p).endsWith('fault.yaml')) throw new TypeError('injected fault'); return dirname.call(this, p) }\n")
    writeFileSync(join(dir, 'fault.yaml'), readFileSync(settings))
    const run = (args: string[], env: Record<string, string | undefined> = {}) =>
      new Promise<CliResult>((resolve) => {
        execFile(process.execPath, ['--require', fault, BIN, ...args], {cwd: dir, env: {...process.env, NO_COLOR: '1', MAILPROFILE_DEBUG: undefined, ...env}}, (error, stdout, stderr) => {
          resolve({code: error ? Number((error as {code?: number}).code) : 0, stdout, stderr})
        })
      })
    for (const command of ['lint', 'check', 'build']) {
      const r = await run([command, 'fault.yaml', '--json', ...(command === 'build' ? ['--out', join(dir, 'fault-out')] : [])])
      expect(r.code, r.stderr).toBe(2)
      const doc = oneDocument(r)
      expect(doc).toMatchObject({command, exitCode: 2, internalError: {name: 'TypeError', message: 'injected fault'}})
      expect(r.stderr).toMatch(/internal error: injected fault/)
    }
    const text = await run(['lint', 'fault.yaml'])
    expect(text.code).toBe(2)
    expect(text.stdout).toBe('')
    expect(text.stderr).not.toMatch(STACK)
    const debug = await run(['lint', 'fault.yaml', '--json'], {MAILPROFILE_DEBUG: '1'})
    expect(debug.code).toBe(2)
    expect(JSON.parse(debug.stdout)).toMatchObject({internalError: {message: 'injected fault'}})
    expect(debug.stdout).not.toMatch(STACK)
    expect(debug.stderr).toMatch(/TypeError: injected fault\n\s+at /)
  })
})

describe('build --out - goes through the same exit path', () => {
  it('the profile on stdout, the report on stderr in the --format asked for', async () => {
    const r = await runCli(['build', settings, '--out', '-', '--no-users', '--format', 'github'])
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toMatch(/^<\?xml/)
    expect(r.stdout).toContain('<string>com.apple.mail.managed</string>')
    expect(r.stderr).toMatch(/^::notice .*title=profile-unsigned::/m)
    const text = await runCli(['build', settings, '--out', '-', '--no-users'])
    expect(text.stdout).toBe(r.stdout)
    expect(text.stderr).toMatch(/profile-unsigned/)
    expect(text.stderr).not.toMatch(/^::/m)
  })
})
