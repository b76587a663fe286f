// Loads the CLI bundle (dist/cli.cjs) with V8's code cache, so each start skips compiling it.
//
// Compiling the ~1.9 MB bundle is a third of `mailprofile lint`'s start-up. A code cache holds the
// functions that ran when it was made, and only the V8 that made it can use it; so there is one
// per V8 version, bundle (SHA-256) and command: <v8>-<arch>-<sha>-<command>.cache. Each holds what
// its command runs (lint's is a third smaller than one holding every command's functions, and
// inspect or probe do not compile their own code again under a cache made by lint).
// The build makes lint's and inspect's for its own Node (scripts/code-cache.js, in dist/code-cache/).
// Otherwise the first run of a command under a Node compiles the bundle itself and, at exit, saves
// that V8's cache for it, atomically (temp file + rename): in dist/code-cache/ when the package
// folder is writable, else in the user's cache folder ($XDG_CACHE_HOME or ~/.cache, then
// mailprofile/code-cache, mode 0700). Later runs load it. Nothing is written when a fitting cache
// exists; a failed write is ignored (the command's result never depends on it). A cache V8 rejects
// is remade. The command is the first argument when it names a command or topic of the bundle
// (dist/cli.cache.json lists them); anything else (help, --version, a typo) shares one cache, `cli`.
// MAILPROFILE_CODE_CACHE_DIR names the only folder used (tests); MAILPROFILE_DEBUG_CODE_CACHE=1
// says on stderr which cache was used or written.
//
// CommonJS (bin/package.json), as bin/run.js is: an ES module entry costs Node its ESM loader at
// every start (10-20 ms in a 45 ms `node -e 0`). Built-in modules come from
// process.getBuiltinModule, as when this was an ES module.
const {Buffer} = process.getBuiltinModule('node:buffer')
const {createHash, randomBytes} = process.getBuiltinModule('node:crypto')
const {chmodSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync} = process.getBuiltinModule('node:fs')
const {homedir} = process.getBuiltinModule('node:os')
const Module = process.getBuiltinModule('node:module')
const {basename, dirname, join} = process.getBuiltinModule('node:path')
const vm = process.getBuiltinModule('node:vm')

const dist = join(__dirname, '..', 'dist')
const BUNDLE = join(dist, 'cli.cjs')
/** The lean bundles (src/lean-cli.ts) by command: each holds that command alone, whose common command lines run without oclif. */
const LEAN_BUNDLES = {lint: join(dist, 'lint.cjs'), probe: join(dist, 'probe.cjs'), inspect: join(dist, 'inspect.cjs')}
/** What the build recorded: {v8, node, bundleSha256, commands}: the V8 its caches are for and the command and topic ids. */
const CACHE_META = join(dist, 'cli.cache.json')
/** The build's caches and, when the package folder is writable, those made at run time. */
const PACKAGE_CACHE_DIR = join(dist, 'code-cache')

/** SHA-256 (hex) of the bundle's bytes. */
function bundleSha256(bytes) {
  return createHash('sha256').update(bytes).digest('hex')
}

/** The cache name of a command: its id when the bundle has such a command or topic, else `cli`. */
function cacheCommand(arg) {
  if (typeof arg !== 'string' || !/^[a-z][a-z0-9-]*$/.test(arg)) return 'cli'
  try {
    const {commands} = JSON.parse(readFileSync(CACHE_META, 'utf8'))
    return Array.isArray(commands) && commands.includes(arg) ? arg : 'cli'
  } catch {
    return 'cli'
  }
}

/** The file name of this V8's cache of the bundle (its bytes) for a command. */
function cacheName(bytes, command) {
  return `${process.versions.v8}-${process.arch}-${bundleSha256(bytes)}-${command}.cache`
}

/**
 * Compiles and runs the bundle as CommonJS, as require() would (same wrapper, same module object,
 * registered in require.cache so oclif's own require of the command table finds it loaded), but
 * from `cachedData` when given. Returns the module's exports and the compiled script (whose
 * createCachedData() scripts/code-cache.js saves).
 */
function compileBundle(cachedData, bytes = readFileSync(BUNDLE), bundle = BUNDLE) {
  // ASCII only (scripts/bundle.js checks), so Latin-1 reads the same text without decoding UTF-8.
  const source = bytes.toString('latin1')
  const script = new vm.Script(Module.wrap(source), {
    filename: bundle,
    cachedData,
    importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  })
  const module = new Module(bundle)
  module.filename = bundle
  module.paths = Module._nodeModulePaths(dist)
  const require = Module.createRequire(bundle)
  script.runInThisContext().call(module.exports, module.exports, require, module, bundle, dist)
  module.loaded = true
  require.cache[bundle] = module
  return {exports: module.exports, script}
}

const debug = process.env.MAILPROFILE_DEBUG_CODE_CACHE === '1'
const say = (message) => debug && process.stderr.write(`mailprofile code cache: ${message}\n`)

/** Folders a cache is read from and written to, first writable one wins. */
function cacheDirs() {
  if (process.env.MAILPROFILE_CODE_CACHE_DIR) return [process.env.MAILPROFILE_CODE_CACHE_DIR]
  const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache')
  return [PACKAGE_CACHE_DIR, join(base, 'mailprofile', 'code-cache')]
}

/** The path of this V8's cache of the current bundle for `command` (default lint), when one exists. */
function cacheFile(command = 'lint', bytes = readFileSync(BUNDLE)) {
  const name = cacheName(bytes, command)
  for (const dir of cacheDirs()) {
    const file = join(dir, name)
    if (existsSync(file)) return file
  }
  return undefined
}

/** Whether a cache for this Node, this bundle and `command` (default lint) exists. */
function cacheFits(command = 'lint') {
  return cacheFile(command) !== undefined
}

/**
 * Writes `file` through a temporary file beside it (a rename is atomic within one folder) with a
 * random name, created exclusively ('wx': never through a link or file planted at the name, which
 * is then left alone), removed when the write or the rename fails. The name has the form of
 * src/core/util/write-file.ts's temporaries. The build's caches (scripts/code-cache.js) use it too,
 * with mode 0644 so that every user of an installed package can read them.
 */
function writeAtomic(file, data, mode = 0o600) {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data
  const tmp = join(dirname(file), `.${basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`)
  const fd = openSync(tmp, 'wx', mode)
  try {
    try {
      for (let off = 0; off < bytes.length; ) off += writeSync(fd, bytes, off, bytes.length - off)
    } finally {
      closeSync(fd)
    }
    renameSync(tmp, file)
  } catch (error) {
    rmSync(tmp, {force: true})
    throw error
  }
}

/** Saves this V8's cache of `script` as `name` in the first folder that takes it; never throws. */
function saveCache(script, name, dirs = cacheDirs()) {
  let data
  try {
    data = script.createCachedData()
  } catch {
    return undefined
  }
  for (const dir of dirs) {
    try {
      mkdirSync(dir, {recursive: true, mode: 0o700})
      if (!dir.startsWith(dist)) chmodSync(dir, 0o700)
      writeAtomic(join(dir, name), data)
      say(`wrote ${join(dir, name)}`)
      return join(dir, name)
    } catch {
      // not writable: try the next folder
    }
  }
  say('could not write a cache')
  return undefined
}

/**
 * The bundle's exports, compiled from this V8's cache of it for `command` when one fits, else
 * compiled and that cache saved at exit.
 */
function loadBundle(bundle, command) {
  const bytes = readFileSync(bundle)
  const name = cacheName(bytes, command)
  for (const dir of cacheDirs()) {
    const file = join(dir, name)
    let cachedData
    try {
      cachedData = readFileSync(file)
    } catch {
      continue
    }
    const {exports, script} = compileBundle(cachedData, bytes, bundle)
    if (!script.cachedDataRejected) {
      say(`used ${file}`)
      return exports
    }
    say(`rejected ${file}`)
    process.once('exit', () => saveCache(script, name))
    return exports
  }
  const {exports, script} = compileBundle(undefined, bytes, bundle)
  say('none fits; making one at exit')
  process.once('exit', () => saveCache(script, name))
  return exports
}

/** The CLI bundle's exports ({execute, COMMANDS}), with the code cache of `command` (the first argument of the command line). */
function loadCli(command) {
  return loadBundle(BUNDLE, cacheCommand(command))
}

/** Whether `command` has a lean bundle. */
function hasLean(command) {
  return typeof command === 'string' && Object.hasOwn(LEAN_BUNDLES, command)
}

/** A lean bundle's exports ({run(args) → whether it ran}), with its own code cache (named after the command). */
function loadLean(command) {
  return loadBundle(LEAN_BUNDLES[command], command)
}

module.exports = {BUNDLE, LEAN_BUNDLES, CACHE_META, PACKAGE_CACHE_DIR, bundleSha256, cacheCommand, cacheName, compileBundle, cacheFile, cacheFits, writeAtomic, saveCache, loadBundle, loadCli, hasLean, loadLean}
