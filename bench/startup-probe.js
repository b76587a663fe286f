// Start-up of `probe` against a closed port on 127.0.0.1, as a whole CLI process, against `lint`
// of the examples and `node -e 0`, measured alternately in one run (the machine is shared).
// Target (issue 14): probe within 1.3× of lint's start-up. Used by bench/probe.bench.js.
import {spawnSync} from 'node:child_process'
import {readdirSync} from 'node:fs'
import net from 'node:net'
import {join} from 'node:path'

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  const m = Math.floor(s.length / 2)
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}

function time(root, args, expectStatus) {
  const started = process.hrtime.bigint()
  const r = spawnSync(process.execPath, args, {cwd: root, encoding: 'utf8', env: {...process.env, NO_COLOR: '1'}})
  const ms = Number(process.hrtime.bigint() - started) / 1e6
  if (r.status !== expectStatus) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr || r.stdout}`)
  return ms
}

async function closedPort() {
  const server = net.createServer()
  await new Promise((resolve) => server.listen({host: '127.0.0.1', port: 0}, resolve))
  const {port} = server.address()
  await new Promise((resolve) => server.close(resolve))
  return port
}

/** Prints the medians and ratios; returns {ratio, ok}. */
export async function measureStartup(root, runs = Number(process.env.BENCH_RUNS ?? 15)) {
  const bin = join(root, 'bin', 'run.js')
  const examples = readdirSync(join(root, 'examples')).filter((f) => f.endsWith('.yaml')).map((f) => join('examples', f))
  const port = await closedPort()
  const commands = {
    node: [['-e', '0'], 0],
    lint: [[bin, 'lint', ...examples], 0],
    probe: [[bin, 'probe', `127.0.0.1:${port}`, '--protocol', 'imap'], 1],
  }
  const times = {node: [], lint: [], probe: []}
  for (const [args, status] of Object.values(commands)) time(root, args, status) // warm-up
  for (let i = 0; i < runs; i++) for (const [name, [args, status]] of Object.entries(commands)) times[name].push(time(root, args, status))
  const m = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, median(v)]))
  const ratio = m.probe / m.lint
  console.log(`start-up, median of ${runs} (${process.version}): node -e 0 ${m.node.toFixed(1)} ms, lint ${m.lint.toFixed(1)} ms, probe to a closed port ${m.probe.toFixed(1)} ms`)
  console.log(`probe / lint: ${ratio.toFixed(2)}× (target ≤ 1.3×) ${ratio <= 1.3 ? 'ok' : 'MISSED'}; probe / node -e 0: ${(m.probe / m.node).toFixed(2)}×`)
  return {ratio, ok: ratio <= 1.3}
}
