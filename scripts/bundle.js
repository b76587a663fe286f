#!/usr/bin/env node
// Builds dist/ from src/ with esbuild: one ESM entry (dist/cli.js) holding oclif and the command
// table, plus lazily loaded chunks for what only some commands need (TLS probing, signing, XML).
// tsc only type-checks (npm run typecheck). Start-up cost is measured by bench/lint-startup.js.
import {rmSync} from 'node:fs'
import {fileURLToPath} from 'node:url'
import {build} from 'esbuild'

const root = fileURLToPath(new URL('..', import.meta.url))
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
  chunkNames: 'chunks/[name]-[hash]',
  legalComments: 'linked',
  minifyWhitespace: true,
  minifySyntax: true,
  logLevel: 'warning',
})
