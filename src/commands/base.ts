import {Command} from '@oclif/core/command'
import {CLIError, ExitError} from '@oclif/core/errors'
import * as Flags from '@oclif/core/flags'
import type {Input, ParserOutput} from '@oclif/core/interfaces'

import type {CoreReport} from '../core/report.js'
import type {Report} from '../render/report.js'
import {emitReport, formatFromArgv, formatOf, reportOf, reportOfError, type OutputFormat} from './output.js'

export type {OutputFormat} from './output.js'

/** oclif's FlagOutput and ArgOutput (not exported by name). */
type Parsed = {[name: string]: unknown}

/**
 * What every command shares: --json / --format and one exit path. A command parses its flags,
 * calls one core function (src/core/app/) and returns the Report; `run` hands it to emitReport,
 * and `catch` turns whatever was thrown into a Report for the same path, by type:
 * InputError and oclif's usage errors are unusable input (exit 2), anything else is an internal
 * error (exit 2, `internalError` in the JSON document; the stack only on stderr with MAILPROFILE_DEBUG).
 */
export abstract class BaseCommand extends Command {
  static override baseFlags = {
    json: Flags.boolean({description: 'Print one JSON document on stdout (same as --format json).', helpGroup: 'OUTPUT'}),
    format: Flags.string({description: 'Output format.', options: ['text', 'json', 'github'], default: 'text', helpGroup: 'OUTPUT'}),
  }

  /** The format asked for: from the parsed flags once parsing succeeded, else from the raw arguments. */
  private format: OutputFormat | undefined

  /** Parses the flags, calls the command's one core function, and returns what to render. */
  protected abstract report(): Promise<Report>

  /** Fields the command's JSON document always has, for documents made from an error (e.g. `files: []`). */
  protected emptyData(): Record<string, unknown> {
    return {}
  }

  /** A Report from what the command's core function returned. */
  protected reportOf(command: string, core: CoreReport<object>, extra: Omit<Partial<Report>, 'command' | 'findings' | 'inputErrors' | 'data'> = {}): Report {
    return reportOf(command, core, extra)
  }

  async run(): Promise<void> {
    const report = await this.report()
    emitReport(report, this.outputFormat(), this.config.version)
  }

  protected override async parse<F extends Parsed, B extends Parsed, A extends Parsed>(options?: Input<F, B, A>, argv?: string[]): Promise<ParserOutput<F, B, A>> {
    const parsed = await super.parse(options, argv)
    this.format = formatOf(parsed.flags as {json?: boolean; format?: string})
    return parsed
  }

  protected outputFormat(): OutputFormat {
    return this.format ?? formatFromArgv(this.argv)
  }

  protected override async catch(error: Error): Promise<unknown> {
    if (error instanceof ExitError) return super.catch(error)
    // oclif's own usage errors (unknown flags, missing arguments, values outside `options`) are CLIErrors with a non-zero exit.
    const usage = error instanceof CLIError && error.oclif?.exit !== undefined && error.oclif.exit !== 0
    const report = reportOfError(error, (this.id ?? '').replaceAll(':', ' '), this.emptyData(), usage ? (this.id ?? '') : undefined)
    emitReport(report, this.outputFormat(), this.config.version)
    return undefined
  }
}
