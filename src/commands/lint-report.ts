/**
 * lint's one core call, from its parsed flags to the Report: the Lint command (lint.ts, after
 * oclif parsed the command line) and the lean start-up path (src/lint-cli.ts, for the command lines
 * lint-argv.ts reads) both run this, and both hand the Report to emitReport.
 */
import type {Report} from '../render/report.js'
import {reportOf} from './output.js'

/** lint's flags as parsed (booleans not given are absent, as oclif leaves them). */
export interface LintFlagValues {
  strict?: boolean
  'warn-days': number
  'max-users-file-size'?: number
}

/** The fields lint's JSON document has even when it stopped before linting (a usage error). */
export function lintEmptyData(): Record<string, unknown> {
  return {files: []}
}

export async function lintReport(files: string[], flags: LintFlagValues): Promise<Report> {
  const {lintFiles} = await import('../core/app/lint.js')
  const maxUsers = flags['max-users-file-size']
  const report = await lintFiles(files, {warnDays: flags['warn-days'], now: new Date(), env: process.env, maxUsersFileBytes: maxUsers === undefined ? undefined : maxUsers * 1024 * 1024})
  return reportOf('lint', report, {strict: flags.strict})
}
