#!/usr/bin/env node
// The pre-commit framework's hook (.pre-commit-hooks.yaml, id mailprofile-lint):
//   mailprofile-pre-commit [lint flags] [--settings REGEX] FILE...
// pre-commit passes the staged files its `files:` pattern matches. Settings files among them are
// linted. The others (a users CSV, CA certificates, a signing identity) are read by settings files
// that may not have changed, so when one of them is staged every settings file git tracks is
// linted as well: a bad users.csv blocks the commit like a bad settings file does. Tracked settings
// files are those whose path matches --settings (default: the hook's own settings pattern).
// Everything else is `mailprofile lint`, in this process: from the lean lint bundle when it takes
// the command line, else the full CLI (as bin/run.js does; bin/cli-loader.js).
// CommonJS (bin/package.json), as bin/run.js is.
const {spawnSync} = require('node:child_process')
const {existsSync, statSync} = require('node:fs')
const {join} = require('node:path')

const {cannotRun, loadCli, loadLean} = require('./cli-loader.js')

/** The hook's default settings pattern (keep in step with .pre-commit-hooks.yaml and the README). */
const SETTINGS = /(^|\/)(mailprofile|mail-settings)[^/]*\.(ya?ml|json)$/
const SETTINGS_EXTENSION = /\.(ya?ml|json)$/i

const isFile = (path) => {
  try {
    return statSync(path).isFile()
  } catch {
    return false
  }
}

/** Splits argv into lint's flags, the --settings pattern and the files pre-commit appended. */
function parseArgs(argv) {
  const flags = []
  const files = []
  let settings = SETTINGS
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    if (arg === '--settings' || arg.startsWith('--settings=')) {
      const source = arg === '--settings' ? argv[++i] : arg.slice('--settings='.length)
      settings = new RegExp(source ?? '')
    } else if (arg.startsWith('-')) {
      flags.push(arg)
      // A flag's value (`--warn-days 30`) is the next word unless that word is a file.
      const next = argv[i + 1]
      if (!arg.includes('=') && next !== undefined && !next.startsWith('-') && !existsSync(next)) flags.push(argv[++i])
    } else files.push(arg)
  }
  return {flags, files, settings}
}

/** The files git tracks in the current repository, or [] outside one. */
function trackedFiles() {
  const r = spawnSync('git', ['ls-files', '-z'], {encoding: 'utf8', maxBuffer: 256 * 1024 * 1024})
  return r.status === 0 ? r.stdout.split('\0').filter(Boolean) : []
}

/** The settings files to lint for these staged files. */
function filesToLint(files, settings, tracked = trackedFiles) {
  const isSettings = (f) => settings.test(f) || SETTINGS_EXTENSION.test(f)
  const chosen = new Set(files.filter(isSettings))
  if (files.some((f) => !isSettings(f))) for (const f of tracked()) if (settings.test(f) && isFile(f)) chosen.add(f)
  return [...chosen]
}

const {flags, files, settings} = parseArgs(process.argv.slice(2))
const lint = filesToLint(files, settings)
if (lint.length > 0) {
  const args = [...flags, ...lint]
  ;(async () => {
    const lean = process.env.MAILPROFILE_FULL_CLI !== '1' && (await loadLean('lint').run(args))
    if (!lean) await loadCli('lint').execute({dir: join(__dirname, '..'), args: ['lint', ...args]})
  })().catch((error) => cannotRun(error, 'lint', args))
}
