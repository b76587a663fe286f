// bin/run.js runs `probe`'s common command lines from its lean bundle (dist/probe.cjs, no oclif)
// and everything else through the full CLI. Each command line here runs through bin/run.js as is
// and with MAILPROFILE_FULL_CLI=1 (the full CLI always): stdout, stderr and the exit status must be
// identical, but for what differs between any two probes (connect time in ms, the current time).
// The probes go to a port on 127.0.0.1 where nothing listens. The lean bundle's code cache
// (named after its SHA-256) says which path ran.
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import Probe from '../../src/commands/probe.js'
import {PROBE_FLAGS_DECLINED, PROBE_FLAGS_LEAN, probeCommandLine} from '../../src/commands/probe-argv.js'
import {ROOT} from '../helpers/cli.js'
import {expectLeanTable, leanServed, runBin} from '../helpers/lean.js'
import {freePort} from '../helpers/ports.js'

const RUN = join(ROOT, 'bin', 'run.js')
const CA = 'examples/ca/example-root-ca.pem'
let cacheDir: string
let target: string

beforeAll(async () => {
  cacheDir = mkdtempSync(join(tmpdir(), 'mailprofile-lean-probe-'))
  target = `127.0.0.1:${await freePort()}`
})
afterAll(() => rmSync(cacheDir, {recursive: true, force: true}))

const varying = (text: string) =>
  text
    .replaceAll(/\b\d+ ms\b/g, 'N ms')
    .replaceAll(/"durationMs": \d+/g, '"durationMs": 0')
    .replaceAll(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/g, 'NOW')

const run = (args: string[], env: Record<string, string> = {}) => runBin(RUN, ['probe', ...args.map((a) => a.replace('TARGET', target))], {MAILPROFILE_CODE_CACHE_DIR: cacheDir, ...env}, varying)

// [command line after `probe` (TARGET: the closed port), exit status, path it takes]
const CASES: Array<[string[], number, 'lean' | 'full']> = [
  [['TARGET', '--protocol', 'imap'], 1, 'lean'],
  [['--json', 'TARGET', '--protocol=imap'], 1, 'lean'],
  [['TARGET', '--protocol', 'smtp', '--security', 'starttls', '--format', 'github'], 1, 'lean'],
  [['TARGET', '--protocol', 'pop3', '--verbose', '--strict', '--timeout', '2.5', '--deadline=5'], 1, 'lean'],
  [['--format=json', 'TARGET', '--protocol', 'imap', '--at', '2026-03-01', '--warn-days', '10'], 1, 'lean'],
  [['--json', '--format', 'text', 'TARGET', '--protocol', 'imap', '--security=ssl'], 1, 'lean'],
  [['TARGET', '--protocol', 'imap', '--at', 'yesterday'], 2, 'lean'],
  [['--json', 'TARGET', '--protocol', 'imap', '--at', 'yesterday'], 2, 'lean'],
  [['TARGET'], 2, 'lean'],
  [['--json', 'TARGET'], 2, 'lean'],
  [['bad/host:1', '--protocol', 'imap'], 2, 'lean'],
  [['--json', '127.0.0.1:70000', '--protocol', 'imap'], 2, 'lean'],
  [['TARGET', '--protocol', 'imap', '--apple-trust-store', 'nosuch.json'], 2, 'lean'],
  [['--json', 'TARGET', '--protocol', 'imap', '--apple-trust-store', 'nosuch.json'], 2, 'lean'],
  [['--help'], 0, 'full'],
  [['-h'], 0, 'full'],
  [['TARGET', '--help'], 0, 'full'],
  [[], 2, 'full'],
  [['--json'], 2, 'full'],
  [['TARGET', '-p', 'imap'], 1, 'full'],
  [['TARGET', '--protocol', 'imap', '-s', 'ssl'], 1, 'full'],
  [['TARGET', '--protocol', 'imap', '--ca', CA], 1, 'full'],
  [['--json', 'TARGET', '--protocol', 'imap', `--resolve=mail.example.com:993:127.0.0.1`], 1, 'full'],
  [['TARGET', '--protocol', 'ftp'], 2, 'full'],
  [['--json', 'TARGET', '--protocol', 'imap', '--timeout', '0'], 2, 'full'],
  [['--json', 'TARGET', '--protocol', 'imap', '--timeout', 'abc'], 2, 'full'],
  [['TARGET', '--protocol', 'imap', '--deadline', '1e3'], 2, 'full'],
  [['--json', 'TARGET', '--protocol', 'imap', '--warn-days=-1'], 2, 'full'],
  [['TARGET', '127.0.0.2:1', '--protocol', 'imap'], 2, 'full'],
  [['--json', 'TARGET', '--nope'], 2, 'full'],
  [['TARGET', '--protocol', 'imap', '--strict', '--strict'], 1, 'full'],
  [['--', 'TARGET', '--protocol', 'imap'], 2, 'full'],
]

describe('probe through bin/run.js: lean path and full CLI give the same bytes', () => {
  it.each(CASES)('probe %j', (args, code, path) => {
    const lean = run(args)
    const full = run(args, {MAILPROFILE_FULL_CLI: '1'})
    expect(lean.code, lean.stderr).toBe(code)
    expect(lean).toEqual(full)
    if (args.includes('--json')) expect(() => JSON.parse(lean.stdout)).not.toThrow()
    expect(leanServed('probe', run(args, {MAILPROFILE_DEBUG_CODE_CACHE: '1'}).stderr)).toBe(path === 'lean')
  })

  it('leaves runs with oclif debug output asked for to the full CLI', () => {
    const served = (env: Record<string, string>) => leanServed('probe', run(['TARGET', '--protocol', 'imap'], {...env, MAILPROFILE_DEBUG_CODE_CACHE: '1'}).stderr)
    expect(served({})).toBe(true)
    expect(served({DEBUG: 'nothing-here'})).toBe(false)
    expect(served({OCLIF_TS_NODE: '0'})).toBe(false)
    expect(served({MAILPROFILE_DEBUG: '1'})).toBe(false)
  })
})

describe("the lean path's reading of probe's command line", () => {
  const defined = {...Probe.baseFlags, ...Probe.flags} as unknown as Record<string, Record<string, unknown>>

  it("knows probe's flags as oclif defines them (probe.ts, options.ts, base.ts), but the repeatable ones", () => {
    expectLeanTable(PROBE_FLAGS_LEAN, defined, {declined: PROBE_FLAGS_DECLINED, chars: {protocol: 'p', security: 's'}})
    for (const name of PROBE_FLAGS_DECLINED) expect(defined[name]!.multiple, name).toBe(true)
    expect(Object.keys(Probe.args)).toEqual(['target'])
    expect(Probe.strict).not.toBe(false)
  })

  it('reads --timeout and --deadline as their oclif parser does, where it takes the value', async () => {
    for (const name of ['timeout', 'deadline']) {
      const flag = defined[name] as unknown as {parse: (input: string, context: unknown, options: unknown) => Promise<number>}
      for (const text of ['10', '2.5', '0.001', '3600', '86400', '3601', '86401', '0', '0.0', '1e3', ' 5', '5 ', '+5', '.5', '5.', '0x10', '007', '1.50']) {
        const lean = probeCommandLine(['h:993', `--${name}`, text])?.flags[name as 'timeout']
        const oclif = await flag.parse(text, {}, flag).catch(() => undefined)
        if (lean !== undefined) expect(oclif, `${name} ${JSON.stringify(text)}`).toBe(lean)
        if (oclif === undefined) expect(lean, `${name} ${JSON.stringify(text)}`).toBeUndefined()
      }
    }
  })

  it('gives the values oclif gives, defaults included', () => {
    expect(probeCommandLine(['h:993'])).toEqual({target: 'h:993', flags: {format: 'text', 'warn-days': 30, timeout: 10}})
    expect(probeCommandLine(['--json', 'h', '--protocol=smtp', '--security', 'starttls', '--at', '2026-03-01', '--deadline', '2.5', '--apple-trust-store=s.json', '--verbose', '--strict'])).toEqual({
      target: 'h',
      flags: {json: true, format: 'text', protocol: 'smtp', security: 'starttls', at: '2026-03-01', 'warn-days': 30, timeout: 10, deadline: 2.5, 'apple-trust-store': 's.json', strict: true, verbose: true},
    })
  })

  it('declines what it is not sure of', () => {
    for (const args of [[], ['--json'], ['h', 'i'], ['-p', 'imap', 'h'], ['h', '-s', 'ssl'], ['h', '--ca', 'a.pem'], ['h', '--resolve=a:1:b'], ['h', '--help'], ['h', '--'], ['h', '--protocol'], ['h', '--protocol', 'ftp'], ['h', '--at='], ['h', '--at', '-1'], ['h', '--timeout', '0'], ['h', '--verbose=true'], ['h', '--verbose', '--verbose'], ['h', '--concurrency', '2'], ['']]) {
      expect(probeCommandLine(args), JSON.stringify(args)).toBeUndefined()
    }
  })
})
