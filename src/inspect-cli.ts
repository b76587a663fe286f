// The lean bundle of `inspect` (dist/inspect.cjs, scripts/bundle.js), run by src/lean-cli.ts:
// inspect's command lines as src/commands/inspect-argv.ts reads them, the Inspect command's core call (inspectReport).
import {inspectCommandLine, type InspectCommandLine} from './commands/inspect-argv.js'
import {inspectEmptyData, inspectReport} from './commands/inspect-report.js'
import {runLean, type LeanCommand} from './lean-cli.js'

const INSPECT: LeanCommand<InspectCommandLine> = {id: 'inspect', read: inspectCommandLine, report: (line) => inspectReport(line.files, line.flags), emptyData: inspectEmptyData}

/** Runs `inspect ARGS` and returns true, or returns false (having done nothing) when the full CLI must run it. */
export const run = (argv: readonly string[], env?: Readonly<Record<string, string | undefined>>): Promise<boolean> => runLean(INSPECT, argv, env)
