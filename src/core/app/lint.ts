/** `lint FILE...`: settings files with the settings rules, .mobileconfig profiles with inspect's. */
import {pushAll} from '../arrays.js'
import type {Finding} from '../findings.js'
import {inputProblem, type CoreReport, type InputProblem} from '../report.js'
import {isProfile} from './inputs.js'

export interface LintOptions {
  warnDays: number
  now: Date
  env: Readonly<Record<string, string | undefined>>
  /** --max-users-file-size, in bytes (default: the users CSV cap). */
  maxUsersFileBytes?: number
}

export type LintReport = CoreReport<{files: Array<{file: string; ok: boolean; findings: number}>}>

export async function lintFiles(files: readonly string[], options: LintOptions): Promise<LintReport> {
  const {lintSettingsFile} = await import('../settings/lint.js')
  const findings: Finding[] = []
  const inputErrors: InputProblem[] = []
  const results: LintReport['data']['files'] = []
  for (const file of files) {
    try {
      const result = isProfile(file)
        ? await (await import('../inspect/index.js')).lintProfileFile(file, {now: options.now, warnDays: options.warnDays})
        : await lintSettingsFile(file, options)
      pushAll(findings, result.findings)
      results.push({file, ok: true, findings: result.findings.length})
    } catch (error) {
      inputErrors.push(inputProblem(error))
      results.push({file, ok: false, findings: 0})
    }
  }
  return {findings, inputErrors, data: {files: results}}
}
