// The lean bundle's entry (dist/lint.cjs, scripts/bundle.js): `mailprofile lint` for the command
// lines src/commands/lint-argv.ts reads, without loading oclif, its configuration or the other
// commands. The same core call (lintReport, as the Lint command runs it) and the same exit path
// (emitReport, reportOfError: the base class's). bin/run.js runs the full CLI whenever runLint
// returns false, so help, usage errors and anything unusual behave exactly as there.
import {lintCommandLine} from './commands/lint-argv.js'
import {lintEmptyData, lintReport} from './commands/lint-report.js'
import {emitReport, formatOf, reportOfError} from './commands/output.js'
import type {Report} from './render/report.js'
import {toolVersion} from './core/version.js'

/** Environment variables that change what oclif prints (its debug output): the full CLI handles those runs. */
function oclifEnvironment(env: Readonly<Record<string, string | undefined>>): boolean {
  return Object.keys(env).some((k) => k === 'DEBUG' || k === 'MAILPROFILE_DEBUG' || k.startsWith('OCLIF_'))
}

/** Runs `lint ARGS` and returns true, or returns false (having done nothing) when the full CLI must run it. */
export async function runLint(argv: readonly string[], env: Readonly<Record<string, string | undefined>> = process.env): Promise<boolean> {
  if (oclifEnvironment(env)) return false
  const line = lintCommandLine(argv)
  if (!line) return false
  let report: Report
  try {
    report = await lintReport(line.files, line.flags)
  } catch (error) {
    report = reportOfError(error instanceof Error ? error : new Error(String(error)), 'lint', lintEmptyData())
  }
  emitReport(report, formatOf(line.flags), toolVersion())
  return true
}
