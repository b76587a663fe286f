/**
 * inspect's one core call, from its parsed flags to the Report: the Inspect command (inspect.ts,
 * after oclif parsed the command line) and the lean start-up path (src/inspect-cli.ts, for the
 * command lines inspect-argv.ts reads) both run this, and both hand the Report to emitReport.
 */
import type {Report} from '../render/report.js'
import {reportOf} from './output.js'

/** inspect's flags as parsed (booleans and --trust not given are absent, as oclif leaves them). */
export interface InspectFlagValues {
  strict?: boolean
  'warn-days': number
  trust?: string[]
  'apple-trust-store'?: string
}

/** The fields inspect's JSON document has even when it stopped before inspecting (a usage error). */
export function inspectEmptyData(): Record<string, unknown> {
  return {files: [], profiles: []}
}

export async function inspectReport(files: string[], flags: InspectFlagValues): Promise<Report> {
  const [{inspectProfiles}, {describeInspection}, {readAppleTrustStore}, {inputProblem}] = await Promise.all([import('../core/inspect/index.js'), import('../render/inspect-text.js'), import('../core/app/check-options.js'), import('../core/report.js')])
  const appleStore = flags['apple-trust-store'] ? await readAppleTrustStore(flags['apple-trust-store']) : undefined
  const report = await inspectProfiles(files, {trustFiles: flags.trust ?? [], appleStore, warnDays: flags['warn-days']})
  const core = {findings: report.findings, inputErrors: report.inputErrors.map((e) => inputProblem(e)), data: {files: report.files, profiles: report.profiles}}
  return reportOf('inspect', core, {strict: flags.strict, sections: report.profiles.map((p) => describeInspection(p))})
}
