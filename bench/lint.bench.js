#!/usr/bin/env node
// Lint performance (issue 3), on the built CLI (`npm run bench` builds first):
//  (a) start-up: median wall time of `lint` of the examples against `node -e 0`, and of `inspect`
//      and `probe` against lint's, under Node 20, 22 and 24 when installed (bench/startup-probe.js
//      says how they are found), interleaved in one run; targets lint ≤ 2×, the others ≤ 1.3× lint.
//  (b) a settings file with 5,000 users from a CSV lints in under 1 s.
// Exits 1 when a target is missed, so the figures are also a check.
import {spawnSync} from 'node:child_process'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

import {measureStartup} from './startup-probe.js'

const root = fileURLToPath(new URL('..', import.meta.url))
const bin = join(root, 'bin', 'run.js')

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

// (a) Start-up of lint, inspect and probe under every installed Node major, interleaved in one run.
const startup = await measureStartup(root)
const startupOk = startup.every((r) => r.ok)

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
  process.exitCode = startupOk && ms < 1000 ? 0 : 1
} finally {
  rmSync(dir, {recursive: true, force: true})
}
