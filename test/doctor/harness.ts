/**
 * The doctor integration fixtures: Debian's dnsmasq on 127.0.0.1 with a random port (its records
 * given as --host-record/--mx-host/--srv-host/--cname options, `--local=/test/` so other names in
 * .test get NXDOMAIN), and one HTTPS and one HTTP server on 127.0.0.1 that choose the certificate
 * by SNI and the answer by Host — what `--connect-to :443:127.0.0.1:PORT` and `:80:…` reach, as the
 * tests cannot bind 443 and 80.
 */
import {spawn, spawnSync, type ChildProcess} from 'node:child_process'
import {promises as dnsPromises} from 'node:dns'
import {createSocket} from 'node:dgram'
import http from 'node:http'
import https from 'node:https'
import type {AddressInfo} from 'node:net'
import tls from 'node:tls'

export function hasDnsmasq(): boolean {
  return spawnSync('dnsmasq', ['--version'], {stdio: 'ignore'}).status === 0
}

async function freeUdpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createSocket('udp4')
    s.once('error', reject)
    s.bind(0, '127.0.0.1', () => {
      const port = (s.address() as AddressInfo).port
      s.close(() => resolve(port))
    })
  })
}

export interface Dnsmasq {
  port: number
  server: string
  stop(): Promise<void>
}

/** Starts dnsmasq with the record options; resolves once it answers. */
export async function startDnsmasq(records: string[], probeName: string): Promise<Dnsmasq> {
  for (let attempt = 0; ; attempt++) {
    const port = await freeUdpPort()
    const args = ['--no-daemon', `--port=${port}`, '--listen-address=127.0.0.1', '--bind-interfaces', '--no-resolv', '--no-hosts', '--conf-file=/dev/null', '--pid-file=', '--user=root', '--local=/test/', ...records]
    const child: ChildProcess = spawn('dnsmasq', args, {stdio: ['ignore', 'ignore', 'pipe']})
    let stderr = ''
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()))
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
    const resolver = new dnsPromises.Resolver({timeout: 200, tries: 1})
    resolver.setServers([`127.0.0.1:${port}`])
    for (let i = 0; i < 50; i++) {
      if (child.exitCode !== null) break
      try {
        await resolver.resolve4(probeName)
        return {
          port,
          server: `127.0.0.1:${port}`,
          stop: async () => {
            child.kill('SIGTERM')
            await exited
          },
        }
      } catch {
        await new Promise((r) => setTimeout(r, 100))
      }
    }
    child.kill('SIGKILL')
    await exited
    if (attempt >= 3) throw new Error(`dnsmasq did not start: ${stderr}`)
  }
}

export type Handler = (req: http.IncomingMessage, res: http.ServerResponse, body: string) => void

export interface WebFixture {
  httpsPort: number
  httpPort: number
  /** Every request as "METHOD scheme://host/path" plus its body, to assert what was (never) sent. */
  log: Array<{line: string; body: string; headers: http.IncomingHttpHeaders}>
  close(): Promise<void>
}

/**
 * certs: SNI name → {key, cert}; `default` for any other name. handlers: "host" (https) or
 * "http:host" → handler; no handler: 404.
 */
export async function startWeb(certs: Record<string, {key: string; cert: string}>, handlers: Record<string, Handler>): Promise<WebFixture> {
  const contexts = new Map(Object.entries(certs).map(([name, c]) => [name, tls.createSecureContext(c)]))
  const log: WebFixture['log'] = []
  const dispatch = (scheme: string) => (req: http.IncomingMessage, res: http.ServerResponse) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const host = (req.headers.host ?? '').replace(/:\d+$/, '').toLowerCase()
      const body = Buffer.concat(chunks).toString('utf8')
      log.push({line: `${req.method} ${scheme}://${host}${req.url}`, body, headers: req.headers})
      const h = handlers[scheme === 'https' ? host : `http:${host}`]
      if (h) h(req, res, body)
      else {
        res.statusCode = 404
        res.end('not found')
      }
    })
  }
  const def = certs.default!
  const secure = https.createServer({key: def.key, cert: def.cert, SNICallback: (name, cb) => cb(null, contexts.get(name.toLowerCase()) ?? contexts.get('default'))}, dispatch('https'))
  const plain = http.createServer(dispatch('http'))
  await Promise.all([new Promise<void>((r) => secure.listen(0, '127.0.0.1', () => r())), new Promise<void>((r) => plain.listen(0, '127.0.0.1', () => r()))])
  return {
    httpsPort: (secure.address() as AddressInfo).port,
    httpPort: (plain.address() as AddressInfo).port,
    log,
    close: async () => {
      secure.closeAllConnections()
      plain.closeAllConnections()
      await Promise.all([new Promise((r) => secure.close(r)), new Promise((r) => plain.close(r))])
    },
  }
}
