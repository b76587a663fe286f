/**
 * The `lint` command lines the lean start-up path (src/lint-cli.ts) runs without loading oclif:
 * at least one settings file and lint's flags, read by lean-argv.ts. LINT_FLAGS is the Lint
 * command's flags and the base flags as that reader takes them; a test compares it with the oclif
 * definitions (lint.ts, base.ts).
 */
import {leanCommandLine, type LeanFlagTable} from './lean-argv.js'
import type {LintFlagValues} from './lint-report.js'

export const LINT_FLAGS: LeanFlagTable = {
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

/** lint's arguments (after `lint`) as files and flag values, or undefined for anything the full CLI must handle. */
export function lintCommandLine(argv: readonly string[]): LintCommandLine | undefined {
  const line = leanCommandLine(argv, LINT_FLAGS, {min: 1})
  return line && {files: line.args, flags: line.flags as unknown as LintCommandLine['flags']}
}
