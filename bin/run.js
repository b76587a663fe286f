#!/usr/bin/env node
// Entry point. dist/cli.cjs is the bundle built by `npm run build` (oclif + the command table),
// loaded with V8's code cache where one fits (bin/cli-loader.js). CommonJS (bin/package.json): an
// ES module entry makes Node load its ESM loader first, 10-20 ms of every start.
const {join} = process.getBuiltinModule('node:path')
const {cannotRun, hasLean, loadCli, loadLean} = require('./cli-loader.js')

// `lint`'s, `probe`'s and `inspect`'s common command lines run from their lean bundle (dist/<command>.cjs:
// that command alone, no oclif); it declines anything else (help, usage errors, unusual flags), which the full CLI then runs.
// MAILPROFILE_FULL_CLI=1 always runs the full CLI (the tests compare the two paths' output).
// The code cache is chosen by the command (its first argument): each holds what that command runs.
const [command, ...args] = process.argv.slice(2)
const lean = hasLean(command) && process.env.MAILPROFILE_FULL_CLI !== '1'
;(async () => {
  if (!(lean && (await loadLean(command).run(args)))) await loadCli(command).execute({dir: join(__dirname, '..')})
})().catch((error) => cannotRun(error, command, process.argv.slice(2)))
