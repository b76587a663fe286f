/**
 * The one exit path: a Report becomes output and an exit status here, for every command, for
 * oclif's own usage errors, for an unknown command and for unexpected exceptions alike.
 * `--json` always gives exactly one JSON document on stdout; human output goes to stdout and
 * diagnostics to stderr; `build --out -` puts its profile on stdout and the report on stderr.
 */
import {InputError} from '../core/errors.js'
import {EXIT_USAGE, exitCodeFor} from '../core/findings.js'
import {inputProblem, type CoreReport} from '../core/report.js'
import {renderGithub} from '../render/github.js'
import {renderJson} from '../render/json.js'
import type {Report} from '../render/report.js'
import {COLOR, PLAIN, useColor} from '../render/style.js'
import type {OutputStream} from './fd-streams.js'
import {renderInputProblem, renderText} from '../render/text.js'

export type OutputFormat = 'text' | 'json' | 'github'

export const FORMATS: readonly OutputFormat[] = ['text', 'json', 'github']

/** The format the parsed flags ask for (`--json` wins over `--format`). */
export function formatOf(flags: {json?: boolean; format?: string}): OutputFormat {
  if (flags.json) return 'json'
  return FORMATS.includes(flags.format as OutputFormat) ? (flags.format as OutputFormat) : 'text'
}

/**
 * The format raw arguments ask for, for errors raised before (or while) oclif parses them:
 * `--json`, `--format json`, `--format=json` (the last one given wins, as in parsing; `--` ends flags).
 */
export function formatFromArgv(argv: readonly string[]): OutputFormat {
  let json = false
  let format: string | undefined
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!
    if (a === '--') break
    if (a === '--json') json = true
    else if (a === '--format') format = argv[i + 1]
    else if (a.startsWith('--format=')) format = a.slice('--format='.length)
  }
  return formatOf({json, format})
}

/** 2 for unusable input or an internal error, else 1 for error-level findings (warnings too with strict), else 0. */
export function exitStatus(report: Report): number {
  if (report.internalError || report.inputErrors.length > 0) return EXIT_USAGE
  return exitCodeFor(report.findings, {strict: report.strict})
}

/** Whether MAILPROFILE_DEBUG asks for stack traces (on stderr, never stdout). */
export function debugEnabled(env: Readonly<Record<string, string | undefined>> = process.env): boolean {
  const v = env.MAILPROFILE_DEBUG
  return v !== undefined && v !== '' && v !== '0'
}

/** A Report from what a command's core function returned. */
export function reportOf(command: string, core: CoreReport<object>, extra: Omit<Partial<Report>, 'command' | 'findings' | 'inputErrors' | 'data'> = {}): Report {
  return {command, findings: core.findings, inputErrors: core.inputErrors, notices: core.notices, data: {...core.data}, ...extra}
}

/**
 * The Report of a command that threw instead of returning one, by the error's type: an InputError
 * is unusable input; with `usageOf` (the command id to point at, when the caller's parser says the
 * error is a usage error) a usage error; anything else an internal error (the stack only on stderr
 * with MAILPROFILE_DEBUG). Exit status 2 for all.
 */
export function reportOfError(error: Error, command: string, data: Record<string, unknown>, usageOf?: string): Report {
  const report: Report = {command, findings: [], inputErrors: [], data, aborted: true}
  if (error instanceof InputError) {
    report.inputErrors.push(inputProblem(error))
  } else if (usageOf !== undefined) {
    report.inputErrors.push({message: error.message})
    report.notices = [`See: mailprofile ${usageOf} --help`]
  } else {
    report.internalError = {name: error.name, message: error.message}
    if (debugEnabled()) process.stderr.write(`${error.stack ?? error.message}\n`)
  }
  return report
}

/**
 * Writes the report in `format` to `streams` (process.stdout and process.stderr unless given:
 * the lean path's are fd-streams.ts's) and sets process.exitCode; returns the exit status.
 */
export function emitReport(report: Report, format: OutputFormat, version: string, streams: {stdout: OutputStream; stderr: OutputStream} = process): number {
  const exitCode = exitStatus(report)
  const stderr = (s: string) => streams.stderr.write(s)
  for (const p of report.inputErrors) stderr(renderInputProblem(p) + '\n')
  for (const n of report.notices ?? []) stderr(`${n}\n`)
  if (report.internalError) {
    stderr(`mailprofile: internal error: ${report.internalError.message}\n`)
    stderr('This is a bug in mailprofile, not a problem with your input; please report it with the command you ran (MAILPROFILE_DEBUG=1 shows where it happened).\n')
  }
  // With a payload (build --out -), stdout is the profile's and the report goes to stderr.
  const reportStream = report.payload ? streams.stderr : streams.stdout
  let out: string
  if (format === 'json') out = renderJson(report, {version, exitCode})
  else if (report.internalError || report.aborted) out = '' // no summary line that could read as a verdict
  else if (format === 'github') out = renderGithub(report)
  else out = renderText(report, useColor(reportStream) ? COLOR : PLAIN)
  reportStream.write(out)
  if (report.payload) streams.stdout.write(report.payload)
  process.exitCode = exitCode
  return exitCode
}
