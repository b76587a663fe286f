import {cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import fc from 'fast-check'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {ROOT, runCli} from '../helpers/cli.js'
import {mutatedBytes, mutatedText, params, report, runs, testTimeout} from './fuzz-config.js'

const EXAMPLES = join(ROOT, 'examples')
const SEEDS = ['single-domain.yaml', 'provider.yaml', 'pop3-starttls.yaml'].map((f) => readFileSync(join(EXAMPLES, f)))
const STACK = /\n\s+at .+[:(]\d+:\d+\)?/

let dir: string
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mailprofile-fuzz-cli-'))
  cpSync(EXAMPLES, dir, {recursive: true})
})
afterAll(() => rmSync(dir, {recursive: true, force: true}))

describe('fuzz: whole CLI `lint --json` on mutated settings', () => {
  // Each case is a process start (≈0.5 s): 5 cases under npm test, FUZZ_RUNS (capped at 100) under npm run fuzz.
  const n = Math.min(runs(5), 100)
  it('exit 0, 1 or 2; exactly one JSON document on stdout; no stack trace', {timeout: testTimeout(n, 3_000)}, async () => {
    const t = performance.now()
    let i = 0
    const input = fc.oneof(
      fc.constantFrom(...SEEDS).chain((s) => mutatedText(s.toString('utf8')).map((x) => Buffer.from(x))),
      fc.constantFrom(...SEEDS).chain((s) => mutatedBytes(s)),
    )
    await fc.assert(
      fc.asyncProperty(input, async (bytes) => {
        const file = join(dir, `case-${i++}.yaml`)
        writeFileSync(file, bytes)
        const r = await runCli(['lint', '--json', file], {timeoutMs: 60_000})
        expect([0, 1, 2]).toContain(r.code)
        expect(() => JSON.parse(r.stdout)).not.toThrow()
        expect(r.stdout.trim().startsWith('{') || r.stdout.trim().startsWith('[')).toBe(true)
        expect(STACK.test(r.stdout)).toBe(false)
        expect(STACK.test(r.stderr)).toBe(false)
      }),
      {...params(5), numRuns: n},
    )
    report('CLI lint --json', n, t)
  })
})

describe('fuzz: reproducers from issue 11 through the whole CLI', () => {
  // Item 7: a self-referencing YAML alias once recursed forever (exit 1, RangeError, no JSON).
  it('a self-referencing alias (`a: &a [*a]`) gives one JSON document and exit 2', async () => {
    const file = join(dir, 'self-alias.yaml')
    writeFileSync(file, 'a: &a [*a]\n')
    const r = await runCli(['lint', '--json', file])
    expect(r.code).toBe(2)
    expect((JSON.parse(r.stdout) as {exitCode: number}).exitCode).toBe(2)
    expect(r.stderr).not.toContain('RangeError')
  })
})
