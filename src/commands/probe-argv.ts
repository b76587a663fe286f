/**
 * The `probe` command lines the lean start-up path (src/probe-cli.ts) runs without loading oclif:
 * one target and probe's flags in their long forms, read by lean-argv.ts. PROBE_FLAGS_LEAN is the
 * Probe command's flags and the base flags as that reader takes them, but for PROBE_FLAGS_DECLINED
 * (repeatable flags, whose oclif reading of the following arguments the reader does not copy):
 * a command line with one of those, or with -p / -s, runs the full CLI. A test compares the table
 * with the oclif definitions (probe.ts, options.ts, base.ts).
 */
import {leanCommandLine, type LeanFlagTable} from './lean-argv.js'
import type {ProbeCommandFlags} from './probe-report.js'

export const PROBE_FLAGS_LEAN: LeanFlagTable = {
  json: {type: 'boolean'},
  format: {type: 'option', options: ['text', 'json', 'github'], default: 'text'},
  protocol: {type: 'option', options: ['imap', 'pop3', 'smtp']},
  security: {type: 'option', options: ['ssl', 'starttls']},
  at: {type: 'string'},
  'warn-days': {type: 'integer', min: 0, default: 30},
  timeout: {type: 'seconds', max: 3600, default: 10},
  deadline: {type: 'seconds', max: 86_400},
  'apple-trust-store': {type: 'string'},
  strict: {type: 'boolean'},
  verbose: {type: 'boolean'},
}

export const PROBE_FLAGS_DECLINED: readonly string[] = ['ca', 'resolve']

export interface ProbeCommandLine {
  target: string
  flags: ProbeCommandFlags & {json?: boolean; format: string}
}

/** probe's arguments (after `probe`) as its target and flag values, or undefined for anything the full CLI must handle. */
export function probeCommandLine(argv: readonly string[]): ProbeCommandLine | undefined {
  const line = leanCommandLine(argv, PROBE_FLAGS_LEAN, {min: 1, max: 1})
  return line && {target: line.args[0]!, flags: line.flags as unknown as ProbeCommandLine['flags']}
}
