// bin/run.js runs `lint`'s common command lines from the lean bundle (dist/lint.cjs, no oclif) and
// everything else through the full CLI. Whatever the path, the user sees the same bytes: each
// command line here runs through bin/run.js as is and with MAILPROFILE_FULL_CLI=1 (the full CLI
// always), and stdout, stderr and the exit status must be identical. The lean bundle's code cache
// (named after its SHA-256) says which path ran.
import {spawn, spawnSync} from 'node:child_process'
import {once} from 'node:events'
import {createHash} from 'node:crypto'
import {closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import Lint from '../../src/commands/lint.js'
import {LINT_FLAGS, lintCommandLine} from '../../src/commands/lint-argv.js'
import {ROOT} from '../helpers/cli.js'
import {expectLeanTable, loadedModules} from '../helpers/lean.js'

const RUN = join(ROOT, 'bin', 'run.js')
const PRE_COMMIT = join(ROOT, 'bin', 'pre-commit.js')
const BAD = 'test/fixtures/settings/bad'
const EXAMPLES = ['examples/single-domain.yaml', 'examples/pop3-starttls.yaml', 'examples/provider.yaml']
let cacheDir: string

beforeAll(() => {
  cacheDir = mkdtempSync(join(tmpdir(), 'mailprofile-lean-'))
})
afterAll(() => rmSync(cacheDir, {recursive: true, force: true}))

function run(bin: string, args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [bin, ...args], {cwd: ROOT, encoding: 'utf8', env: {...process.env, NO_COLOR: '1', MAILPROFILE_CODE_CACHE_DIR: cacheDir, ...env}})
  // Node's own warnings name the process.
  return {code: r.status, stdout: r.stdout, stderr: r.stderr.replaceAll(/^\(node:\d+\)/gm, '(node)')}
}

const sha = (bundle: string) => createHash('sha256').update(readFileSync(join(ROOT, 'dist', bundle))).digest('hex')

/**
 * Whether the lean bundle alone served the run: its code cache was used or made, and the full
 * CLI's was not (a command line the lean path declines loads both).
 */
function leanRan(bin: string, args: string[], env: Record<string, string> = {}): boolean {
  const {stderr} = run(bin, args, {...env, MAILPROFILE_DEBUG_CODE_CACHE: '1'})
  return stderr.includes(`${sha('lint.cjs')}-lint.cache`) && !stderr.includes(sha('cli.cjs'))
}

// [command line after `lint`, exit status, path it takes]
const CASES: Array<[string[], number, 'lean' | 'full']> = [
  [EXAMPLES, 0, 'lean'],
  [['--json', ...EXAMPLES], 0, 'lean'],
  [[`${BAD}/unknown-key.yaml`], 1, 'lean'],
  [['--json', `${BAD}/unknown-key.yaml`, `${BAD}/security-none.yaml`], 1, 'lean'],
  [['--format', 'github', `${BAD}/unknown-key.yaml`], 1, 'lean'],
  [['--format=json', `${BAD}/smtp-port-25.yaml`], 0, 'lean'],
  [[`${BAD}/smtp-port-25.yaml`, '--strict'], 1, 'lean'],
  [['--strict', '--json', `${BAD}/smtp-port-25.yaml`], 1, 'lean'],
  [['--warn-days', '4000', '--max-users-file-size=1', 'examples/single-domain.yaml'], 0, 'lean'],
  [['--json', '--format', 'text', 'examples/single-domain.yaml'], 0, 'lean'],
  [['nosuch.yaml'], 2, 'lean'],
  [['--json', 'nosuch.yaml', 'examples/single-domain.yaml'], 2, 'lean'],
  [['profiles/single-domain/example.com/example.com.mobileconfig'], 0, 'lean'],
  [['--warn-days', 'abc', 'examples/single-domain.yaml'], 2, 'full'],
  [['--json', '--warn-days=-1', 'examples/single-domain.yaml'], 2, 'full'],
  [['--format', 'xml', 'examples/single-domain.yaml'], 2, 'full'],
  [['--json', '--max-users-file-size', '5000', 'examples/single-domain.yaml'], 2, 'full'],
  [[], 2, 'full'],
  [['--json'], 2, 'full'],
  [['--help'], 0, 'full'],
  [['-h'], 0, 'full'],
  [['examples/single-domain.yaml', '--help'], 0, 'full'],
  [['--nope', 'examples/single-domain.yaml'], 2, 'full'],
  [['--json', '--nope', 'examples/single-domain.yaml'], 2, 'full'],
  [['--strict', '--strict', 'examples/single-domain.yaml'], 0, 'full'],
  [['--', 'examples/single-domain.yaml'], 0, 'full'],
]

describe('lint through bin/run.js: lean path and full CLI give the same bytes', () => {
  it.each(CASES)('lint %j', (args, code, path) => {
    const lean = run(RUN, ['lint', ...args])
    const full = run(RUN, ['lint', ...args], {MAILPROFILE_FULL_CLI: '1'})
    expect(lean.code, lean.stderr).toBe(code)
    expect(lean).toEqual(full)
    if (args.includes('--json')) expect(() => JSON.parse(lean.stdout)).not.toThrow()
    expect(leanRan(RUN, ['lint', ...args])).toBe(path === 'lean')
  })

  it('runs lint in the pre-commit hook through the lean path, with the same output', () => {
    const args = ['--strict', `${BAD}/smtp-port-25.yaml`]
    const lean = run(PRE_COMMIT, args)
    expect(lean.code).toBe(1)
    expect(lean).toEqual(run(PRE_COMMIT, args, {MAILPROFILE_FULL_CLI: '1'}))
    expect(lean).toEqual(run(RUN, ['lint', ...args]))
    expect(leanRan(PRE_COMMIT, args)).toBe(true)
  })

  it("reports the package's version, which the build writes into the bundle", () => {
    expect(leanRan(RUN, ['lint', '--json', EXAMPLES[0]!])).toBe(true)
    const r = run(RUN, ['lint', '--json', EXAMPLES[0]!])
    expect(JSON.parse(r.stdout).version).toBe(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version)
    expect(readFileSync(join(ROOT, 'dist', 'lint.cjs'), 'latin1')).not.toContain('__MAILPROFILE_VERSION__')
  })

  it('leaves runs with oclif debug output asked for to the full CLI', () => {
    expect(leanRan(RUN, ['lint', 'examples/single-domain.yaml'])).toBe(true)
    expect(leanRan(RUN, ['lint', 'examples/single-domain.yaml'], {DEBUG: 'nothing-here'})).toBe(false)
    expect(leanRan(RUN, ['lint', 'examples/single-domain.yaml'], {OCLIF_TS_NODE: '0'})).toBe(false)
    expect(leanRan(RUN, ['lint', 'examples/single-domain.yaml'], {MAILPROFILE_DEBUG: '1'})).toBe(false)
  })
})

describe("the lean path's reading of lint's command line", () => {
  it("knows exactly lint's flags as oclif defines them (lint.ts, base.ts)", () => {
    expectLeanTable(LINT_FLAGS, {...Lint.baseFlags, ...Lint.flags} as Record<string, Record<string, unknown>>)
    expect(Lint.strict).toBe(false)
  })

  it('gives the values oclif gives, defaults included', () => {
    expect(lintCommandLine(['a.yaml'])).toEqual({files: ['a.yaml'], flags: {format: 'text', 'warn-days': 30}})
    expect(lintCommandLine(['--strict', 'a.yaml', '--warn-days=7', 'b.yaml', '--json', '--max-users-file-size', '2'])).toEqual({
      files: ['a.yaml', 'b.yaml'],
      flags: {json: true, format: 'text', strict: true, 'warn-days': 7, 'max-users-file-size': 2},
    })
  })

  it('declines what it is not sure of', () => {
    for (const args of [[], ['--json'], ['-h', 'a.yaml'], ['--help'], ['a.yaml', '--'], ['--', 'a.yaml'], ['-'], [''], ['--json=true', 'a.yaml'], ['--warn-days', 'a.yaml'], ['--warn-days'], ['--warn-days', '1e3', 'a.yaml'], ['--warn-days', '-1', 'a.yaml'], ['--max-users-file-size=0', 'a.yaml'], ['--format', 'yaml', 'a.yaml'], ['--format=', 'a.yaml'], ['--json', '--json', 'a.yaml'], ['--toString', 'a.yaml'], ['--str', 'a.yaml']]) {
      expect(lintCommandLine(args), JSON.stringify(args)).toBeUndefined()
    }
  })
})

describe("the lean path's start-up and output", () => {
  it("loads neither Node's ESM loader nor node:net (with its socket and stream modules) for a lint of host names, colour check included", () => {
    const env = {...process.env, NO_COLOR: '1', MAILPROFILE_CODE_CACHE_DIR: cacheDir}
    // What this Node loads for nothing at all (Node 24 loads some of its ESM machinery at every start).
    const nothing = loadedModules(['-e', '0'], env)
    expect(nothing.code).toBe(0)
    const baseline = new Set(nothing.loaded)
    const r = loadedModules([RUN, 'lint', ...EXAMPLES], env)
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toMatch(/0 errors/)
    const esm = r.loaded.filter((m) => m.startsWith('NativeModule internal/modules/esm/') && !baseline.has(m))
    // The list is real: the bundle's own modules and crypto are in it.
    expect(r.loaded).toContain('NativeModule vm')
    expect(r.loaded).toContain('NativeModule crypto')
    expect(r.loaded).not.toContain('NativeModule net')
    // An ES module entry makes Node load its module jobs, resolver and translators beyond that.
    expect(esm).toEqual([])
    // Nor when the colour check asks whether the output (a pipe here) is a terminal.
    const colourEnv: NodeJS.ProcessEnv = {...env}
    delete colourEnv.NO_COLOR
    delete colourEnv.FORCE_COLOR
    const coloured = loadedModules([RUN, 'lint', ...EXAMPLES], colourEnv)
    expect(coloured.code, coloured.stderr).toBe(0)
    expect(coloured.stdout).toBe(r.stdout)
    expect(coloured.loaded).toContain('NativeModule crypto')
    expect(coloured.loaded.filter((m) => m === 'NativeModule net' || m === 'NativeModule tty')).toEqual([])
    // Nor for output sent to /dev/null, a character device that is no terminal.
    const devNull = openSync('/dev/null', 'w')
    try {
      const discarded = loadedModules([RUN, 'lint', ...EXAMPLES], colourEnv, devNull)
      expect(discarded.code, discarded.stderr).toBe(0)
      expect(discarded.loaded).toContain('NativeModule crypto')
      expect(discarded.loaded.filter((m) => m === 'NativeModule net' || m === 'NativeModule tty')).toEqual([])
    } finally {
      closeSync(devNull)
    }
  })

  it('writes a report larger than a pipe holds whole, to a reader that takes its time', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mailprofile-pipe-'))
    try {
      // 3,000 users outside the settings' domain: one finding each, about 1 MB of JSON.
      writeFileSync(join(dir, 'users.csv'), ['address', ...Array.from({length: 3000}, (_, i) => `user${i}@elsewhere.example`)].join('\n') + '\n')
      writeFileSync(join(dir, 'settings.yaml'), readFileSync(join(ROOT, 'examples', 'single-domain.yaml'), 'utf8').replace(/^users:[\s\S]*?(?=^\S|(?![\s\S]))/m, '') + 'usersFile: users.csv\n')
      const child = spawn(process.execPath, [RUN, 'lint', '--json', join(dir, 'settings.yaml')], {cwd: ROOT, env: {...process.env, MAILPROFILE_CODE_CACHE_DIR: cacheDir}})
      // Read nothing for a while: the child's writes fill the pipe and must wait, not fail.
      child.stdout.pause()
      await new Promise((resolve) => setTimeout(resolve, 300))
      const chunks: Buffer[] = []
      child.stdout.on('data', (c: Buffer) => chunks.push(c))
      child.stdout.resume()
      const [code] = (await once(child, 'close')) as [number]
      const text = Buffer.concat(chunks).toString('utf8')
      expect(text.length).toBeGreaterThan(256 * 1024)
      const report = JSON.parse(text) as {findings: Array<{code: string}>}
      expect(report.findings.filter((f) => f.code === 'user-domain-unknown')).toHaveLength(3000)
      expect(code).toBe(1)
    } finally {
      rmSync(dir, {recursive: true, force: true})
    }
  })

  it('ends quietly, with the status of the report, when the reader goes away (`… | head -1`)', async () => {
    const child = spawn(process.execPath, [RUN, 'lint', '--json', ...EXAMPLES], {cwd: ROOT, env: {...process.env, MAILPROFILE_CODE_CACHE_DIR: cacheDir}})
    child.stdout.destroy()
    let stderr = ''
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')))
    const [code] = (await once(child, 'close')) as [number]
    expect(stderr).toBe('')
    expect(code).toBe(0)
  })
})
