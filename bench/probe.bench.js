#!/usr/bin/env node
// Probe benchmark. First (issue 14) the start-up of `probe` to a closed port against `lint`'s, as
// whole CLI processes (bench/startup-probe.js; target ≤ 1.3×). Then (issue 4) `check` over 500 loopback endpoints with the default concurrency,
// compared with a sequential loop of `openssl s_client` over the same endpoints, and peak memory
// at 100, 250 and 500 endpoints (each count in its own process, so peaks do not carry over).
//
// The fixture mail servers (test/servers, a mix of IMAP/POP3/SMTP with implicit TLS and STARTTLS,
// one listener per endpoint) run in a separate process so the prober is measured alone. The probe
// code and the fixtures are TypeScript: this script bundles the few modules it needs with esbuild
// into node_modules/.cache (nothing of it ships in dist/).
import {Buffer} from 'node:buffer'
import {fork, spawnSync} from 'node:child_process'
import {readFileSync, writeFileSync} from 'node:fs'
import {availableParallelism, loadavg} from 'node:os'
import {performance} from 'node:perf_hooks'
import {clearInterval, setInterval} from 'node:timers'
import {fileURLToPath, pathToFileURL} from 'node:url'

import {bundleSources, MAIL_KINDS, root} from './source-lib.js'

import {COMMAND_TARGET, measureStartup} from './startup-probe.js'

const cacheDir = `${root}node_modules/.cache/mailprofile-bench`
const libFile = `${cacheDir}/probe-lib.js`
const endpointsFile = `${cacheDir}/endpoints.json`
const COUNTS = [100, 250, 500]
const TOTAL = 500
const HOST = 'mail.example.test'
const KINDS = MAIL_KINDS

async function bundleLib() {
  await bundleSources([
    "export {probeAll, DEFAULT_CONCURRENCY} from './src/core/net/index.ts'",
    "export {runCheck} from './src/core/check/run-check.ts'",
    "export {startMailServer} from './test/servers/mail-server.ts'",
    "export {createChain} from './test/helpers/pki.ts'",
  ], libFile)
}

const lib = () => import(pathToFileURL(libFile).href)

/** Child process: starts TOTAL fixture servers and reports their ports; stops on 'stop'. */
async function serve() {
  const {startMailServer, createChain} = await lib()
  const pki = createChain({dnsNames: [HOST], label: 'Bench'})
  const servers = []
  for (let i = 0; i < TOTAL; i++) {
    const kind = KINDS[i % KINDS.length]
    const server = await startMailServer({protocol: kind.protocol, mode: kind.security === 'ssl' ? 'implicit' : 'starttls', tls: {key: pki.leaf.keyPem, cert: pki.serverChainPem}})
    servers.push({server, ...kind})
  }
  writeFileSync(endpointsFile, JSON.stringify({root: pki.root.pem, endpoints: servers.map((s) => ({port: s.server.port, protocol: s.protocol, security: s.security}))}))
  process.send?.('ready')
  process.on('message', async (m) => {
    if (m !== 'stop') return
    await Promise.all(servers.map((s) => s.server.close()))
    process.exit(0)
  })
}

/** Child process: probes and checks the first `n` endpoints once; prints one JSON line. */
async function measure(n) {
  const {runCheck, DEFAULT_CONCURRENCY} = await lib()
  const {root: rootPem, endpoints} = JSON.parse(readFileSync(endpointsFile, 'utf8'))
  const rootDer = Buffer.from(rootPem.replace(/-----[^-]+-----|\s/g, ''), 'base64')
  const list = endpoints.slice(0, n).map((e) => ({target: {host: HOST, port: e.port, protocol: e.protocol, security: e.security, address: '127.0.0.1'}, settingsSources: []}))
  globalThis.gc?.()
  const before = process.memoryUsage()
  let peakHeap = before.heapUsed
  const sampler = setInterval(() => (peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed)), 5)
  const cpu0 = process.cpuUsage()
  const t0 = performance.now()
  const result = await runCheck(list, {now: new Date(), warnDays: 30, timeoutSeconds: 10, extraRoots: [rootDer]})
  const wallMs = performance.now() - t0
  const cpu = process.cpuUsage(cpu0)
  clearInterval(sampler)
  const errors = result.findings.filter((f) => f.severity === 'error')
  const tlsOk = result.endpoints.filter((r) => r.connection.tls && r.certificates.length > 0).length
  globalThis.gc?.()
  const after = process.memoryUsage()
  console.log(
    JSON.stringify({
      n,
      concurrency: DEFAULT_CONCURRENCY,
      wallMs,
      cpuMs: (cpu.user + cpu.system) / 1000,
      tlsOk,
      errors: errors.length,
      errorCodes: [...new Set(errors.map((f) => f.code))],
      rssBeforeMB: before.rss / 2 ** 20,
      maxRssMB: process.resourceUsage().maxRSS / 1024,
      peakHeapMB: peakHeap / 2 ** 20,
      heapAfterGcMB: after.heapUsed / 2 ** 20,
    }),
  )
}

function opensslLoop(endpoints) {
  const t0 = performance.now()
  let ok = 0
  for (const e of endpoints) {
    const args = ['s_client', '-connect', `127.0.0.1:${e.port}`, '-servername', HOST]
    if (e.security === 'starttls') args.push('-starttls', e.protocol)
    const r = spawnSync('openssl', args, {input: '', encoding: 'utf8', timeout: 15_000})
    if (/BEGIN CERTIFICATE|Server certificate/.test(r.stdout ?? '')) ok++
  }
  return {wallMs: performance.now() - t0, ok}
}

async function main() {
  // This Node only (bench/lint.bench.js measures every installed major).
  const [startup] = await measureStartup(root, {nodes: [{path: process.execPath, version: process.version}]})
  if (startup.probeRatio > COMMAND_TARGET) process.exitCode = 1
  console.log('\nbundling the probe code and fixture servers …')
  await bundleLib()
  const server = fork(fileURLToPath(import.meta.url), ['serve'], {stdio: ['ignore', 'inherit', 'inherit', 'ipc']})
  await new Promise((resolve, reject) => {
    server.once('message', resolve)
    server.once('exit', (code) => reject(new Error(`fixture servers exited (${code})`)))
  })
  const {endpoints} = JSON.parse(readFileSync(endpointsFile, 'utf8'))
  console.log(`${endpoints.length} fixture listeners on 127.0.0.1 (IMAP, POP3, SMTP × implicit TLS, STARTTLS), in a separate process; RSA-2048 leaf + intermediate`)
  let failed = false
  try {
    const measureOnce = (n) => {
      const r = spawnSync(process.execPath, ['--expose-gc', fileURLToPath(import.meta.url), 'measure', String(n)], {encoding: 'utf8'})
      if (r.status !== 0) throw new Error(`measure ${n} failed: ${r.stderr}`)
      return JSON.parse(r.stdout.trim().split('\n').pop())
    }
    const runs = COUNTS.map(measureOnce)
    // The headline figure: the full run repeated (each in a fresh process), median and best.
    const repeats = [runs.find((r) => r.n === TOTAL), measureOnce(TOTAL), measureOnce(TOTAL)].map((r) => r.wallMs).sort((a, b) => a - b)
    const fmt = (x, d = 1) => x.toFixed(d)
    console.log('\n  endpoints  wall (s)  CPU (s)  TLS ok  errors  RSS before (MB)  peak RSS (MB)  peak heap (MB)  heap after GC (MB)')
    for (const r of runs) {
      console.log(`  ${String(r.n).padStart(9)}  ${fmt(r.wallMs / 1000, 2).padStart(8)}  ${fmt(r.cpuMs / 1000, 2).padStart(7)}  ${String(r.tlsOk).padStart(6)}  ${String(r.errors).padStart(6)}  ${fmt(r.rssBeforeMB).padStart(15)}  ${fmt(r.maxRssMB).padStart(13)}  ${fmt(r.peakHeapMB).padStart(14)}  ${fmt(r.heapAfterGcMB).padStart(18)}`)
    }
    const full = runs.find((r) => r.n === TOTAL)
    const first = runs[0]
    const [load1] = loadavg()
    console.log(`(load average while measuring: ${fmt(load1, 2)} on ${availableParallelism()} CPUs; CPU is the prober's own user+system time, the fixture servers run in another process)`)
    const median = repeats[1]
    console.log(`\ncheck of ${TOTAL} endpoints (probe + chain evaluation), concurrency ${full.concurrency}: median ${fmt(median / 1000, 2)} s, best ${fmt(repeats[0] / 1000, 2)} s of 3 runs (target ≤ 3 s) ${median <= 3000 ? 'OK' : 'OVER TARGET'}`)
    if (full.errors > 0) console.log(`!!! ${full.errors} error findings: ${full.errorCodes.join(', ')}`)
    if (full.tlsOk !== TOTAL) {
      console.log(`!!! only ${full.tlsOk} of ${TOTAL} endpoints completed a TLS handshake`)
      failed = true
    }
    console.log(`memory from ${first.n} to ${full.n} endpoints: peak RSS ${fmt(first.maxRssMB)} → ${fmt(full.maxRssMB)} MB (${fmt(((full.maxRssMB - first.maxRssMB) / first.maxRssMB) * 100, 0)}%), peak heap ${fmt(first.peakHeapMB)} → ${fmt(full.peakHeapMB)} MB`)

    console.log(`\nsequential openssl s_client over the same ${TOTAL} endpoints …`)
    const o = opensslLoop(endpoints)
    console.log(`openssl s_client loop: ${fmt(o.wallMs / 1000, 2)} s wall (${o.ok} of ${TOTAL} showed a certificate)`)
    console.log(`ratio: mailprofile (median run) is ${fmt(o.wallMs / median)}× faster than the sequential openssl loop`)
  } finally {
    server.send('stop')
  }
  if (failed) process.exitCode = 1
}

const mode = process.argv[2]
if (mode === 'serve') await serve()
else if (mode === 'measure') await measure(Number(process.argv[3]))
else await main()
