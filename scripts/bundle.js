#!/usr/bin/env node
// Builds dist/ from src/ with esbuild: the CLI as one CommonJS file (dist/cli.cjs) holding oclif,
// the command table and everything the commands import lazily; `lint` alone without oclif
// (dist/lint.cjs), `probe` and `inspect` alone (dist/probe.cjs, dist/inspect.cjs) without oclif (bin/run.js's lean start-up path); their V8 code caches for lint and inspect
// (scripts/code-cache.js); and dist/bench-lib.js for the benchmarks.
// tsc only type-checks (npm run typecheck). Start-up cost is measured by bench/lint.bench.js.
import {spawnSync} from 'node:child_process'
import {readFileSync, rmSync} from 'node:fs'
import {readFile} from 'node:fs/promises'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {build} from 'esbuild'

const root = fileURLToPath(new URL('..', import.meta.url))

// oclif sorts the command ids with String#localeCompare on every start. The first localeCompare in
// a process initialises ICU's collator: 12–45 ms here (most with LANG=C.UTF-8), a fifth of lint's
// start-up. Our command ids are lower-case ASCII words, for which code-unit order is the same
// order, so the bundle sorts them that way. The build fails if oclif's code changes, so a newer
// oclif is looked at rather than silently left unpatched.
const OCLIF_PLUGIN = /node_modules[\\/]@oclif[\\/]core[\\/]lib[\\/]config[\\/]plugin\.js$/
const LOCALE_SORT = '.sort((a, b) => a.id.localeCompare(b.id));'
const ORDINAL_SORT = '.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));'
/**
 * An esbuild plugin that replaces FROM by TO in the one module matching FILTER, and fails the build
 * when that module no longer holds FROM (a new version is then reviewed, not silently left unpatched).
 */
function replaceInModule(name, filter, from, to) {
  return {
    name,
    setup(b) {
      b.onLoad({filter}, async (args) => {
        const source = await readFile(args.path, 'utf8')
        if (!source.includes(from)) throw new Error(`scripts/bundle.js: ${args.path} no longer holds ${JSON.stringify(from)}; review the ${name} patch`)
        return {contents: source.replace(from, to), loader: 'js'}
      })
    },
  }
}
const ordinalCommandSort = replaceInModule('oclif-ordinal-command-sort', OCLIF_PLUGIN, LOCALE_SORT, ORDINAL_SORT)
// Two of oclif's modules load a Node built-in at start-up that only some paths use: util/os.js
// child_process (with dgram and more: for the Windows shell; and through wsl-utils, asked only
// whether this is WSL), parser/parse.js readline (to read a flag from stdin). Each binding becomes an object whose members require the built-in on first
// use: 2-4 ms less start-up. The build fails if oclif's code no longer reads as expected.
const LAZY_BUILTINS = [
  {file: /node_modules[\\/]@oclif[\\/]core[\\/]lib[\\/]util[\\/]os\.js$/, binding: 'node_child_process_1', module: 'node:child_process'},
  {file: /node_modules[\\/]@oclif[\\/]core[\\/]lib[\\/]parser[\\/]parse\.js$/, binding: 'node_readline_1', module: 'node:readline'},
]
const lazyBuiltins = {
  name: 'oclif-lazy-builtins',
  setup(b) {
    for (const {file, binding, module} of LAZY_BUILTINS) {
      b.onLoad({filter: file}, async (args) => {
        const source = await readFile(args.path, 'utf8')
        const declaration = `const ${binding} = require("${module}");`
        const uses = source.split(binding).length - 2
        const members = [...new Set([...source.matchAll(new RegExp(`\\b${binding}\\.(\\w+)`, 'g'))].map((m) => m[1]))]
        const memberUses = [...source.matchAll(new RegExp(`\\b${binding}\\.\\w+`, 'g'))].length
        if (!source.includes(declaration) || members.length === 0 || uses !== memberUses) {
          throw new Error(`scripts/bundle.js: ${args.path} no longer uses ${module} as expected (${declaration} and ${binding}.member only); review the lazy-require patch`)
        }
        const getters = members.map((m) => `get ${m}() { return require("${module}").${m}; }`).join(', ')
        let contents = source.replace(declaration, `const ${binding} = {${getters}};`)
        // getPlatform asks wsl-utils only for isWsl, which wsl-utils re-exports from is-wsl; wsl-utils
        // itself loads child_process at its start. Ask is-wsl.
        if (module === 'node:child_process') {
          const wslUtils = await readFile(join(root, 'node_modules', 'wsl-utils', 'index.js'), 'utf8')
          const FROM = "(await import('wsl-utils')).isWsl"
          if (!contents.includes(FROM) || !wslUtils.includes("export {default as isWsl} from 'is-wsl';")) {
            throw new Error(`scripts/bundle.js: ${args.path} or wsl-utils no longer get isWsl as expected; review the lazy-require patch`)
          }
          contents = contents.replace(FROM, "(await import('is-wsl')).default")
        }
        return {contents, loader: 'js'}
      })
    }
  },
}
// bin/cli-loader.js reads dist/cli.cjs as Latin-1 (no UTF-8 decoding of 1.9 MB at every start), so
// the bundle must be ASCII. esbuild escapes non-ASCII everywhere but in regular expressions; the
// one there (ansis' ANSI-stripping pattern, a raw U+009B) becomes an escape that matches the same.
const ANSIS = /node_modules[\\/]ansis[\\/]index\.js$/
const RAW_CSI = '[\x1b\u009b]'
const asciiRegex = replaceInModule('ascii-regex', ANSIS, RAW_CSI, '[\\x1b\\x9b]')
// node-forge (370 KB, a third of the lint bundle) is needed only to read a PKCS#12 signing
// identity, and every start reads each byte of its bundle and copies it into a string (about 2 ms
// per MB here). So the bundles that import it require it at that first import from a bundle of
// its own, dist/node-forge.cjs (beside them: a require relative to the bundle's own path).
const FORGE_BUNDLE = 'node-forge.cjs'
// The import resolves to a one-line module of the bundle that requires it, so that it is a plain
// require at run time (an external import() would stay an ES dynamic import).
const forgeApart = {
  name: 'node-forge-apart',
  setup(b) {
    b.onResolve({filter: /^node-forge$/}, () => ({path: 'node-forge', namespace: 'node-forge-apart'}))
    b.onLoad({filter: /.*/, namespace: 'node-forge-apart'}, () => ({contents: `module.exports = require("./${FORGE_BUNDLE}")`, loader: 'js'}))
    b.onResolve({filter: /^\.\/node-forge\.cjs$/}, (args) => ({path: args.path, external: true}))
  },
}
rmSync(`${root}dist`, {recursive: true, force: true})
const common = {
  absWorkingDir: root,
  bundle: true,
  platform: 'node',
  target: 'node20.19',
  // oclif can load TypeScript sources through these in development; never at run time here.
  // `serve`'s HTTP stack (Fastify brings its own ajv compiler, pino its worker transports) is loaded
  // from node_modules at run time, only by `serve`: the other commands' bundle and start-up stay as they were.
  external: ['typescript', 'ts-node', 'fastify', 'pino', 'prom-client', 'qrcode', 'lru-cache'],
  plugins: [ordinalCommandSort, lazyBuiltins, asciiRegex],
  legalComments: 'linked',
  minifyWhitespace: true,
  minifySyntax: true,
  logLevel: 'warning',
}
// The CLI: one CommonJS file, so bin/cli-loader.js can compile it from V8's code cache (ES modules
// cannot use one on Node 20). Code only some commands need (TLS probing, signing, XML, node-forge)
// is still evaluated lazily: esbuild wraps each module and runs it at its first import().
const commonJs = {
  ...common,
  plugins: [...common.plugins, forgeApart],
  format: 'cjs',
  // src/core/paths.ts finds the package folder from import.meta.url: here, the bundle's own path.
  // The version, so that the report's `version` costs no search for package.json at start (src/core/version.ts).
  define: {'import.meta.url': '__mailprofileBundleUrl', __MAILPROFILE_VERSION__: JSON.stringify(JSON.parse(readFileSync(`${root}package.json`, 'utf8')).version)},
  banner: {js: 'var __mailprofileBundleUrl = require("node:url").pathToFileURL(__filename).href;'},
}
await build({...commonJs, entryPoints: {cli: 'src/cli.ts'}, outfile: 'dist/cli.cjs'})
await build({...common, format: 'cjs', entryPoints: {'node-forge': 'node-forge'}, outfile: `dist/${FORGE_BUNDLE}`})
// `lint`, `probe` and `inspect` each alone (src/<command>-cli.ts), for bin/run.js's lean start-up path: no oclif in them.
const LEAN = ['lint', 'probe', 'inspect']
for (const command of LEAN) await build({...commonJs, entryPoints: {[command]: `src/${command}-cli.ts`}, outfile: `dist/${command}.cjs`})
for (const bundle of ['cli.cjs', ...LEAN.map((command) => `${command}.cjs`)]) {
  const nonAscii = readFileSync(`${root}dist/${bundle}`).findIndex((byte) => byte > 0x7f)
  if (nonAscii !== -1) throw new Error(`scripts/bundle.js: dist/${bundle} holds a non-ASCII byte at offset ${nonAscii}, which bin/cli-loader.js would misread as Latin-1`)
}
for (const command of LEAN) {
  if (readFileSync(`${root}dist/${command}.cjs`, 'latin1').includes('@oclif/core')) throw new Error(`scripts/bundle.js: dist/${command}.cjs holds oclif; the lean ${command} path must not load it`)
}
// The worker threads of a parallel `build` (src/core/generate/parallel-build.ts) start from this file.
await build({...commonJs, entryPoints: {'build-worker': 'src/core/generate/build-worker.ts'}, outfile: 'dist/build-worker.cjs'})
// The profile worker threads of `serve` (src/core/serve/profile-pool.ts) start from this file.
await build({...commonJs, entryPoints: {'serve-worker': 'src/core/serve/profile-worker.ts'}, outfile: 'dist/serve-worker.cjs'})
// bench-lib: the core APIs the benchmarks measure (bench/*.bench.js), without oclif.
await build({
  ...common,
  entryPoints: {'bench-lib': 'src/bench-lib.ts'},
  outdir: 'dist',
  splitting: true,
  format: 'esm',
  chunkNames: 'chunks/[name]-[hash]',
  // Bundled CommonJS packages call require(): give them one.
  banner: {js: "import {createRequire as __mailprofileRequire} from 'node:module'; const require = __mailprofileRequire(import.meta.url);"},
})
// V8's code caches of the CLI bundle for lint and inspect and of the lean lint bundle, each made by
// running that command once (a child process each: a clean V8 heap, holding that command's functions only).
for (const command of ['lint', 'inspect', 'lean-lint', 'lean-inspect']) {
  const cache = spawnSync(process.execPath, [`${root}scripts/code-cache.js`, command], {stdio: ['ignore', 'ignore', 'inherit']})
  if (cache.status !== 0) throw new Error(`scripts/code-cache.js ${command} failed (exit ${cache.status ?? cache.signal})`)
}
