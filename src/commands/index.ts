// The explicit command table oclif loads (package.json "oclif.commands"): no directory scan at start-up.
import Build from './build.js'
import Check from './check.js'
import Doctor from './doctor.js'
import Help from './help.js'
import Init from './init.js'
import Inspect from './inspect.js'
import Lint from './lint.js'
import ManifestMerge from './manifest/merge.js'
import Probe from './probe.js'
import Serve from './serve.js'

export const COMMANDS = {
  build: Build,
  check: Check,
  doctor: Doctor,
  help: Help,
  init: Init,
  inspect: Inspect,
  lint: Lint,
  'manifest:merge': ManifestMerge,
  probe: Probe,
  serve: Serve,
}
