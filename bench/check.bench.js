#!/usr/bin/env node
// check per endpoint (issue 14 item 7): client CPU per endpoint and wall time of runCheck at 100,
// 500 and 5,000 distinct endpoints on loopback, default concurrency. Target: ≤ 1.5 ms CPU per
// endpoint. Endpoints are distinct host names (m0.example.test …, a provider's customer names)
// on 60 fixture listeners (IMAP, POP3, SMTP × implicit TLS and STARTTLS, 10 each) that serve one
// wildcard certificate (RSA-2048 leaf + intermediate), every host sent to 127.0.0.1 as --resolve
// does. The servers run in another process, so the prober's CPU is measured alone; each count runs
// in a fresh process. Bounded: every phase 10 s, each run at most 120 s (--deadline).
// For scale, the same run measures the floor no prober can go below: node's own TLS client
// (tls.connect with one shared context, read the peer chain, close) against the implicit-TLS
// listeners, CPU per connection, in a fresh process too; the per-endpoint figure is printed as a
// multiple of it. On a shared machine both grow with the load, the ratio much less.
import {Buffer} from 'node:buffer'
import {fork, spawnSync} from 'node:child_process'
import {readFileSync, writeFileSync} from 'node:fs'
import {availableParallelism, loadavg} from 'node:os'
import {performance} from 'node:perf_hooks'
import {fileURLToPath, pathToFileURL} from 'node:url'

import {bundleSources, MAIL_KINDS, root} from './source-lib.js'

// Under the work tree (git-ignored), not node_modules: the bundle finds the package folder from its own real path, and node_modules may be a link elsewhere.
const cacheDir = `${root}.bench-tmp/check-bench`
const libFile = `${cacheDir}/check-lib.js`
const listenersFile = `${cacheDir}/check-listeners.json`
const COUNTS = (process.env.BENCH_CHECK_COUNTS ?? '100,500,5000').split(',').map(Number)
const PER_KIND = 10
const KINDS = MAIL_KINDS
const TARGET_MS = 1.5

async function bundleLib() {
  await bundleSources([
    "export {runCheck} from './src/core/check/run-check.ts'",
    "export {startMailServer} from './test/servers/mail-server.ts'",
    "export {createChain} from './test/helpers/pki.ts'",
  ], libFile)
}

const lib = () => import(pathToFileURL(libFile).href)

async function serve() {
  const {startMailServer, createChain} = await lib()
  const pki = createChain({dnsNames: ['*.example.test'], label: 'Check bench'})
  const servers = []
  for (const kind of KINDS) {
    for (let i = 0; i < PER_KIND; i++) {
      const server = await startMailServer({protocol: kind.protocol, mode: kind.security === 'ssl' ? 'implicit' : 'starttls', tls: {key: pki.leaf.keyPem, cert: pki.serverChainPem}})
      servers.push({server, ...kind})
    }
  }
  writeFileSync(listenersFile, JSON.stringify({root: pki.root.pem, listeners: servers.map((s) => ({port: s.server.port, protocol: s.protocol, security: s.security}))}))
  process.send?.('ready')
  process.on('message', async (m) => {
    if (m !== 'stop') return
    await Promise.all(servers.map((s) => s.server.close()))
    process.exit(0)
  })
}

async function measure(n) {
  const {runCheck} = await lib()
  const {root: rootPem, listeners} = JSON.parse(readFileSync(listenersFile, 'utf8'))
  const rootDer = Buffer.from(rootPem.replace(/-----[^-]+-----|\s/g, ''), 'base64')
  const endpoints = Array.from({length: n}, (_, i) => {
    const l = listeners[i % listeners.length]
    return {target: {host: `m${i}.example.test`, port: l.port, protocol: l.protocol, security: l.security, address: '127.0.0.1'}, settingsSources: []}
  })
  const cpu0 = process.cpuUsage()
  const t0 = performance.now()
  const result = await runCheck(endpoints, {now: new Date(), warnDays: 30, timeoutSeconds: 10, deadlineSeconds: 120, extraRoots: [rootDer]})
  const wallMs = performance.now() - t0
  const cpu = process.cpuUsage(cpu0)
  const errors = result.findings.filter((f) => f.severity === 'error')
  console.log(
    JSON.stringify({
      n,
      wallMs,
      cpuMs: (cpu.user + cpu.system) / 1000,
      tlsOk: result.endpoints.filter((r) => r.connection.tls && r.certificates.length > 0).length,
      errors: errors.length,
      errorCodes: [...new Set(errors.map((f) => f.code))],
    }),
  )
}

/** CPU per raw TLS connection: tls.connect (one shared context), the peer chain as DER, destroy; 8 at a time. */
async function floor(n) {
  const tls = await import('node:tls')
  const {listeners} = JSON.parse(readFileSync(listenersFile, 'utf8'))
  const ports = listeners.filter((l) => l.security === 'ssl').map((l) => l.port)
  const secureContext = tls.createSecureContext({minVersion: 'TLSv1', ciphers: 'DEFAULT@SECLEVEL=0'})
  const once = (i) =>
    new Promise((resolve) => {
      const socket = tls.connect({host: '127.0.0.1', port: ports[i % ports.length], servername: `m${i}.example.test`, rejectUnauthorized: false, secureContext}, () => {
        for (let c = socket.getPeerX509Certificate(), seen = 0; c && seen < 8; c = c.issuerCertificate, seen++) void c.raw
        socket.destroy()
        resolve()
      })
      socket.setTimeout(10_000, () => socket.destroy())
      socket.on('error', resolve)
      socket.on('close', resolve)
    })
  for (let i = 0; i < 20; i++) await once(i)
  const cpu0 = process.cpuUsage()
  await Promise.all(Array.from({length: 8}, async (_, w) => {
    for (let i = w; i < n; i += 8) await once(i)
  }))
  const cpu = process.cpuUsage(cpu0)
  console.log(JSON.stringify({n, cpuMs: (cpu.user + cpu.system) / 1000}))
}

async function main() {
  await bundleLib()
  const server = fork(fileURLToPath(import.meta.url), ['serve'], {stdio: ['ignore', 'inherit', 'inherit', 'ipc']})
  await new Promise((resolve, reject) => {
    server.once('message', resolve)
    server.once('exit', (code) => reject(new Error(`fixture servers exited (${code})`)))
  })
  let failed = false
  try {
    console.log(`${KINDS.length * PER_KIND} fixture listeners on 127.0.0.1 in another process; distinct host names, one wildcard chain`)
    const f = spawnSync(process.execPath, [fileURLToPath(import.meta.url), 'floor', '500'], {encoding: 'utf8', timeout: 300_000})
    if (f.status !== 0) throw new Error(`floor failed: ${f.stderr}`)
    const floorMs = JSON.parse(f.stdout.trim().split('\n').pop()).cpuMs / 500
    console.log(`node's own TLS client (tls.connect + peer chain + close, 500 connections): ${floorMs.toFixed(2)} ms CPU per connection`)
    console.log('  endpoints  wall (s)  CPU (s)  CPU per endpoint (ms)  × TLS floor  TLS ok  errors')
    for (const n of COUNTS) {
      const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), 'measure', String(n)], {encoding: 'utf8', timeout: 300_000})
      if (r.status !== 0) throw new Error(`measure ${n} failed: ${r.stderr}`)
      const m = JSON.parse(r.stdout.trim().split('\n').pop())
      const perEndpoint = m.cpuMs / m.n
      console.log(`  ${String(m.n).padStart(9)}  ${(m.wallMs / 1000).toFixed(2).padStart(8)}  ${(m.cpuMs / 1000).toFixed(2).padStart(7)}  ${perEndpoint.toFixed(2).padStart(21)}  ${(perEndpoint / floorMs).toFixed(2).padStart(11)}  ${String(m.tlsOk).padStart(6)}  ${String(m.errors).padStart(6)}${m.errors ? ` (${m.errorCodes.join(', ')})` : ''}`)
      if (m.tlsOk !== m.n) failed = true
      if (m.n === Math.max(...COUNTS)) console.log(`CPU per endpoint at ${m.n}: ${perEndpoint.toFixed(2)} ms (target ≤ ${TARGET_MS} ms) ${perEndpoint <= TARGET_MS ? 'ok' : 'MISSED'}`)
    }
    console.log(`(load average ${loadavg()[0].toFixed(2)} on ${availableParallelism()} CPUs)`)
  } finally {
    server.send('stop')
  }
  if (failed) process.exitCode = 1
}

const mode = process.argv[2]
if (mode === 'serve') await serve()
else if (mode === 'measure') await measure(Number(process.argv[3]))
else if (mode === 'floor') await floor(Number(process.argv[3]))
else await main()
