// Start-up of the whole CLI as a user runs it (bin/run.js), on every installed Node major in one run:
// `node -e 0`, `lint` of the examples, `inspect` of a signed golden profile and `probe` to a closed
// port on 127.0.0.1. The repetitions are interleaved (one of each command under each Node, then
// again), so a load change on the shared machine hits every figure alike; the medians are printed.
// Targets: lint about 2× `node -e 0` (issue 9), inspect and probe within 1.3× of lint (issue 14).
// Every process runs without NODE_EXTRA_CA_CERTS: with it, each Node start reads and parses the
// certificates it names, and a machine that names its whole system store there (some CI images
// do) adds 30 ms to Node 20's `node -e 0` and up to 50 ms to a command that loads TLS, which says
// nothing about mailprofile. The line before the table says when it was set.
//
// Which Nodes: the one running the bench, plus MAILPROFILE_BENCH_NODES (comma-separated paths of
// node binaries), or else the ones .ci/run installs (${XDG_CACHE_HOME:-~/.cache}/mailprofile-ci/
// node22 and node24). Used by bench/lint.bench.js and bench/probe.bench.js.
import {spawnSync} from 'node:child_process'
import {existsSync, readdirSync} from 'node:fs'
import net from 'node:net'
import {homedir, loadavg, availableParallelism} from 'node:os'
import {join} from 'node:path'

export const LINT_TARGET = 2
export const COMMAND_TARGET = 1.3

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  const m = Math.floor(s.length / 2)
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}

const {NODE_EXTRA_CA_CERTS: extraCaCerts, ...cleanEnv} = process.env

function time(root, node, args, expectStatus) {
  const started = process.hrtime.bigint()
  const r = spawnSync(node, args, {cwd: root, encoding: 'utf8', env: {...cleanEnv, NO_COLOR: '1'}})
  const ms = Number(process.hrtime.bigint() - started) / 1e6
  if (r.status !== expectStatus) throw new Error(`${node} ${args.join(' ')} exited ${r.status}: ${r.stderr || r.stdout}`)
  return ms
}

async function closedPort() {
  const server = net.createServer()
  await new Promise((resolve) => server.listen({host: '127.0.0.1', port: 0}, resolve))
  const {port} = server.address()
  await new Promise((resolve) => server.close(resolve))
  return port
}

/** The node binaries to measure: this one first, then the others named or installed, one per version. */
export function benchNodes() {
  const named = process.env.MAILPROFILE_BENCH_NODES
  const others = named
    ? named.split(',').map((p) => p.trim()).filter(Boolean)
    : [22, 24].map((major) => join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'mailprofile-ci', `node${major}`, 'node_modules', '.bin', 'node'))
  const nodes = [{path: process.execPath, version: process.version}]
  for (const path of others) {
    if (!existsSync(path)) {
      if (named) throw new Error(`MAILPROFILE_BENCH_NODES: ${path} does not exist`)
      continue
    }
    const version = spawnSync(path, ['--version'], {encoding: 'utf8'}).stdout.trim()
    if (!nodes.some((n) => n.version === version)) nodes.push({path, version})
  }
  return nodes
}

/**
 * Measures every command under every Node, interleaved; prints one line per Node and returns
 * [{version, node, lint, inspect, probe (ms), lintRatio, inspectRatio, probeRatio, ok}].
 */
export async function measureStartup(root, {runs = Number(process.env.BENCH_RUNS ?? 15), nodes = benchNodes()} = {}) {
  const bin = join(root, 'bin', 'run.js')
  const examples = readdirSync(join(root, 'examples')).filter((f) => f.endsWith('.yaml')).map((f) => join('examples', f))
  const port = await closedPort()
  const commands = {
    node: [['-e', '0'], 0],
    lint: [[bin, 'lint', ...examples], 0],
    inspect: [[bin, 'inspect', '--trust', 'examples/ca/example-root-ca.pem', 'profiles/provider/example.org/example.org.mobileconfig'], 0],
    probe: [[bin, 'probe', `127.0.0.1:${port}`, '--protocol', 'imap'], 1],
  }
  const times = nodes.map(() => Object.fromEntries(Object.keys(commands).map((k) => [k, []])))
  // Two warm-ups each: the first run under a Node the build did not use makes that V8's code cache.
  for (const node of nodes) for (const [args, status] of Object.values(commands)) for (let i = 0; i < 2; i++) time(root, node.path, args, status)
  const load = [loadavg()[0]]
  for (let i = 0; i < runs; i++) {
    nodes.forEach((node, n) => {
      for (const [name, [args, status]] of Object.entries(commands)) times[n][name].push(time(root, node.path, args, status))
    })
    if (i === Math.floor(runs / 2)) load.push(loadavg()[0])
  }
  load.push(loadavg()[0])
  const results = nodes.map((node, n) => {
    const m = Object.fromEntries(Object.entries(times[n]).map(([k, v]) => [k, median(v)]))
    const lintRatio = m.lint / m.node
    const inspectRatio = m.inspect / m.lint
    const probeRatio = m.probe / m.lint
    const ok = lintRatio <= LINT_TARGET && inspectRatio <= COMMAND_TARGET && probeRatio <= COMMAND_TARGET
    return {version: node.version, ...m, lintRatio, inspectRatio, probeRatio, ok}
  })
  const mark = (ratio, target) => `${ratio.toFixed(2)}×${ratio <= target ? '' : ' MISSED'}`
  console.log(`start-up, median of ${runs} interleaved runs (load average ${load.map((l) => l.toFixed(2)).join(' → ')} on ${availableParallelism()} CPUs)`)
  if (extraCaCerts !== undefined) console.log('(NODE_EXTRA_CA_CERTS is set here; the commands ran without it)')
  console.log(`targets: lint ≤ ${LINT_TARGET}× node -e 0; inspect (signed profile) and probe (closed port) ≤ ${COMMAND_TARGET}× lint`)
  console.log('  node       node -e 0    lint (× node -e 0)    inspect (× lint)    probe (× lint)')
  for (const r of results) {
    console.log(
      `  ${r.version.padEnd(9)} ${r.node.toFixed(1).padStart(6)} ms  ${r.lint.toFixed(1).padStart(6)} ms ${mark(r.lintRatio, LINT_TARGET).padEnd(12)}  ${r.inspect.toFixed(1).padStart(6)} ms ${mark(r.inspectRatio, COMMAND_TARGET).padEnd(10)}  ${r.probe.toFixed(1).padStart(6)} ms ${mark(r.probeRatio, COMMAND_TARGET)}`,
    )
  }
  if (nodes.length === 1) console.log('  (only this Node: set MAILPROFILE_BENCH_NODES=/path/to/node22,/path/to/node24 to measure the other majors)')
  return results
}
