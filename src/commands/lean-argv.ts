/**
 * The reader of the lean start-up path's command lines (src/lean-cli.ts): a command's arguments
 * and the flags of its table, each at most once, in plain `--name`, `--name value` or
 * `--name=value` forms (a `strings` flag may be repeated, one value each time). Anything else (help, a single-dash argument, a flag not in the table, a
 * value oclif would refuse or read differently, `--`, a repeated flag, an empty argument, too few
 * or too many arguments) gives undefined, and the full CLI runs the command line, so what the user
 * sees never depends on the path taken. Each command's table (lint-argv.ts, probe-argv.ts) is
 * compared with its oclif definitions by a test (test/bin/*-lean.test.ts).
 */
export type LeanFlagSpec =
  | {type: 'boolean'}
  | {type: 'integer'; min: number; max?: number; default?: number}
  | {type: 'option'; options: readonly string[]; default?: string}
  | {type: 'string'}
  /** oclif's `multiple: true, multipleNonGreedy: true`: one value per occurrence, the flag repeatable. */
  | {type: 'strings'}
  | {type: 'seconds'; max: number; default?: number}

export type LeanFlagTable = Readonly<Record<string, LeanFlagSpec>>

export interface LeanCommandLine {
  args: string[]
  flags: Record<string, unknown>
}

/** An integer flag's value when oclif would take it as the same number; else undefined. */
function integerValue(text: string, spec: {min: number; max?: number}): number | undefined {
  if (!/^\d{1,9}$/.test(text)) return undefined
  const n = Number.parseInt(text, 10)
  return n >= spec.min && (spec.max === undefined || n <= spec.max) ? n : undefined
}

/** A seconds flag's value (src/commands/options.ts `seconds`) when its parser takes it as is; else undefined. */
function secondsValue(text: string, max: number): number | undefined {
  if (!/^\d{1,9}(\.\d{1,9})?$/.test(text)) return undefined
  const n = Number(text)
  return n > 0 && n <= max ? n : undefined
}

function flagValue(spec: Exclude<LeanFlagSpec, {type: 'boolean'}>, value: string): unknown {
  switch (spec.type) {
    case 'integer':
      return integerValue(value, spec)
    case 'seconds':
      return secondsValue(value, spec.max)
    case 'option':
      return spec.options.includes(value) ? value : undefined
    case 'string':
    case 'strings':
      return value
  }
}

/** The arguments and flag values (defaults included, booleans not given absent, as oclif leaves them), or undefined. */
export function leanCommandLine(argv: readonly string[], table: LeanFlagTable, count: {min: number; max?: number}): LeanCommandLine | undefined {
  const given: Record<string, unknown> = {}
  const args: string[] = []
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    if (arg === '') return undefined
    if (!arg.startsWith('-')) {
      args.push(arg)
      continue
    }
    if (!arg.startsWith('--')) return undefined
    const eq = arg.indexOf('=')
    const name = arg.slice(2, eq === -1 ? undefined : eq)
    const spec = Object.hasOwn(table, name) ? table[name] : undefined
    if (spec === undefined || (Object.hasOwn(given, name) && spec.type !== 'strings')) return undefined
    if (spec.type === 'boolean') {
      if (eq !== -1) return undefined
      given[name] = true
      continue
    }
    const text = eq === -1 ? argv[++i] : arg.slice(eq + 1)
    if (text === undefined || text === '' || text.startsWith('-')) return undefined
    const value = flagValue(spec, text)
    if (value === undefined) return undefined
    given[name] = spec.type === 'strings' ? [...((given[name] as string[] | undefined) ?? []), value] : value
  }
  if (args.length < count.min || (count.max !== undefined && args.length > count.max)) return undefined
  const flags: Record<string, unknown> = {}
  for (const [name, spec] of Object.entries(table)) {
    const value = Object.hasOwn(given, name) ? given[name] : 'default' in spec ? spec.default : undefined
    if (value !== undefined) flags[name] = value
  }
  return {args, flags}
}
