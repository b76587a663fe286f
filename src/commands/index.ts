// The explicit command table oclif loads (package.json "oclif.commands"): no directory scan at start-up.
import Build from './build.js'
import Lint from './lint.js'

export const COMMANDS = {
  build: Build,
  lint: Lint,
}
