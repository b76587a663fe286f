// bin/run.js runs `inspect`'s common command lines from its lean bundle (dist/inspect.cjs, no
// oclif) and everything else through the full CLI. Each command line here runs through bin/run.js
// as is and with MAILPROFILE_FULL_CLI=1 (the full CLI always): stdout, stderr and the exit status
// must be identical. The lean bundle's code cache (named after its SHA-256) says which path ran.
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import Inspect from '../../src/commands/inspect.js'
import {INSPECT_FLAGS, inspectCommandLine} from '../../src/commands/inspect-argv.js'
import {ROOT} from '../helpers/cli.js'
import {expectLeanTable, leanServed, loadedModules, runBin} from '../helpers/lean.js'

const RUN = join(ROOT, 'bin', 'run.js')
const CA = 'examples/ca/example-root-ca.pem'
const SIGNED = 'profiles/provider/example.org/example.org.mobileconfig'
const OTHER = 'profiles/pop3-starttls/example-architects.org/example-architects.org.mobileconfig'
const FIX = 'test/fixtures/inspect'
let cacheDir: string

beforeAll(() => {
  cacheDir = mkdtempSync(join(tmpdir(), 'mailprofile-lean-inspect-'))
})
afterAll(() => rmSync(cacheDir, {recursive: true, force: true}))

const run = (args: string[], env: Record<string, string> = {}) => runBin(RUN, ['inspect', ...args], {MAILPROFILE_CODE_CACHE_DIR: cacheDir, ...env})

// [command line after `inspect`, exit status, path it takes]
const CASES: Array<[string[], number, 'lean' | 'full']> = [
  [['--trust', CA, SIGNED], 0, 'lean'],
  [[SIGNED], 0, 'lean'],
  [['--strict', SIGNED], 1, 'lean'],
  [['--json', `--trust=${CA}`, SIGNED, OTHER], 0, 'lean'],
  [['--trust', CA, '--trust', CA, SIGNED, '--format', 'github'], 0, 'lean'],
  [['--strict', '--warn-days', '4000', '--trust', CA, SIGNED], 0, 'lean'],
  [['--json', '--format', 'text', `${FIX}/configurator-messy.mobileconfig`, `${FIX}/configurator-duplicates.mobileconfig`], 1, 'lean'],
  [[`${FIX}/malformed.mobileconfig`], 2, 'lean'],
  [['--format=json', `${FIX}/not-a-profile.mobileconfig`, `${FIX}/encrypted.mobileconfig`], 1, 'lean'],
  [['nosuch.mobileconfig'], 2, 'lean'],
  [['--json', '--trust', 'nosuch.pem', SIGNED], 2, 'lean'],
  [['--json', '--apple-trust-store', 'nosuch.json', SIGNED], 2, 'lean'],
  [['--help'], 0, 'full'],
  [['-h'], 0, 'full'],
  [[SIGNED, '--help'], 0, 'full'],
  [[], 2, 'full'],
  [['--json'], 2, 'full'],
  [['--json', '--trust', CA], 2, 'full'],
  [['--warn-days', 'abc', SIGNED], 2, 'full'],
  [['--json', '--warn-days=-1', SIGNED], 2, 'full'],
  [['--format', 'xml', SIGNED], 2, 'full'],
  [['--nope', SIGNED], 2, 'full'],
  [['--json', '--nope', SIGNED], 2, 'full'],
  [['--strict', '--strict', SIGNED], 1, 'full'],
  [['--', SIGNED], 0, 'full'],
]

describe('inspect through bin/run.js: lean path and full CLI give the same bytes', () => {
  it.each(CASES)('inspect %j', (args, code, path) => {
    const lean = run(args)
    const full = run(args, {MAILPROFILE_FULL_CLI: '1'})
    expect(lean.code, lean.stderr).toBe(code)
    expect(lean).toEqual(full)
    if (args.includes('--json')) expect(() => JSON.parse(lean.stdout)).not.toThrow()
    expect(leanServed('inspect', run(args, {MAILPROFILE_DEBUG_CODE_CACHE: '1'}).stderr)).toBe(path === 'lean')
  })

  it('leaves runs with oclif debug output asked for to the full CLI', () => {
    const served = (env: Record<string, string>) => leanServed('inspect', run([SIGNED], {...env, MAILPROFILE_DEBUG_CODE_CACHE: '1'}).stderr)
    expect(served({})).toBe(true)
    expect(served({DEBUG: 'nothing-here'})).toBe(false)
    expect(served({OCLIF_TS_NODE: '0'})).toBe(false)
    expect(served({MAILPROFILE_DEBUG: '1'})).toBe(false)
  })
})

describe("the lean path's reading of inspect's command line", () => {
  it("knows exactly inspect's flags as oclif defines them (inspect.ts, options.ts, base.ts)", () => {
    expectLeanTable(INSPECT_FLAGS, {...Inspect.baseFlags, ...Inspect.flags} as unknown as Record<string, Record<string, unknown>>)
    expect(Inspect.strict).toBe(false)
  })

  it('gives the values oclif gives, defaults included', () => {
    expect(inspectCommandLine(['a.mobileconfig'])).toEqual({files: ['a.mobileconfig'], flags: {format: 'text', 'warn-days': 30}})
    expect(inspectCommandLine(['--trust', 'a.pem', 'p.mobileconfig', '--trust=b.pem', 'q.mobileconfig', '--json', '--strict', '--apple-trust-store', 's.json'])).toEqual({
      files: ['p.mobileconfig', 'q.mobileconfig'],
      flags: {json: true, format: 'text', strict: true, 'warn-days': 30, trust: ['a.pem', 'b.pem'], 'apple-trust-store': 's.json'},
    })
  })

  it('declines what it is not sure of', () => {
    for (const args of [[], ['--json'], ['--trust', 'a.pem'], ['-h', 'a'], ['a', '--'], ['a', '--trust'], ['a', '--trust='], ['a', '--trust', '-'], ['--strict', '--strict', 'a'], ['a', '--apple-trust-store', 's', '--apple-trust-store', 't'], ['a', '--warn-days', 'x'], ['']]) {
      expect(inspectCommandLine(args), JSON.stringify(args)).toBeUndefined()
    }
  })
})

describe("the lean inspect's start-up", () => {
  it('loads no node:tls (with its socket and stream modules) for a signed profile: only the Mozilla store needs it, on first use', () => {
    const r = loadedModules([RUN, 'inspect', '--trust', CA, SIGNED], {...process.env, NO_COLOR: '1', MAILPROFILE_CODE_CACHE_DIR: cacheDir})
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toMatch(/signed/i)
    // The list is real: the bundle's own modules and crypto are in it.
    expect(r.loaded).toContain('NativeModule vm')
    expect(r.loaded).toContain('NativeModule crypto')
    expect(r.loaded).not.toContain('NativeModule tls')
  })
})
