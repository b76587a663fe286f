#!/usr/bin/env node
// Entry point. dist/cli.cjs is the bundle built by `npm run build` (oclif + the command table),
// loaded with V8's code cache where one fits (bin/cli-loader.js).
import {loadCli, loadLint} from './cli-loader.js'

// `lint`'s common command lines run from the lean bundle (dist/lint.cjs: lint alone, no oclif);
// it declines anything else (help, usage errors, unusual flags), which the full CLI then runs.
// MAILPROFILE_FULL_CLI=1 always runs the full CLI (the tests compare the two paths' output).
// The code cache is chosen by the command (its first argument): each holds what that command runs.
const [command, ...args] = process.argv.slice(2)
const lean = command === 'lint' && process.env.MAILPROFILE_FULL_CLI !== '1'
if (!(lean && (await loadLint().runLint(args)))) await loadCli(command).execute({dir: import.meta.url})
