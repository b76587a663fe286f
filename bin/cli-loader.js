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
// Each set of Node flags keeps its own caches (flagsTag). The bundle's SHA-256 comes from a memo of
// the file's identity once one is written (bundleDigest): hashing the 1 MB bundle cost 1–1.5 ms of
// every start.
// MAILPROFILE_CODE_CACHE_DIR names the only folder used (tests); MAILPROFILE_DEBUG_CODE_CACHE=1
// says on stderr which cache was used or written.
//
// CommonJS (bin/package.json), as bin/run.js is: an ES module entry costs Node its ESM loader at
// every start (10-20 ms in a 45 ms `node -e 0`). Built-in modules come from
// process.getBuiltinModule, as when this was an ES module.
const {Buffer} = process.getBuiltinModule('node:buffer')
const {hash, randomBytes} = process.getBuiltinModule('node:crypto')
const {chmodSync, closeSync, existsSync, fstatSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync} = process.getBuiltinModule('node:fs')
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
  return hash('sha256', bytes, 'hex')
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

/** V8's cache compatibility tag of the build's caches (scripts/code-cache.js records it) when this is the build's V8. */
function buildTag() {
  try {
    const meta = JSON.parse(readFileSync(CACHE_META, 'utf8'))
    return meta.v8 === process.versions.v8 ? meta.v8Tag : undefined
  } catch {
    return undefined
  }
}

let flagsTagMemo
/**
 * The part of a cache's name that stands for this Node's V8 flags: V8 rejects a cache made under
 * other flags (its cachedDataVersionTag hashes them), so runs that alternate, with
 * `--max-old-space-size` in NODE_OPTIONS and without, say, would each reject and rewrite the other's
 * cache. Empty when Node runs without flags (the tag is not even asked for: loading node:v8 costs
 * ~0.5 ms) or under the flags the build's caches were made with; else `-v8tag.<tag in hex>`.
 */
function flagsTag(execArgv = process.execArgv, nodeOptions = process.env.NODE_OPTIONS ?? '') {
  if (execArgv.length === 0 && nodeOptions.trim() === '') return ''
  if (flagsTagMemo === undefined) {
    const tag = process.getBuiltinModule('node:v8').cachedDataVersionTag()
    flagsTagMemo = tag === buildTag() ? '' : `-v8tag.${tag.toString(16)}`
  }
  return flagsTagMemo
}

/** The file name of this V8's cache of the bundle (its SHA-256 in hex) for a command, under this Node's flags. */
function cacheName(sha, command) {
  return `${process.versions.v8}-${process.arch}-${sha}-${command}${flagsTag()}.cache`
}

/**
 * How long a file must have been left unchanged before its digest is memoized: the kernel stamps a
 * file's times from a clock that moves in ticks of a few milliseconds (whole seconds on some file
 * systems), so two writes within one tick can leave every time equal.
 */
const SETTLED_NS = 2_000_000_000n

/** A file's identity: device, inode, size, and its modification and status-change times in nanoseconds. */
function fileIdentity(stat) {
  return `${stat.dev} ${stat.ino} ${stat.size} ${stat.mtimeNs} ${stat.ctimeNs}`
}

/** The memo's file name, one per bundle file (two installs sharing the user's cache folder keep one each). */
function digestMemoName(bundle, stat) {
  return `${basename(bundle)}-${stat.dev}-${stat.ino}.sha256`
}

/**
 * The SHA-256 (hex) of a bundle's `bytes`, read between the `before` and `after` fstat of its file,
 * from a memo when the file's identity is the one recorded with it, else computed (and memoized).
 *
 * The memo is sound as git's index is: every write to a file, a rename onto its name and a chmod
 * set its status-change time (ctime) to now, and no program can set it back; so a file whose
 * device, inode, size, mtime and ctime are those recorded holds the bytes that were hashed.
 * Nothing is trusted when the file changed while it was read, and, as git does with "racy"
 * entries, a digest is recorded only for a file whose ctime is SETTLED_NS older than `nowNs`:
 * a later write then lands on a later tick and changes the identity.
 */
function bundleDigest(bundle, bytes, before, after, nowNs = BigInt(Date.now()) * 1_000_000n) {
  const identity = fileIdentity(before)
  const stable = identity === fileIdentity(after)
  const name = digestMemoName(bundle, before)
  if (stable) {
    for (const dir of cacheDirs()) {
      let memo
      try {
        memo = readFileSync(join(dir, name), 'latin1').split('\n')
      } catch {
        continue
      }
      if (memo[0] === identity && /^[0-9a-f]{64}$/.test(memo[1] ?? '')) return memo[1]
    }
  }
  const sha = bundleSha256(bytes)
  if (stable && nowNs - before.ctimeNs > SETTLED_NS) saveFirst(name, Buffer.from(`${identity}\n${sha}\n`, 'latin1'))
  return sha
}

/** A bundle's bytes and SHA-256 (bundleDigest), read through one descriptor. */
function readBundle(bundle, nowNs) {
  const fd = openSync(bundle, 'r')
  try {
    const before = fstatSync(fd, {bigint: true})
    const bytes = readFileSync(fd)
    const after = fstatSync(fd, {bigint: true})
    return {bytes, sha: bundleDigest(bundle, bytes, before, after, nowNs)}
  } finally {
    closeSync(fd)
  }
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
function cacheFile(command = 'lint', sha = readBundle(BUNDLE).sha) {
  const name = cacheName(sha, command)
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
  const file = saveFirst(name, data, dirs)
  if (!file) say('could not write a cache')
  return file
}

/** Writes `data` as `name` in the first of `dirs` that takes it (made 0700 when missing); its path, or undefined. Never throws. */
function saveFirst(name, data, dirs = cacheDirs()) {
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
  return undefined
}

/**
 * The bundle's exports, compiled from this V8's cache of it for `command` when one fits, else
 * compiled and that cache saved at exit.
 */
function loadBundle(bundle, command) {
  const {bytes, sha} = readBundle(bundle)
  const name = cacheName(sha, command)
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

/**
 * What the bundles never let through: a bundle that cannot be loaded (an install whose dist/ is
 * missing or half written) or an error that escaped them. Exit 2 with one line on stderr and,
 * under --json (in `argv`), the one JSON document with `internalError`, as src/commands/output.ts
 * writes it. For bin/run.js and bin/pre-commit.js.
 */
function cannotRun(error, command, argv) {
  const missing = error?.code === 'ENOENT' && typeof error.path === 'string' ? error.path : undefined
  const message = missing ? `cannot read ${missing}: the package's built files are missing or incomplete` : String(error?.message ?? error)
  process.stderr.write(`mailprofile: internal error: ${message}\n`)
  process.stderr.write(missing ? 'Reinstall mailprofile (in a checkout of its repository: npm run build).\n' : 'This is a bug in mailprofile, not a problem with your input; please report it with the command you ran (MAILPROFILE_DEBUG=1 shows where it happened).\n')
  if (process.env.MAILPROFILE_DEBUG === '1' && error?.stack) process.stderr.write(`${error.stack}\n`)
  const json = argv.some((a, i) => a === '--json' || a === '--format=json' || (a === '--format' && argv[i + 1] === 'json'))
  if (json) {
    let version = null
    try {
      version = require('../package.json').version
    } catch {
      // no package.json either: version stays null
    }
    const doc = {schemaVersion: 1, tool: 'mailprofile', version, command: command ?? null, exitCode: 2, summary: {error: 0, warning: 0, info: 0}, findings: [], inputErrors: [], internalError: {name: error?.name ?? 'Error', message}}
    process.stdout.write(`${JSON.stringify(doc, null, 2)}\n`)
  }
  process.exitCode = 2
}

module.exports = {cannotRun, BUNDLE, LEAN_BUNDLES, CACHE_META, PACKAGE_CACHE_DIR, bundleSha256, bundleDigest, flagsTag, readBundle, cacheCommand, cacheName, compileBundle, cacheFile, cacheFits, writeAtomic, saveCache, loadBundle, loadCli, hasLean, loadLean}
