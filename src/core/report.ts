/**
 * What the core hands a command: findings, the inputs it could not use at all, and the command's
 * own data (carried as-is into the JSON document). Each command calls one core function (src/core/app/)
 * that returns one of these; the command adds its text and the base class renders it and sets the
 * exit status.
 */
import {InputError} from './errors.js'
import type {Finding} from './findings.js'

/** An input that could not be used at all (exit status 2). */
export interface InputProblem {
  file?: string
  line?: number
  column?: number
  message: string
}

export interface CoreReport<Data extends object = Record<string, unknown>> {
  findings: Finding[]
  inputErrors: InputProblem[]
  data: Data
  /** Lines for stderr that are neither findings nor input errors (a --resolve entry that matched nothing), each starting `mailprofile: `. */
  notices?: string[]
}

/** An InputError as an input problem; anything else is not input and is thrown on. */
export function inputProblem(error: unknown): InputProblem {
  if (!(error instanceof InputError)) throw error
  // Key order as documented: file, line, column, message (undefined keys vanish in JSON).
  return {file: error.location?.file, line: error.location?.line, column: error.location?.column, message: error.message}
}
