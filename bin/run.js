#!/usr/bin/env node
// Entry point. dist/cli.js is the bundle built by `npm run build` (oclif + the command table).
import module from 'node:module'

// Node 22.1+ caches compiled code between runs; Node 20 simply lacks the function.
module.enableCompileCache?.()
const {execute} = await import('../dist/cli.js')
await execute({dir: import.meta.url})
