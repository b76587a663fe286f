// The CLI bundle's entry (scripts/bundle.js): oclif's runner and the explicit command table in one
// module, so start-up loads one file instead of a few hundred (see bench/lint-startup).
export {execute} from '@oclif/core/execute'
export {COMMANDS} from './commands/index.js'
