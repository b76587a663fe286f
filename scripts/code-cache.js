#!/usr/bin/env node
// Makes dist/cli.cache: V8's code cache for dist/cli.cjs after a `lint` of the examples, so the
// functions start-up and lint run are cached compiled (bin/cli-loader.js). Run by scripts/bundle.js
// in a child process of the same Node as the build; a cache is only ever used by the V8 that made
// it (dist/cli.cache.json). Measured by bench/lint.bench.js.
import {existsSync, readFileSync, readdirSync, renameSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

import {BUNDLE, CACHE, CACHE_META, bundleSha256, compileBundle} from '../bin/cli-loader.js'

const root = fileURLToPath(new URL('..', import.meta.url))
const examplesDir = join(root, 'examples')
const examples = existsSync(examplesDir)
  ? readdirSync(examplesDir)
      .filter((f) => f.endsWith('.yaml'))
      .map((f) => join(examplesDir, f))
  : []

function writeAtomic(file, data) {
  const tmp = `${file}.${process.pid}.tmp`
  writeFileSync(tmp, data)
  renameSync(tmp, file)
}

const bytes = readFileSync(BUNDLE)
const {exports, script} = compileBundle(undefined, bytes)
// The warm-up prints lint's report; the parent process discards it.
// Without the examples (a trimmed checkout), the start-up path alone is cached.
await exports.execute({dir: join(root, 'bin', 'run.js'), args: examples.length > 0 ? ['lint', ...examples] : ['--version']})
if (process.exitCode) throw new Error(`scripts/code-cache.js: lint of the examples failed (exit ${process.exitCode}); not writing a code cache`)
// inspect's own path (plist reader, CMS verification, trust store, Apple validators) on a signed
// golden profile, so that its functions are in the cache too (bench/inspect.bench.js).
const signedProfile = join(root, 'profiles', 'provider', 'example.org', 'example.org.mobileconfig')
if (existsSync(signedProfile)) {
  await exports.execute({dir: join(root, 'bin', 'run.js'), args: ['inspect', signedProfile]})
  process.exitCode = undefined
}
writeAtomic(CACHE, script.createCachedData())
writeAtomic(CACHE_META, `${JSON.stringify({v8: process.versions.v8, node: process.versions.node, bundleSha256: bundleSha256(bytes)}, null, 2)}\n`)
