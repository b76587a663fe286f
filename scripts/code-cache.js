#!/usr/bin/env node
// `node scripts/code-cache.js lint|inspect|lean-lint|lean-inspect`: makes V8's code cache of dist/cli.cjs for one
// command after running it once on the project's own inputs (lint: the examples; inspect: a signed
// golden profile), or with lean-lint / lean-inspect that of the lean bundle dist/lint.cjs /
// dist/inspect.cjs after the same run with it, so the functions that command runs are cached compiled (bin/cli-loader.js). Writes it
// to dist/code-cache/ under the name the loader looks for; `lint` also writes dist/cli.cache.json
// (which V8 the build's caches are for, and the command and topic ids the loader names caches by).
// Run by scripts/bundle.js, once per command, each in a child process of the same Node as the
// build (a clean V8 heap, holding only that command's functions). Measured by bench/lint.bench.js.
import {existsSync, mkdirSync, readFileSync, readdirSync} from 'node:fs'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {cachedDataVersionTag} from 'node:v8'

import {BUNDLE, CACHE_META, LEAN_BUNDLES, PACKAGE_CACHE_DIR, bundleSha256, cacheName, compileBundle, writeAtomic} from '../bin/cli-loader.js'

const root = fileURLToPath(new URL('..', import.meta.url))
const command = process.argv[2]
const examplesDir = join(root, 'examples')
const examples = existsSync(examplesDir)
  ? readdirSync(examplesDir)
      .filter((f) => f.endsWith('.yaml'))
      .map((f) => join(examplesDir, f))
  : []
const signedProfile = join(root, 'profiles', 'provider', 'example.org', 'example.org.mobileconfig')

/** The warm-up run of each command; without its inputs (a trimmed checkout), the start-up path alone. */
const WARM_UP = {
  lint: () => (examples.length > 0 ? ['lint', ...examples] : ['lint', '--version']),
  inspect: () => (existsSync(signedProfile) ? ['inspect', '--trust', join(examplesDir, 'ca', 'example-root-ca.pem'), signedProfile] : ['inspect', '--version']),
  'lean-lint': () => ['lint', ...examples],
  'lean-inspect': () => (existsSync(signedProfile) ? ['inspect', '--trust', join(examplesDir, 'ca', 'example-root-ca.pem'), signedProfile] : ['inspect']),
}
if (!WARM_UP[command]) throw new Error(`scripts/code-cache.js: say which command to warm up (${Object.keys(WARM_UP).join(', ')})`)

const lean = command.startsWith('lean-')
const id = lean ? command.slice('lean-'.length) : command
const bundle = lean ? LEAN_BUNDLES[id] : BUNDLE
const bytes = readFileSync(bundle)
const {exports, script} = compileBundle(undefined, bytes, bundle)
// The warm-up prints the command's report; the parent process discards it.
const [, ...args] = WARM_UP[command]()
if (lean) {
  if (args.length > 0 && !(await exports.run(args))) throw new Error(`scripts/code-cache.js: the lean ${id} bundle declined its warm-up command line`)
} else await exports.execute({dir: root, args: WARM_UP[command]()})
if (process.exitCode) throw new Error(`scripts/code-cache.js: ${command} warm-up failed (exit ${process.exitCode}); not writing a code cache`)
mkdirSync(PACKAGE_CACHE_DIR, {recursive: true})
writeAtomic(join(PACKAGE_CACHE_DIR, cacheName(bundleSha256(bytes), id)), script.createCachedData(), 0o644)
if (command === 'lint') {
  const commands = [...new Set(Object.keys(exports.COMMANDS).map((c) => c.split(':')[0]))].sort()
  writeAtomic(CACHE_META, `${JSON.stringify({v8: process.versions.v8, v8Tag: cachedDataVersionTag(), node: process.versions.node, bundleSha256: bundleSha256(bytes), commands}, null, 2)}\n`, 0o644)
}
