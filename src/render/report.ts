import type {Finding} from '../core/findings.js'
import type {InputProblem} from '../core/report.js'
import type {Style} from './style.js'

export type {InputProblem} from '../core/report.js'

/**
 * What a command hands the base class to render: findings, input problems, and its own extra data
 * (files linted, endpoints probed, files written), which the JSON document carries as-is.
 */
export interface Report {
  command: string
  findings: Finding[]
  inputErrors: InputProblem[]
  /** Command-specific data merged into the JSON document. */
  data: Record<string, unknown>
  /** Human text sections printed before the findings (e.g. per-endpoint summaries); a function gets the output's style. */
  sections?: string[] | ((style: Style) => string[])
  /** Findings are grouped under these headings in text output (file or endpoint). */
  groupBy?: 'file' | 'endpoint'
  /** Text output ends with the findings count unless false (a command that judges nothing, e.g. init). */
  summary?: boolean
  /** Warnings count as errors for the exit status (--strict). */
  strict?: boolean
  /** Bytes that are the command's output on stdout (`build --out -`); the report then goes to stderr. */
  payload?: Uint8Array
  /** One-line diagnostics for stderr (not findings). */
  notices?: string[]
  /** The command stopped before it had anything to report (a usage error, unusable input): text and GitHub output stay empty, stderr says why. */
  aborted?: boolean
  /** An unexpected exception (a bug): exit status 2, and the JSON document says so. */
  internalError?: {name: string; message: string}
}
