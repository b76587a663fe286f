#!/usr/bin/env node
// doctor benchmark (issue 13), all on loopback: dnsmasq on 127.0.0.1 answering every name under
// bench.test with 127.0.0.1, one HTTPS and one HTTP server here (a certificate made with openssl for
// *.bench.test and its subdomains' autoconfig./autodiscover. names), reached with --connect-to.
// 1. one address, every client (`--no-probe`: discovery only), as a whole CLI process: wall time,
//    median of 5;
// 2. `--domains` with 1,000 domains (concurrency 32): total wall time, peak RSS (VmHWM) and CPU time
//    (utime + stime) of the process, both from /proc, polled.
// Skips with a message when dnsmasq or openssl is missing.
import {spawn, spawnSync} from 'node:child_process'
import {createSocket} from 'node:dgram'
import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import http from 'node:http'
import https from 'node:https'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {performance} from 'node:perf_hooks'
import {clearInterval, setInterval, setTimeout} from 'node:timers'
import {fileURLToPath} from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const bin = `${root}bin/run.js`
const DOMAINS = 1000

if (spawnSync('dnsmasq', ['--version']).status !== 0 || spawnSync('openssl', ['version']).status !== 0) {
  console.log('doctor bench skipped: dnsmasq and openssl are needed')
  process.exit(0)
}

const dir = mkdtempSync(join(tmpdir(), 'doctor-bench-'))
const names = ['DNS:*.bench.test', 'DNS:bench.test']
for (let i = 0; i < DOMAINS; i++) names.push(`DNS:*.d${i}.bench.test`, `DNS:d${i}.bench.test`)
writeFileSync(join(dir, 'ext.cnf'), `[req]\ndistinguished_name=dn\n[dn]\n[ext]\nsubjectAltName=${names.join(',')}\nbasicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,digitalSignature\nextendedKeyUsage=serverAuth\n`)
const gen = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '30', '-subj', '/CN=doctor bench', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-config', join(dir, 'ext.cnf'), '-extensions', 'ext'], {encoding: 'utf8'})
if (gen.status !== 0) throw new Error(gen.stderr)
const key = readFileSync(join(dir, 'key.pem'))
const cert = readFileSync(join(dir, 'cert.pem'))

const AUTOCONFIG = '<?xml version="1.0"?><clientConfig version="1.1"><emailProvider id="b"><incomingServer type="imap"><hostname>imap.bench.test</hostname><port>993</port><socketType>SSL</socketType><username>%EMAILADDRESS%</username><authentication>password-cleartext</authentication></incomingServer><outgoingServer type="smtp"><hostname>smtp.bench.test</hostname><port>465</port><socketType>SSL</socketType><username>%EMAILADDRESS%</username><authentication>password-cleartext</authentication></outgoingServer></emailProvider></clientConfig>'
const POX = '<?xml version="1.0"?><Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006"><Response xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a"><Account><AccountType>email</AccountType><Action>settings</Action><Protocol><Type>IMAP</Type><Server>imap.bench.test</Server><Port>993</Port><SPA>off</SPA><Encryption>SSL</Encryption></Protocol></Account></Response></Autodiscover>'
const handler = (req, res) => {
  req.resume()
  req.on('end', () => {
    const host = (req.headers.host ?? '').split(':')[0]
    if (host.startsWith('autoconfig.') && req.url.startsWith('/mail/')) return res.end(AUTOCONFIG)
    if (host.startsWith('autodiscover.') && req.method === 'POST') return res.end(POX)
    res.statusCode = 404
    res.end()
  })
}
const secure = https.createServer({key, cert}, handler)
const plain = http.createServer(handler)
await new Promise((r) => secure.listen(0, '127.0.0.1', r))
await new Promise((r) => plain.listen(0, '127.0.0.1', r))

const port = await new Promise((resolve) => {
  const s = createSocket('udp4')
  s.bind(0, '127.0.0.1', () => {
    const p = s.address().port
    s.close(() => resolve(p))
  })
})
const dns = spawn('dnsmasq', ['--no-daemon', `--port=${port}`, '--listen-address=127.0.0.1', '--bind-interfaces', '--no-resolv', '--no-hosts', '--conf-file=/dev/null', '--pid-file=', '--user=root', '--address=/bench.test/127.0.0.1', '--cache-size=10000'], {stdio: 'ignore'})
await new Promise((r) => setTimeout(r, 500))

const common = ['--dns', `127.0.0.1:${port}`, '--connect-to', `:443:127.0.0.1:${secure.address().port}`, '--connect-to', `:80:127.0.0.1:${plain.address().port}`, '--no-ispdb', '--ca', join(dir, 'cert.pem'), '--json']

function run(args) {
  return new Promise((resolve) => {
    const started = performance.now()
    const child = spawn(process.execPath, [bin, 'doctor', ...args, ...common], {stdio: ['ignore', 'pipe', 'inherit']})
    let out = ''
    let peak = 0
    let cpuTicks = 0
    child.stdout.on('data', (d) => (out += d))
    const poll = setInterval(() => {
      try {
        const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))
        if (m) peak = Math.max(peak, Number(m[1]))
        // utime + stime (fields 14 and 15 of /proc/PID/stat, in clock ticks): the process's own CPU,
        // which a loaded machine does not inflate the way it does wall time. USER_HZ is 100 on Linux.
        const text = readFileSync(`/proc/${child.pid}/stat`, 'utf8')
        const stat = text.slice(text.lastIndexOf(')') + 2).split(' ')
        cpuTicks = Math.max(cpuTicks, Number(stat[11]) + Number(stat[12]))
      } catch {
        // the process has exited between two polls
      }
    }, 50)
    child.on('exit', (code) => {
      clearInterval(poll)
      resolve({code, ms: performance.now() - started, peakKb: peak, cpuMs: cpuTicks * 10, out})
    })
  })
}

try {
  const times = []
  let last
  for (let i = 0; i < 5; i++) {
    last = await run(['alice@d1.bench.test', '--no-probe'])
    times.push(last.ms)
  }
  const doc = JSON.parse(last.out)
  const stops = doc.clients.map((c) => `${c.client}: ${c.stoppedAt === undefined ? 'nothing' : c.steps[c.stoppedAt].name}`).join('; ')
  times.sort((a, b) => a - b)
  console.log(`one address, all clients (CLI process, discovery only): median ${times[2].toFixed(0)} ms (min ${times[0].toFixed(0)}, max ${times[4].toFixed(0)}) — ${stops}`)
  const list = join(dir, 'domains.txt')
  writeFileSync(list, Array.from({length: DOMAINS}, (_, i) => `user${i}@d${i}.bench.test`).join('\n') + '\n')
  const many = await run(['--domains', list, '--concurrency', '32'])
  const mdoc = JSON.parse(many.out)
  console.log(`--domains ${DOMAINS} (concurrency 32): ${(many.ms / 1000).toFixed(1)} s total, ${(many.ms / DOMAINS).toFixed(1)} ms per domain, peak RSS ${(many.peakKb / 1024).toFixed(0)} MiB, CPU ${(many.cpuMs / 1000).toFixed(1)} s (${(many.cpuMs / DOMAINS).toFixed(1)} ms per domain, polled every 50 ms); ${mdoc.summary.ok} ok, ${mdoc.summary.warning} warning, ${mdoc.summary.error} error`)
} finally {
  dns.kill('SIGTERM')
  secure.close()
  plain.close()
}
