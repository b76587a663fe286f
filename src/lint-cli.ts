// The lean bundle of `lint` (dist/lint.cjs, scripts/bundle.js), run by src/lean-cli.ts: lint's
// command lines as src/commands/lint-argv.ts reads them, the Lint command's core call (lintReport).
import {lintCommandLine} from './commands/lint-argv.js'
import {lintEmptyData, lintReport} from './commands/lint-report.js'
import {runLean, type LeanCommand} from './lean-cli.js'
import type {LintCommandLine} from './commands/lint-argv.js'

const LINT: LeanCommand<LintCommandLine> = {id: 'lint', read: lintCommandLine, report: (line) => lintReport(line.files, line.flags), emptyData: lintEmptyData}

/** Runs `lint ARGS` and returns true, or returns false (having done nothing) when the full CLI must run it. */
export const run = (argv: readonly string[], env?: Readonly<Record<string, string | undefined>>): Promise<boolean> => runLean(LINT, argv, env)
