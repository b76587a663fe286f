#!/usr/bin/env node
// Entry point. dist/cli.cjs is the bundle built by `npm run build` (oclif + the command table),
// loaded with V8's code cache where one fits (bin/cli-loader.js).
import {loadCli} from './cli-loader.js'

await loadCli().execute({dir: import.meta.url})
