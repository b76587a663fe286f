// The explicit command table oclif loads (package.json "oclif.commands"): no directory scan at start-up.
import Lint from './lint.js'

export const COMMANDS = {
  lint: Lint,
}
