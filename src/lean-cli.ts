// The lean start-up path's one runner (dist/lint.cjs, dist/probe.cjs, dist/inspect.cjs; scripts/bundle.js): a
// command's plain command lines without loading oclif, its configuration or the other commands.
// The command's reader (src/commands/*-argv.ts) says whether it takes the command line; then the
// same core call the oclif command makes, and the same exit path (emitReport, reportOfError: the
// base class's). bin/run.js runs the full CLI whenever `runLean` returns false, so help, usage
// errors and anything unusual behave exactly as there.
import {fdStream} from './commands/fd-streams.js'
import {emitReport, formatOf, reportOfError} from './commands/output.js'
import type {Report} from './render/report.js'
import {toolVersion} from './core/version.js'

type Env = Readonly<Record<string, string | undefined>>

/** One command's lean entry: its reader, its core call (the oclif command's) and its empty JSON data. */
export interface LeanCommand<L extends {flags: {json?: boolean; format?: string}}> {
  id: string
  read: (argv: readonly string[]) => L | undefined
  report: (line: L) => Promise<Report>
  emptyData: () => Record<string, unknown>
}

/** Environment variables that change what oclif prints (its debug output): the full CLI handles those runs. */
function oclifEnvironment(env: Env): boolean {
  return Object.keys(env).some((k) => k === 'DEBUG' || k === 'MAILPROFILE_DEBUG' || k.startsWith('OCLIF_'))
}

/** Runs the command with ARGV and returns true, or returns false (having done nothing) when the full CLI must run it. */
export async function runLean<L extends {flags: {json?: boolean; format?: string}}>(command: LeanCommand<L>, argv: readonly string[], env: Env = process.env): Promise<boolean> {
  if (oclifEnvironment(env)) return false
  const line = command.read(argv)
  if (!line) return false
  let report: Report
  try {
    report = await command.report(line)
  } catch (error) {
    report = reportOfError(error instanceof Error ? error : new Error(String(error)), command.id, command.emptyData())
  }
  // Straight to descriptors 1 and 2: nothing has written to them yet, and Node's streams cost start-up (fd-streams.ts).
  emitReport(report, formatOf(line.flags), toolVersion(), {stdout: fdStream(1), stderr: fdStream(2)})
  return true
}
