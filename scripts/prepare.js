#!/usr/bin/env node
// npm's `prepare` script: builds dist/ (npm run build) wherever npm installs mailprofile from its
// source — `npm ci` in a checkout, `npm install -g git+https://…#<rev>`, a git devDependency, and
// the pre-commit framework (which runs `npm install` in its clone of the hook repository, then
// `npm pack`, then `npm install -g` of the tarball: see .pre-commit-hooks.yaml).
//
// Why not plain `npm run build`:
// - A global install from git (`npm install -g git+…`, what users of the lefthook/husky snippets
//   run) prepares the clone with a nested `npm install` that inherits `npm_config_global=true`
//   from the outer npm, so it installs nothing into the clone and the build fails with "Cannot
//   find package 'ajv'". When the build's packages are missing, this script installs them into the
//   clone itself (`npm ci`, from the lock file, scripts off) before building.
// - `npm pack` runs `prepare` and pre-commit takes pack's whole stdout as the tarball's file name:
//   nothing may reach stdout. The project's .npmrc (foreground-scripts=false) keeps npm's own
//   "> mailprofile prepare" banner off it; the build's output goes to stderr.
import {spawnSync} from 'node:child_process'
import {existsSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))

/** The packages `npm run build` imports: the runtime dependencies (bundled) and esbuild. */
const needed = [...Object.keys(pkg.dependencies ?? {}), 'esbuild']

function missing() {
  // Where the build's imports resolve from (not require.resolve: several packages export no package.json).
  return needed.filter((name) => !existsSync(join(root, 'node_modules', name, 'package.json')))
}

function run(command, args, env = process.env) {
  // stdout → stderr: see the module comment.
  const r = spawnSync(command, args, {cwd: root, env, stdio: ['ignore', 2, 2]})
  if (r.status !== 0) {
    process.stderr.write(`mailprofile prepare: ${[command, ...args].join(' ')} failed (${r.status ?? r.signal})\n`)
    process.exit(1)
  }
}

if (!existsSync(join(root, 'src'))) process.exit(0) // an installed package: dist/ is already built

const absent = missing()
if (absent.length > 0) {
  process.stderr.write(`mailprofile prepare: installing the build's packages into ${root} (missing: ${absent.join(', ')})\n`)
  // A clean environment for the nested npm: no global mode, no prefix from the outer command.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_config_(global|prefix|global_prefix|location|omit|production|only)$/i.test(k)))
  const npmCli = process.env.npm_execpath
  const [command, prefixArgs] = npmCli && /\.[cm]?js$/.test(npmCli) ? [process.execPath, [npmCli]] : ['npm', []]
  const lock = existsSync(join(root, 'package-lock.json'))
  run(command, [...prefixArgs, lock ? 'ci' : 'install', '--global=false', `--prefix=${root}`, '--include=dev', '--ignore-scripts', '--no-audit', '--no-fund', '--no-save'], env)
  const still = missing()
  if (still.length > 0) {
    process.stderr.write(`mailprofile prepare: still missing after npm ${lock ? 'ci' : 'install'}: ${still.join(', ')}\n`)
    process.exit(1)
  }
}
run(process.execPath, [join(root, 'scripts', 'build-validator.js')])
run(process.execPath, [join(root, 'scripts', 'bundle.js')])
