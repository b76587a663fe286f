/**
 * The `lint` command lines the lean start-up path (src/lint-cli.ts) runs without loading oclif:
 * settings files and lint's flags, each at most once, in the plain forms below. Anything else
 * (help, a flag it does not know, a value oclif would refuse, `--`, a repeated flag, no file) is
 * left to the full CLI, so what the user sees never depends on the path taken. LINT_FLAGS is the
 * Lint command's flags and the base flags as this reader takes them; a test compares it with the
 * oclif definitions (lint.ts, base.ts).
 */
import type {LintFlagValues} from './lint-report.js'

type FlagSpec = {type: 'boolean'} | {type: 'integer'; min: number; max?: number; default?: number} | {type: 'option'; options: readonly string[]; default: string}

export const LINT_FLAGS: Readonly<Record<string, FlagSpec>> = {
  json: {type: 'boolean'},
  format: {type: 'option', options: ['text', 'json', 'github'], default: 'text'},
  strict: {type: 'boolean'},
  'warn-days': {type: 'integer', min: 0, default: 30},
  'max-users-file-size': {type: 'integer', min: 1, max: 4096},
}

export interface LintCommandLine {
  files: string[]
  flags: LintFlagValues & {json?: boolean; format: string}
}

/** An integer flag's value when oclif would take it as the same number; else undefined. */
function integerValue(text: string, spec: {min: number; max?: number}): number | undefined {
  if (!/^\d{1,9}$/.test(text)) return undefined
  const n = Number.parseInt(text, 10)
  return n >= spec.min && (spec.max === undefined || n <= spec.max) ? n : undefined
}

/** lint's arguments (after `lint`) as files and flag values, or undefined for anything the full CLI must handle. */
export function lintCommandLine(argv: readonly string[]): LintCommandLine | undefined {
  const given: Record<string, unknown> = {}
  const files: string[] = []
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    if (arg === '') return undefined
    if (!arg.startsWith('-')) {
      files.push(arg)
      continue
    }
    if (!arg.startsWith('--')) return undefined
    const eq = arg.indexOf('=')
    const name = arg.slice(2, eq === -1 ? undefined : eq)
    const spec = Object.hasOwn(LINT_FLAGS, name) ? LINT_FLAGS[name] : undefined
    if (spec === undefined || Object.hasOwn(given, name)) return undefined
    if (spec.type === 'boolean') {
      if (eq !== -1) return undefined
      given[name] = true
      continue
    }
    const value = eq === -1 ? argv[++i] : arg.slice(eq + 1)
    if (value === undefined || value === '' || value.startsWith('-')) return undefined
    if (spec.type === 'integer') {
      const n = integerValue(value, spec)
      if (n === undefined) return undefined
      given[name] = n
    } else {
      if (!spec.options.includes(value)) return undefined
      given[name] = value
    }
  }
  if (files.length === 0) return undefined
  const flags: Record<string, unknown> = {}
  for (const [name, spec] of Object.entries(LINT_FLAGS)) {
    const value = Object.hasOwn(given, name) ? given[name] : spec.type === 'boolean' ? undefined : spec.default
    if (value !== undefined) flags[name] = value
  }
  return {files, flags: flags as unknown as LintCommandLine['flags']}
}
