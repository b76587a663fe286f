#!/usr/bin/env node
// inspect start-up (issue 14 item 6), on the built CLI (`npm run bench` builds first): median wall
// time of `mailprofile inspect` on a signed and on an unsigned golden profile, against
// `mailprofile lint examples/*.yaml` and `node -e 0`, measured alternately in the same run.
// Targets: inspect within 1.3× of lint's start-up (the Apple payload validators are compiled at
// build time, scripts/build-validator.js). Exits 1 when a target is missed.
import {spawnSync} from 'node:child_process'
import {readdirSync} from 'node:fs'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const bin = join(root, 'bin', 'run.js')
const RUNS = Number(process.env.BENCH_RUNS ?? 15)
const examples = readdirSync(join(root, 'examples'))
  .filter((f) => f.endsWith('.yaml'))
  .map((f) => join('examples', f))
// The provider example is signed (CMS, chain to the example root); single-domain is not.
const signed = 'profiles/provider/example.org/example.org.mobileconfig'
const unsigned = 'profiles/single-domain/example.com/example.com.mobileconfig'

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

const commands = {
  'node -e 0': [['-e', '0'], 0],
  lint: [[bin, 'lint', ...examples], 0],
  'inspect (signed)': [[bin, 'inspect', '--trust', 'examples/ca/example-root-ca.pem', signed], 0],
  'inspect (unsigned)': [[bin, 'inspect', unsigned], 0],
}
const times = Object.fromEntries(Object.keys(commands).map((k) => [k, []]))
for (const [args, status] of Object.values(commands)) time(args, status)
for (let i = 0; i < RUNS; i++) for (const [name, [args, status]] of Object.entries(commands)) times[name].push(time(args, status))

const ms = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, median(v)]))
let ok = true
console.log(`start-up, median of ${RUNS} (Node ${process.versions.node}):`)
for (const [name, value] of Object.entries(ms)) {
  const line = `  ${name.padEnd(20)} ${value.toFixed(1).padStart(7)} ms  ${(value / ms['node -e 0']).toFixed(2)}× node -e 0`
  if (!name.startsWith('inspect')) {
    console.log(line)
    continue
  }
  const ratio = value / ms.lint
  ok &&= ratio <= 1.3
  console.log(`${line}  ${ratio.toFixed(2)}× lint (target ≤ 1.3×) ${ratio <= 1.3 ? 'ok' : 'MISSED'}`)
}
process.exitCode = ok ? 0 : 1
