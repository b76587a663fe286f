// Loads the CLI bundle (dist/cli.cjs) with V8's code cache, so each start skips compiling it.
//
// Compiling the ~1.5 MB bundle is a third of `mailprofile lint`'s start-up. Node 22.1+ can cache
// compiled code itself (module.enableCompileCache), Node 20 cannot; so the build runs `lint` on the
// examples once and saves V8's code cache next to the bundle (dist/cli.cache, made by
// scripts/code-cache.js), and every run whose V8 is the one that made it compiles from that cache.
// The cache lives in the package folder, as trusted as the code beside it: nothing is written at run
// time. It is used only by the V8 that made it and only for the exact bundle it was made from
// (V8 itself checks little more than the source's length). Otherwise the bundle is loaded by plain
// require() and Node's own compile cache, where it has one.
import {createHash} from 'node:crypto'
import {existsSync, readFileSync} from 'node:fs'
import Module, {createRequire} from 'node:module'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'
import vm from 'node:vm'

const dist = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist')
export const BUNDLE = join(dist, 'cli.cjs')
export const CACHE = join(dist, 'cli.cache')
/** Which V8 made dist/cli.cache: a cache from another V8 is never tried. */
export const CACHE_META = join(dist, 'cli.cache.json')

/** SHA-256 (hex) of the bundle's bytes, as dist/cli.cache.json records it. */
export function bundleSha256(bytes) {
  return createHash('sha256').update(bytes).digest('hex')
}

/** The bundle's bytes when dist/cli.cache was made by this V8 from exactly them, else undefined. */
function fittingBundle() {
  try {
    const meta = JSON.parse(readFileSync(CACHE_META, 'utf8'))
    if (meta.v8 !== process.versions.v8 || !existsSync(CACHE)) return undefined
    const bytes = readFileSync(BUNDLE)
    return bundleSha256(bytes) === meta.bundleSha256 ? bytes : undefined
  } catch {
    return undefined
  }
}

/** Whether dist/cli.cache fits this Node and this bundle. */
export function cacheFits() {
  return fittingBundle() !== undefined
}

/**
 * Compiles and runs the bundle as CommonJS, as require() would (same wrapper, same module object,
 * registered in require.cache so oclif's own require of the command table finds it loaded), but
 * from `cachedData` when given. Returns the module's exports and the compiled script (whose
 * createCachedData() scripts/code-cache.js saves).
 */
export function compileBundle(cachedData, bytes = readFileSync(BUNDLE)) {
  const source = bytes.toString('utf8')
  const script = new vm.Script(Module.wrap(source), {
    filename: BUNDLE,
    cachedData,
    importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  })
  const module = new Module(BUNDLE)
  module.filename = BUNDLE
  module.paths = Module._nodeModulePaths(dist)
  const require = createRequire(BUNDLE)
  script.runInThisContext().call(module.exports, module.exports, require, module, BUNDLE, dist)
  module.loaded = true
  require.cache[BUNDLE] = module
  return {exports: module.exports, script}
}

/** The bundle's exports ({execute, COMMANDS}), compiled from the code cache when it fits this Node. */
export function loadCli() {
  const bytes = fittingBundle()
  if (bytes) return compileBundle(readFileSync(CACHE), bytes).exports
  Module.enableCompileCache?.()
  return createRequire(import.meta.url)(BUNDLE)
}
