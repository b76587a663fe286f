// What the lean start-up path's tests share (test/bin/*-lean.test.ts): running the real bin both
// ways, telling which path served a run, and comparing a command's lean flag table with its oclif
// definitions.
import {spawnSync} from 'node:child_process'
import {createHash} from 'node:crypto'
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {expect} from 'vitest'

import type {LeanFlagTable} from '../../src/commands/lean-argv.js'
import {ROOT} from './cli.js'

export interface BinRun {
  code: number | null
  stdout: string
  stderr: string
}

/** Runs a bin of the package (bin/run.js, bin/pre-commit.js); Node's own warnings' `(node:PID)` prefix normalised, then `normalise`. */
export function runBin(bin: string, args: string[], env: Record<string, string>, normalise: (text: string) => string = (t) => t): BinRun {
  const r = spawnSync(process.execPath, [bin, ...args], {cwd: ROOT, encoding: 'utf8', env: {...process.env, NO_COLOR: '1', ...env}})
  return {code: r.status, stdout: normalise(r.stdout), stderr: normalise(r.stderr.replaceAll(/^\(node:\d+\)/gm, '(node)'))}
}

/**
 * Runs `node ARGS` (stdout a pipe, or the descriptor given) with a preload that records, at exit,
 * the built-in modules Node loaded (process.moduleLoadList: `NativeModule net`, …); the run and that list.
 */
export function loadedModules(args: string[], env: NodeJS.ProcessEnv, stdout: 'pipe' | number = 'pipe'): BinRun & {loaded: string[]} {
  const dir = mkdtempSync(join(tmpdir(), 'mailprofile-modules-'))
  try {
    const preload = join(dir, 'modules.cjs')
    const list = join(dir, 'modules.txt')
    writeFileSync(preload, `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(list)}, process.moduleLoadList.join('\\n')))\n`)
    const r = spawnSync(process.execPath, ['-r', preload, ...args], {cwd: ROOT, encoding: 'utf8', env, stdio: ['ignore', stdout, 'pipe']})
    return {code: r.status, stdout: r.stdout ?? '', stderr: r.stderr, loaded: readFileSync(list, 'utf8').split('\n')}
  } finally {
    rmSync(dir, {recursive: true, force: true})
  }
}

export const bundleSha = (bundle: string) => createHash('sha256').update(readFileSync(join(ROOT, 'dist', bundle))).digest('hex')

/**
 * Whether `command`'s lean bundle alone served the run (given MAILPROFILE_DEBUG_CODE_CACHE=1): its
 * code cache was used or made, and the full CLI's was not (a command line the lean path declines loads both).
 */
export function leanServed(command: string, stderr: string): boolean {
  return stderr.includes(`${bundleSha(`${command}.cjs`)}-${command}.cache`) && !stderr.includes(bundleSha('cli.cjs'))
}

/**
 * The lean table has every flag oclif defines but those `declined` (whose command lines the full CLI
 * runs), each as oclif defines it: type, default, options, bounds; no alias, env or `--no-`; and a
 * char only where listed in `chars` (the reader takes long forms only, so a char sends the line to the full CLI).
 */
export function expectLeanTable(table: LeanFlagTable, defined: Record<string, Record<string, unknown>>, {declined = [], chars = {}}: {declined?: readonly string[]; chars?: Record<string, string>} = {}) {
  expect([...Object.keys(table), ...declined].sort()).toEqual(Object.keys(defined).sort())
  for (const name of declined) expect(Object.hasOwn(table, name), name).toBe(false)
  for (const [name, spec] of Object.entries(table)) {
    const flag = defined[name]!
    expect(flag.char, name).toBe(chars[name])
    expect(flag.aliases, name).toBeUndefined()
    expect(flag.env, name).toBeUndefined()
    expect(flag.multiple ?? false, name).toBe(spec.type === 'strings')
    expect(flag.multipleNonGreedy ?? false, name).toBe(spec.type === 'strings')
    expect(flag.allowNo ?? false, name).toBe(false)
    if (spec.type === 'strings') expect(flag.default, name).toBeUndefined()
    if (spec.type === 'boolean') {
      expect(flag.type, name).toBe('boolean')
      expect(flag.default, name).toBeUndefined()
      continue
    }
    expect(flag.type, name).toBe('option')
    expect(flag.default, name).toBe('default' in spec ? spec.default : undefined)
    if (spec.type === 'option') expect(flag.options, name).toEqual(spec.options)
    else expect(flag.options, name).toBeUndefined()
    if (spec.type === 'integer') expect([flag.min, flag.max], name).toEqual([spec.min, spec.max])
    else expect([flag.min, flag.max], name).toEqual([undefined, undefined])
  }
}
