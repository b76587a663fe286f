/**
 * probe's one core call, from its parsed flags to the Report: the Probe command (probe.ts, after
 * oclif parsed the command line) and the lean start-up path (src/probe-cli.ts, for the command
 * lines probe-argv.ts reads) both run this, and both hand the Report to emitReport.
 */
import type {Protocol} from '../core/mail/protocol.js'
import type {Report} from '../render/report.js'
import {checkOptionValues, type ProbeFlagValues} from './option-values.js'
import {reportOf} from './output.js'

/** probe's flags as parsed (booleans not given are absent, as oclif leaves them). */
export interface ProbeCommandFlags extends Omit<ProbeFlagValues, 'concurrency'> {
  protocol?: string
  security?: string
  strict?: boolean
  verbose?: boolean
}

/** The fields probe's JSON document has even when it stopped before probing (a usage error). */
export function probeEmptyData(): Record<string, unknown> {
  return {endpoints: []}
}

export async function probeReport(target: string, flags: ProbeCommandFlags): Promise<Report> {
  const [{probeTarget}, {renderCheckSections}] = await Promise.all([import('../core/app/probe.js'), import('../render/check-text.js')])
  const report = await probeTarget(target, {...checkOptionValues(flags), protocol: flags.protocol as Protocol | undefined, security: flags.security as 'ssl' | 'starttls' | undefined})
  return reportOf('probe', report, {strict: flags.strict, groupBy: 'endpoint', sections: (style) => renderCheckSections(report.result, style, {verbose: flags.verbose})})
}
