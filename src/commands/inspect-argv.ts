/**
 * The `inspect` command lines the lean start-up path (src/inspect-cli.ts) runs without loading
 * oclif: at least one profile and inspect's flags, read by lean-argv.ts (--trust repeatable, one
 * file each time, as oclif's multipleNonGreedy reads it). INSPECT_FLAGS is the Inspect command's
 * flags and the base flags as that reader takes them; a test compares it with the oclif
 * definitions (inspect.ts, options.ts, base.ts).
 */
import {leanCommandLine, type LeanFlagTable} from './lean-argv.js'
import type {InspectFlagValues} from './inspect-report.js'

export const INSPECT_FLAGS: LeanFlagTable = {
  json: {type: 'boolean'},
  format: {type: 'option', options: ['text', 'json', 'github'], default: 'text'},
  strict: {type: 'boolean'},
  'warn-days': {type: 'integer', min: 0, default: 30},
  trust: {type: 'strings'},
  'apple-trust-store': {type: 'string'},
}

export interface InspectCommandLine {
  files: string[]
  flags: InspectFlagValues & {json?: boolean; format: string}
}

/** inspect's arguments (after `inspect`) as files and flag values, or undefined for anything the full CLI must handle. */
export function inspectCommandLine(argv: readonly string[]): InspectCommandLine | undefined {
  const line = leanCommandLine(argv, INSPECT_FLAGS, {min: 1})
  return line && {files: line.args, flags: line.flags as unknown as InspectCommandLine['flags']}
}
