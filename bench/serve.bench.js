#!/usr/bin/env node
// `mailprofile serve` under load (issue 12), on the built CLI (`npm run bench` builds first): the
// provider example with 1,000 distinct users, 64 connections (autocannon), SERVE_BENCH_SECONDS
// per scenario (default 10; the issue's figure is 20 — the machine is shared, so the default is short), each after
// SERVE_BENCH_WARMUP_SECONDS (default 1) of the same requests, unmeasured:
//   1. Autodiscover POST (a different user on every request),
//   2. autoconfig GET with ?emailaddress=,
//   3. profile GET, cache cold: the server runs with --cache-mb 0, so every request builds and signs (RSA-2048),
//   4. profile GET, cache warm: every user downloaded once before the run.
// Prints requests/s, p50/p99 latency, the server's peak RSS (VmHWM) and its RSS at the start and the end
// of each run (flat = bounded), and, in the same run, the machine's native RSA-2048 signing rate
// (node:crypto, one thread and one worker per core) to compare the cold profile rate with.
// Targets (printed, exit 1 when missed): Autodiscover and autoconfig ≥ 5,000 req/s with p99 < 50 ms;
// cold profiles ≥ 70 % of the native signing rate of the cores the server uses (one event loop: one core).
import {spawn} from 'node:child_process'
import {createPrivateKey, sign} from 'node:crypto'
import * as fsSync from 'node:fs'
import {cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {availableParallelism, loadavg, tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {Worker} from 'node:worker_threads'
import {Buffer} from 'node:buffer'
import {performance} from 'node:perf_hooks'
import {clearInterval, setInterval} from 'node:timers'

import autocannon from 'autocannon'

const root = fileURLToPath(new URL('..', import.meta.url))
const SECONDS = Number(process.env.SERVE_BENCH_SECONDS ?? 10)
const CONNECTIONS = Number(process.env.SERVE_BENCH_CONNECTIONS ?? 64)
const WARMUP = Number(process.env.SERVE_BENCH_WARMUP_SECONDS ?? 1)
const USERS = 1000
const REQUEST_NS = 'http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006'
const SCHEMA = 'http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a'

const dir = mkdtempSync(join(tmpdir(), 'mp-serve-bench-'))
cpSync(join(root, 'examples'), dir, {recursive: true})
const users = Array.from({length: USERS}, (_, i) => `user${String(i).padStart(4, '0')}@example.net`)
writeFileSync(join(dir, 'users.csv'), `address,name,login\n${users.map((u, i) => `${u},User ${i},`).join('\n')}\n`)
const settings = join(dir, 'provider.yaml')

let failed = false
let counter = 0
try {
  const native = await nativeSigningRate()
  console.log(`native RSA-2048 signing (node:crypto, SHA-256): ${native.one.toFixed(0)}/s on one thread, ${native.all.toFixed(0)}/s on ${native.cores} cores`)
  console.log(`serve: ${USERS} users, ${CONNECTIONS} connections, ${SECONDS} s per scenario after ${WARMUP} s of warm-up; load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`)
  const results = []
  {
    const server = await startServer([])
    results.push(await scenario(server, 'Autodiscover POST', () => ({method: 'POST', path: '/autodiscover/autodiscover.xml', headers: {'content-type': 'text/xml'}, body: pox(next())})))
    results.push(await scenario(server, 'autoconfig GET', () => ({method: 'GET', path: `/mail/config-v1.1.xml?emailaddress=${encodeURIComponent(next())}`})))
    // Warm: every profile built once, then the run.
    for (const u of users) await (await globalThis.fetch(`${server.url}/mobileconfig?emailaddress=${encodeURIComponent(u)}`)).arrayBuffer()
    results.push(await scenario(server, 'profile GET (warm cache)', () => ({method: 'GET', path: `/mobileconfig?emailaddress=${encodeURIComponent(next())}`})))
    await server.stop()
  }
  {
    const server = await startServer(['--cache-mb', '0'])
    results.push(await scenario(server, 'profile GET (cold: every request signs)', () => ({method: 'GET', path: `/mobileconfig?emailaddress=${encodeURIComponent(next())}`})))
    await server.stop()
  }
  console.log('')
  for (const r of results) console.log(`${r.name.padEnd(40)} ${r.rps.toFixed(0).padStart(6)} req/s  p50 ${String(r.p50).padStart(3)} ms  p99 ${String(r.p99).padStart(4)} ms  errors ${r.errors}  non-2xx ${r.non2xx}  RSS ${r.rssStart}→${r.rssEnd} MB (peak ${r.peak} MB)`)
  const [ad, ac, , cold] = results
  const target = (ok, text) => {
    console.log(`${ok ? 'ok  ' : 'MISS'} ${text}`)
    if (!ok) failed = true
  }
  console.log('')
  target(ad.rps >= 5000 && ad.p99 < 50, `Autodiscover ≥ 5,000 req/s, p99 < 50 ms (${ad.rps.toFixed(0)} req/s, p99 ${ad.p99} ms)`)
  target(ac.rps >= 5000 && ac.p99 < 50, `autoconfig ≥ 5,000 req/s, p99 < 50 ms (${ac.rps.toFixed(0)} req/s, p99 ${ac.p99} ms)`)
  target(cold.rps >= 0.7 * native.one, `cold profiles ≥ 70 % of one core's native signing rate (${((100 * cold.rps) / native.one).toFixed(0)} %; of all ${native.cores} cores: ${((100 * cold.rps) / native.all).toFixed(0)} %)`)
  for (const r of results) if (r.errors > 0 || r.non2xx > 0) target(false, `${r.name}: every answer 2xx (${r.errors} errors, ${r.non2xx} non-2xx)`)
} finally {
  rmSync(dir, {recursive: true, force: true})
}
process.exitCode = failed ? 1 : 0

function pox(address) {
  return `<?xml version="1.0" encoding="utf-8"?><Autodiscover xmlns="${REQUEST_NS}"><Request><EMailAddress>${address}</EMailAddress><AcceptableResponseSchema>${SCHEMA}</AcceptableResponseSchema></Request></Autodiscover>`
}

function next() {
  return users[counter++ % USERS]
}

async function scenario(server, name, request) {
  // Unmeasured warm-up with the same requests (SERVE_BENCH_WARMUP_SECONDS, default 1): the first scenario after a
  // start otherwise measures the JIT and the first allocations, not the server's steady state.
  if (WARMUP > 0) await autocannon({url: server.url, connections: CONNECTIONS, duration: WARMUP, pipelining: 1, requests: [{setupRequest: (req) => ({...req, ...request()})}]})
  const rssStart = rssMb(server.pid, 'VmRSS')
  const result = await autocannon({
    url: server.url,
    connections: CONNECTIONS,
    duration: SECONDS,
    pipelining: 1,
    requests: [{setupRequest: (req) => ({...req, ...request()})}],
  })
  return {name, rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, errors: result.errors + result.timeouts, non2xx: result.non2xx, rssStart, rssEnd: rssMb(server.pid, 'VmRSS'), peak: rssMb(server.pid, 'VmHWM')}
}

function rssMb(pid, field) {
  const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  return m ? Math.round(Number(m[1]) / 1024) : NaN
}

function startServer(extra) {
  const child = spawn(process.execPath, [join(root, 'bin', 'run.js'), 'serve', settings, '--listen', '127.0.0.1:0', '--log-level', 'silent', '--no-watch', ...extra], {stdio: ['ignore', 'ignore', 'pipe']})
  return new Promise((done, fail) => {
    let err = ''
    const poll = setInterval(() => {
      // --log-level silent hides the "serving" line: find the port from /proc instead.
      const port = listeningPort(child.pid)
      if (!port) return
      clearInterval(poll)
      done({pid: child.pid, url: `http://127.0.0.1:${port}`, stop: () => new Promise((r) => (child.on('exit', r), child.kill('SIGTERM')))})
    }, 100)
    child.stderr.on('data', (c) => (err += c))
    child.on('exit', (code) => {
      clearInterval(poll)
      fail(new Error(`serve exited with ${code}: ${err}`))
    })
  })
}

/** The TCP port a process listens on, from /proc/net/tcp and its socket inodes. */
function listeningPort(pid) {
  let inodes
  try {
    inodes = new Set(fsSync.readdirSync(`/proc/${pid}/fd`).map((fd) => socketInode(`/proc/${pid}/fd/${fd}`)).filter(Boolean))
  } catch {
    return undefined
  }
  for (const line of readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1)) {
    const f = line.trim().split(/\s+/)
    if (f[3] === '0A' && inodes.has(f[9])) return parseInt(f[1].split(':')[1], 16)
  }
  return undefined
}

function socketInode(link) {
  try {
    return /socket:\[(\d+)\]/.exec(fsSync.readlinkSync(link))?.[1]
  } catch {
    return undefined
  }
}

async function nativeSigningRate() {
  const keyPem = readFileSync(join(root, 'examples', 'signing', 'signing-key.pem'), 'utf8')
  const key = createPrivateKey(keyPem)
  const data = Buffer.alloc(8192, 1)
  const ms = 2000
  let n = 0
  const t0 = performance.now()
  while (performance.now() - t0 < ms) {
    sign('sha256', data, key)
    n++
  }
  const one = (n * 1000) / (performance.now() - t0)
  const cores = availableParallelism()
  const code = `const {parentPort, workerData} = require('node:worker_threads'); const {createPrivateKey, sign} = require('node:crypto'); const key = createPrivateKey(workerData.keyPem); const data = Buffer.alloc(8192, 1); let n = 0; const t0 = performance.now(); while (performance.now() - t0 < workerData.ms) { sign('sha256', data, key); n++ } parentPort.postMessage((n * 1000) / (performance.now() - t0))`
  const rates = await Promise.all(Array.from({length: cores}, () => new Promise((done, fail) => {
    const w = new Worker(code, {eval: true, workerData: {keyPem, ms}})
    w.once('message', done).once('error', fail)
  })))
  return {one, all: rates.reduce((a, b) => a + b, 0), cores}
}
