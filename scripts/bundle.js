#!/usr/bin/env node
// Builds dist/ from src/ with esbuild: one ESM entry (dist/cli.js) holding oclif and the command
// table, plus lazily loaded chunks for what only some commands need (TLS probing, signing, XML).
// tsc only type-checks (npm run typecheck). Start-up cost is measured by bench/lint-startup.js.
import {rmSync} from 'node:fs'
import {readFile} from 'node:fs/promises'
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
const ordinalCommandSort = {
  name: 'oclif-ordinal-command-sort',
  setup(b) {
    b.onLoad({filter: OCLIF_PLUGIN}, async (args) => {
      const source = await readFile(args.path, 'utf8')
      if (!source.includes(LOCALE_SORT)) throw new Error(`scripts/bundle.js: ${args.path} no longer sorts commands with localeCompare as expected; review the ordinal-sort patch`)
      return {contents: source.replace(LOCALE_SORT, ORDINAL_SORT), loader: 'js'}
    })
  },
}
rmSync(`${root}dist`, {recursive: true, force: true})
await build({
  absWorkingDir: root,
  // bench-lib: the core APIs the benchmarks measure (bench/*.bench.js), without oclif.
  entryPoints: {cli: 'src/cli.ts', 'bench-lib': 'src/bench-lib.ts'},
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20.19',
  // oclif can load TypeScript sources through these in development; never at run time here.
  external: ['typescript', 'ts-node'],
  // Bundled CommonJS packages call require(): give them one.
  banner: {js: "import {createRequire as __mailprofileRequire} from 'node:module'; const require = __mailprofileRequire(import.meta.url);"},
  plugins: [ordinalCommandSort],
  chunkNames: 'chunks/[name]-[hash]',
  legalComments: 'linked',
  minifyWhitespace: true,
  minifySyntax: true,
  logLevel: 'warning',
})
