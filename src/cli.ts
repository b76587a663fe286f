// The CLI bundle's entry (scripts/bundle.js): oclif's runner, the explicit command table and the
// command_not_found hook (package.json "oclif") in one
// module, so start-up loads one file instead of a few hundred (see bench/lint-startup).
export {execute} from '@oclif/core/execute'
export {COMMANDS} from './commands/index.js'
export {commandNotFound} from './commands/not-found.js'
