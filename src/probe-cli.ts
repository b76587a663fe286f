// The lean bundle of `probe` (dist/probe.cjs, scripts/bundle.js), run by src/lean-cli.ts: probe's
// command lines as src/commands/probe-argv.ts reads them, the Probe command's core call (probeReport).
import {probeCommandLine, type ProbeCommandLine} from './commands/probe-argv.js'
import {probeEmptyData, probeReport} from './commands/probe-report.js'
import {runLean, type LeanCommand} from './lean-cli.js'

const PROBE: LeanCommand<ProbeCommandLine> = {id: 'probe', read: probeCommandLine, report: (line) => probeReport(line.target, line.flags), emptyData: probeEmptyData}

/** Runs `probe ARGS` and returns true, or returns false (having done nothing) when the full CLI must run it. */
export const run = (argv: readonly string[], env?: Readonly<Record<string, string | undefined>>): Promise<boolean> => runLean(PROBE, argv, env)
