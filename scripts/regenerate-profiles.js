#!/usr/bin/env node
// Builds every examples/*.yaml with the built CLI into profiles/<example-name>/: the golden outputs
// (profiles, Autodiscover, autoconfig, DDM, DNS, manifest) committed with the repository. The same
// input gives the same bytes, so a diff under profiles/ is a real change in what `build` writes.
//
//   npm run profiles                                  # rebuild the CLI, regenerate profiles/
//   node scripts/regenerate-profiles.js --out DIR     # write elsewhere (the golden test does this)
//   node scripts/regenerate-profiles.js --check       # exit 1 when profiles/ is not what build gives
//
// Needs dist/ (npm run build). Examples whose signing identity is RSA give signed, byte-stable
// profiles (RSA PKCS#1 v1.5 is deterministic and build adds no signingTime).
import {execFileSync} from 'node:child_process'
import {cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {basename, join, relative, resolve} from 'node:path'
import {fileURLToPath} from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))

function parseArgs(argv) {
  const args = {out: join(root, 'profiles'), check: false}
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--out') args.out = resolve(argv[++i])
    else if (argv[i] === '--check') args.check = true
    else {
      console.error(`regenerate-profiles: unknown argument ${argv[i]}`)
      process.exit(2)
    }
  }
  return args
}

function examples() {
  return readdirSync(join(root, 'examples'))
    .filter((f) => /\.(ya?ml|json)$/.test(f))
    .sort()
}

function buildExample(file, outDir) {
  // The CLI exits 1 when the example has error-level findings: that must fail the regeneration.
  execFileSync(process.execPath, [join(root, 'bin', 'run.js'), 'build', join('examples', file), '--out', outDir], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: {...process.env, NO_COLOR: '1'},
  })
}

/** Every file under dir, relative, sorted. */
export function listFiles(dir) {
  const out = []
  const walk = (d) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name)
      if (statSync(p).isDirectory()) walk(p)
      else out.push(relative(dir, p).split('\\').join('/'))
    }
  }
  if (existsSync(dir)) walk(dir)
  return out
}

/** Differences between two trees: missing, extra and changed files. */
export function compareTrees(expected, actual) {
  const a = listFiles(expected)
  const b = listFiles(actual)
  const diffs = []
  for (const f of a) if (!b.includes(f)) diffs.push(`missing: ${f}`)
  for (const f of b) if (!a.includes(f)) diffs.push(`extra: ${f}`)
  for (const f of a) if (b.includes(f) && !readFileSync(join(expected, f)).equals(readFileSync(join(actual, f)))) diffs.push(`changed: ${f}`)
  return diffs
}

function generate() {
  const staging = mkdtempSync(join(tmpdir(), 'mailprofile-profiles-'))
  for (const file of examples()) buildExample(file, join(staging, basename(file).replace(/\.(ya?ml|json)$/, '')))
  return staging
}

function main() {
  const args = parseArgs(process.argv.slice(2))
  if (!existsSync(join(root, 'dist', 'cli.cjs'))) {
    console.error('regenerate-profiles: dist/ is missing; run `npm run build` first (or `npm run profiles`)')
    process.exit(2)
  }
  const staging = generate()
  if (args.check) {
    const diffs = compareTrees(join(root, 'profiles'), staging)
    rmSync(staging, {recursive: true, force: true})
    for (const d of diffs) console.error(`profiles/ ${d}`)
    if (diffs.length > 0) console.error('profiles/ is stale: run `npm run profiles` and commit the result')
    process.exit(diffs.length > 0 ? 1 : 0)
  }
  // Replace the target as a whole, so files of removed examples do not linger.
  rmSync(args.out, {recursive: true, force: true})
  try {
    renameSync(staging, args.out)
  } catch {
    // Different file systems: copy instead.
    cpSync(staging, args.out, {recursive: true})
    rmSync(staging, {recursive: true, force: true})
  }
  console.log(`${relative(process.cwd(), args.out) || '.'}: ${examples().length} examples, ${listFiles(args.out).length} files`)
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main()
