import {Command} from '@oclif/core/command'
import * as Flags from '@oclif/core/flags'

import {InputError} from '../core/errors.js'
import {EXIT_USAGE, exitCodeFor} from '../core/findings.js'
import {renderGithub} from '../render/github.js'
import {renderJson} from '../render/json.js'
import type {InputProblem, Report} from '../render/report.js'
import {COLOR, PLAIN, useColor} from '../render/style.js'
import {renderInputProblem, renderText} from '../render/text.js'

export type OutputFormat = 'text' | 'json' | 'github'

/**
 * What every command shares: --json / --format, one renderer, one exit path.
 * Commands build a Report from the core and call `finish`; they never print findings themselves.
 */
export abstract class BaseCommand extends Command {
  static override baseFlags = {
    json: Flags.boolean({description: 'Print one JSON document on stdout (same as --format json).', helpGroup: 'OUTPUT'}),
    format: Flags.string({description: 'Output format.', options: ['text', 'json', 'github'], default: 'text', helpGroup: 'OUTPUT'}),
  }

  protected outputFormat(flags: {json?: boolean; format?: string}): OutputFormat {
    return flags.json ? 'json' : ((flags.format ?? 'text') as OutputFormat)
  }

  /** Renders the report on stdout (input problems on stderr) and sets the exit code. */
  protected finish(report: Report, format: OutputFormat, options: {strict?: boolean} = {}): void {
    const exitCode = report.inputErrors.length > 0 ? EXIT_USAGE : exitCodeFor(report.findings, options)
    for (const p of report.inputErrors) process.stderr.write(renderInputProblem(p) + '\n')
    let out: string
    if (format === 'json') out = renderJson(report, {version: this.config.version, exitCode})
    else if (format === 'github') out = renderGithub(report)
    else out = renderText(report, useColor(process.stdout) ? COLOR : PLAIN)
    process.stdout.write(out)
    process.exitCode = exitCode
  }

  /** Turns an InputError into an input problem entry. */
  protected inputProblem(error: unknown): InputProblem {
    if (error instanceof InputError) return {file: error.location?.file, line: error.location?.line, column: error.location?.column, message: error.message}
    throw error
  }

  /** Anything thrown past `run`: input errors become one line and exit 2; oclif's own usage errors exit 2. */
  protected override async catch(error: Error & {exitCode?: number; oclif?: {exit?: number}}): Promise<unknown> {
    if (error instanceof InputError) {
      process.stderr.write(renderInputProblem({...error.location, message: error.message}) + '\n')
      process.exitCode = EXIT_USAGE
      return
    }
    if (error.oclif?.exit !== undefined && error.oclif.exit !== 0 && !/EEXIT/.test(error.message)) {
      process.stderr.write(`mailprofile: ${error.message}\n`)
      process.stderr.write(`See: mailprofile ${this.id ?? ''} --help\n`)
      process.exitCode = EXIT_USAGE
      return
    }
    return super.catch(error)
  }
}

/** A .mobileconfig profile (lint and check read it as a profile); anything else is a settings file. */
export function isProfile(file: string): boolean {
  return /\.mobileconfig$/i.test(file)
}
