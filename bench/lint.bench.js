#!/usr/bin/env node
// Lint performance (issue 3), on the built CLI (`npm run bench` builds first):
//  (a) start-up: median wall time of `mailprofile lint examples/*.yaml` against `node -e 0`,
//      measured alternately in the same run; target ratio ≤ 2.5×.
//  (b) a settings file with 5,000 users from a CSV lints in under 1 s.
// Exits 1 when a target is missed, so the figures are also a check.
import {spawnSync} from 'node:child_process'
import {mkdtempSync, readdirSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const bin = join(root, 'bin', 'run.js')
const RUNS = Number(process.env.BENCH_RUNS ?? 15)
const examples = readdirSync(join(root, 'examples'))
  .filter((f) => f.endsWith('.yaml'))
  .map((f) => join('examples', f))

function time(args, expectStatus) {
  const started = process.hrtime.bigint()
  const r = spawnSync(process.execPath, args, {cwd: root, encoding: 'utf8', env: {...process.env, NO_COLOR: '1'}})
  const ms = Number(process.hrtime.bigint() - started) / 1e6
  if (r.status !== expectStatus) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr || r.stdout}`)
  return ms
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  const m = Math.floor(s.length / 2)
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}

// (a) Start-up. One warm-up each (file cache, Node's compile cache), then alternate the two.
time(['-e', '0'], 0)
time([bin, 'lint', ...examples], 0)
const baseline = []
const lint = []
for (let i = 0; i < RUNS; i++) {
  baseline.push(time(['-e', '0'], 0))
  lint.push(time([bin, 'lint', ...examples], 0))
}
const nodeMs = median(baseline)
const lintMs = median(lint)
const ratio = lintMs / nodeMs
console.log(`lint start-up (${examples.length} examples, median of ${RUNS}): ${lintMs.toFixed(1)} ms`)
console.log(`node -e 0 (median of ${RUNS}):                  ${nodeMs.toFixed(1)} ms`)
console.log(`ratio: ${ratio.toFixed(2)}× (target ≤ 2.5×) ${ratio <= 2.5 ? 'ok' : 'MISSED'}`)

// (b) 5,000 users from a CSV.
const dir = mkdtempSync(join(tmpdir(), 'mailprofile-bench-'))
try {
  const domains = ['example.com', 'example.org', 'example.net', 'example.edu', 'example.de']
  const rows = ['address,name,login']
  for (let i = 0; i < 5000; i++) rows.push(`user${i}@${domains[i % domains.length]},User ${i},${i % 3 === 0 ? `u${i}` : ''}`)
  writeFileSync(join(dir, 'users.csv'), rows.join('\n') + '\n')
  const settings = [
    'version: 1',
    'organization: {name: Bench, identifier: com.example.bench}',
    'domains:',
    ...domains.flatMap((d) => [`  - domain: ${d}`, `    incoming: {protocol: imap, host: imap.${d}}`, `    outgoing: {host: smtp.${d}}`]),
    'usersFile: users.csv',
  ]
  writeFileSync(join(dir, 'settings.yaml'), settings.join('\n') + '\n')
  const file = join(dir, 'settings.yaml')
  time([bin, 'lint', file], 0)
  const runs = Array.from({length: 5}, () => time([bin, 'lint', file], 0))
  const ms = median(runs)
  console.log(`5,000 users from CSV (whole CLI run, median of 5): ${ms.toFixed(1)} ms (target < 1000 ms) ${ms < 1000 ? 'ok' : 'MISSED'}`)
  process.exitCode = ratio <= 2.5 && ms < 1000 ? 0 : 1
} finally {
  rmSync(dir, {recursive: true, force: true})
}
