// Fails when a package in package-lock.json declares an `engines.node` range that the lowest
// version of a Node major the project supports (package.json `engines.node`, e.g. 20.19.0,
// 22.12.0, 24.0.0) does not satisfy: npm would warn EBADENGINE at install there. The installs on
// the Node binaries CI has (.ci/run) catch it for those versions; this covers each major's floor.
// Development packages count too: `npm ci` and an install from git (whose `prepare` builds) install
// them. Optional packages (platform bindings such as a wasm32 build) are left out: npm installs
// them only where they fit. Uses semver, a dependency of @oclif/core and fastify.
import {readFileSync} from 'node:fs'
import {createRequire} from 'node:module'

const require = createRequire(import.meta.url)
const semver = require('semver')
const root = new URL('..', import.meta.url)
const supported = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')).engines.node
const floors = new semver.Range(supported).set.map((comparators) => semver.minVersion(comparators.map((c) => c.value).join(' ')).version)
const lock = JSON.parse(readFileSync(new URL('package-lock.json', root), 'utf8'))
const problems = []
for (const [path, pkg] of Object.entries(lock.packages)) {
  const wanted = pkg.engines?.node
  if (path === '' || pkg.optional || typeof wanted !== 'string') continue
  for (const floor of floors) {
    if (!semver.satisfies(floor, wanted)) problems.push(`${path.replace(/^.*node_modules\//, '')}@${pkg.version} requires node ${wanted}: not Node ${floor}`)
  }
}
if (problems.length > 0) {
  console.error(`EBADENGINE for the supported Node versions (${supported}):\n  ${problems.join('\n  ')}`)
  process.exit(1)
}
console.log(`engines: every locked package supports Node ${floors.join(', ')} (${supported})`)
