// Loads the CLI bundle (dist/cli.cjs) with V8's code cache, so each start skips compiling it.
//
// Compiling the ~1.5 MB bundle is a third of `mailprofile lint`'s start-up. The build runs `lint` on
// the examples once and saves V8's code cache next to the bundle (dist/cli.cache, made by
// scripts/code-cache.js); a code cache is only usable by the V8 that made it. Under any other Node
// (another major than the build's), the first run compiles the bundle itself and, at exit, saves
// V8's cache for that V8 version and that bundle (SHA-256) as <v8>-<arch>-<sha>.cache, atomically
// (temp file + rename): in dist/code-cache/ when the package folder is writable, else in the user's
// cache folder ($XDG_CACHE_HOME or ~/.cache, then mailprofile/code-cache, mode 0700). Later runs
// under that Node load it. Nothing is written when a fitting cache exists; a failed write is
// ignored (the command's result never depends on it). A cache V8 rejects is remade.
// MAILPROFILE_CODE_CACHE_DIR names the only folder used (tests); MAILPROFILE_DEBUG_CODE_CACHE=1
// says on stderr which cache was used or written.
import {createHash} from 'node:crypto'
import {chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync} from 'node:fs'
import {homedir} from 'node:os'
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

const debug = process.env.MAILPROFILE_DEBUG_CODE_CACHE === '1'
const say = (message) => debug && process.stderr.write(`mailprofile code cache: ${message}\n`)

/** Folders a per-V8 cache is read from and written to, first writable one wins. */
function cacheDirs() {
  if (process.env.MAILPROFILE_CODE_CACHE_DIR) return [process.env.MAILPROFILE_CODE_CACHE_DIR]
  const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache')
  return [join(dist, 'code-cache'), join(base, 'mailprofile', 'code-cache')]
}

function cacheName(bytes) {
  return `${process.versions.v8}-${process.arch}-${bundleSha256(bytes)}.cache`
}

function writeAtomic(file, data) {
  const tmp = `${file}.${process.pid}.tmp`
  try {
    writeFileSync(tmp, data, {mode: 0o600})
    renameSync(tmp, file)
  } catch (error) {
    rmSync(tmp, {force: true})
    throw error
  }
}

/** At exit, saves this V8's cache of `script` in the first folder that takes it; never throws. */
function saveAtExit(script, name) {
  process.once('exit', () => {
    let data
    try {
      data = script.createCachedData()
    } catch {
      return
    }
    for (const dir of cacheDirs()) {
      try {
        mkdirSync(dir, {recursive: true, mode: 0o700})
        if (!dir.startsWith(dist)) chmodSync(dir, 0o700)
        writeAtomic(join(dir, name), data)
        say(`wrote ${join(dir, name)}`)
        return
      } catch {
        // not writable: try the next folder
      }
    }
    say('could not write a cache')
  })
}

/** The bundle compiled from this V8's own cache (made by an earlier run), or compiled and saved at exit. */
function loadWithRunTimeCache() {
  const bytes = readFileSync(BUNDLE)
  const name = cacheName(bytes)
  for (const dir of cacheDirs()) {
    const file = join(dir, name)
    let cachedData
    try {
      cachedData = readFileSync(file)
    } catch {
      continue
    }
    const {exports, script} = compileBundle(cachedData, bytes)
    if (!script.cachedDataRejected) {
      say(`used ${file}`)
      return exports
    }
    say(`rejected ${file}`)
    saveAtExit(script, name)
    return exports
  }
  const {exports, script} = compileBundle(undefined, bytes)
  say('none fits; making one at exit')
  saveAtExit(script, name)
  return exports
}

/** The bundle's exports ({execute, COMMANDS}), compiled from a code cache that fits this Node and bundle. */
export function loadCli() {
  if (!process.env.MAILPROFILE_CODE_CACHE_DIR) {
    const bytes = fittingBundle()
    if (bytes) {
      say(`used ${CACHE}`)
      return compileBundle(readFileSync(CACHE), bytes).exports
    }
  }
  return loadWithRunTimeCache()
}
