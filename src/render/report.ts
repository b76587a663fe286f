import type {Finding} from '../core/findings.js'

/** An input that could not be used at all (exit status 2). */
export interface InputProblem {
  file?: string
  line?: number
  column?: number
  message: string
}

/**
 * What a command hands the renderers: findings, input problems, and its own extra data
 * (files linted, endpoints probed, files written), which the JSON document carries as-is.
 */
export interface Report {
  command: string
  findings: Finding[]
  inputErrors: InputProblem[]
  /** Command-specific data merged into the JSON document. */
  data: Record<string, unknown>
  /** Human text sections a command prints before the findings (e.g. per-endpoint summaries). */
  sections?: string[]
  /** Findings are grouped under these headings in text output (file or endpoint). */
  groupBy?: 'file' | 'endpoint'
  /** Text output ends with the findings count unless false (a command that judges nothing, e.g. init). */
  summary?: boolean
}
