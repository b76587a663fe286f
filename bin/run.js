#!/usr/bin/env node
// Entry point. dist/cli.cjs is the bundle built by `npm run build` (oclif + the command table),
// loaded with V8's code cache where one fits (bin/cli-loader.js).
import {loadCli} from './cli-loader.js'

// The code cache is chosen by the command (its first argument): each holds what that command runs.
await loadCli(process.argv[2]).execute({dir: import.meta.url})
