// deploy/nginx/mailprofile.conf as shipped, run by Debian's nginx on private 127.0.0.1 ports in front
// of two `mailprofile serve` replicas (the built CLI): TLS termination, case-insensitive Autodiscover
// paths, X-Forwarded-Proto/Host through --trust-proxy, and byte-identical answers from both replicas.
import {spawn, spawnSync, type ChildProcess} from 'node:child_process'
import {mkdirSync, mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {request as httpRequest} from 'node:http'
import {request as httpsRequest} from 'node:https'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {BIN, ROOT} from '../helpers/cli.js'
import {freePort} from '../helpers/ports.js'
import {PROVIDER, poxRequest} from './helpers.js'

const NGINX = ['/usr/sbin/nginx', 'nginx'].find((p) => spawnSync(p, ['-v'], {stdio: 'ignore'}).status === 0)
const REQUIRED = process.env.MAILPROFILE_REQUIRE_REAL_SERVERS === '1'
if (!NGINX && !REQUIRED) console.warn('test/serve/nginx.test.ts: nginx is not installed; skipping the nginx integration test (apt-get install nginx, or set MAILPROFILE_REQUIRE_REAL_SERVERS=1 to make this a failure).')

const HOST = 'autodiscover.example.com'
let dir: string
let nginx: ChildProcess | undefined
const replicas: ChildProcess[] = []
const replicaUrls: string[] = []
let httpPort: number
let httpsPort: number
let ca: Buffer

/** Starts a replica on a free port and resolves with its URL once its "serving" log line says it listens. */
function startReplica(): Promise<string> {
  const child = spawn(process.execPath, [BIN, 'serve', PROVIDER, '--listen', '127.0.0.1:0', '--trust-proxy', '127.0.0.1', '--public-url', `https://${HOST}`, '--redirect-http', '--no-watch'], {cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe']})
  replicas.push(child)
  return new Promise((done, fail) => {
    let err = ''
    child.stderr!.on('data', (c: Buffer) => {
      err += c.toString()
      const m = /"msg":"serving"/.test(err) ? /"urls":\["([^"]+)"\]/.exec(err) : null
      if (m) done(m[1]!)
    })
    child.on('exit', (code) => fail(new Error(`replica exited with ${code}: ${err}`)))
  })
}

/** Replaces `from` in the shipped config and fails when it is not there: the test runs the file as shipped. */
function swap(text: string, from: string | RegExp, to: string): string {
  const next = text.replace(from, to)
  if (next === text) throw new Error(`deploy/nginx/mailprofile.conf no longer contains ${String(from)}; update the test with the config`)
  return next
}

interface Answer {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: Buffer
}

function fetchVia(kind: 'https' | 'http', port: number, path: string, options: {method?: string; host?: string; body?: string; type?: string} = {}): Promise<Answer> {
  return new Promise((done, fail) => {
    const headers: Record<string, string> = {host: options.host ?? HOST}
    if (options.body !== undefined) {
      headers['content-type'] = options.type ?? 'text/xml'
      headers['content-length'] = String(Buffer.byteLength(options.body))
    }
    const common = {host: '127.0.0.1', port, path, method: options.method ?? 'GET', headers, agent: false as const}
    const onResponse = (res: import('node:http').IncomingMessage): void => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => done({status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks)}))
    }
    const req = kind === 'https' ? httpsRequest({...common, servername: options.host ?? HOST, ca}, onResponse) : httpRequest(common, onResponse)
    req.on('error', fail)
    req.end(options.body)
  })
}

const direct = (i: number, path: string, options: Parameters<typeof fetchVia>[3] = {}): Promise<Answer> => fetchVia('http', Number(new URL(replicaUrls[i]!).port), path, options)

describe.skipIf(!NGINX && !REQUIRED)('nginx in front of two serve replicas (deploy/nginx)', () => {
  beforeAll(async () => {
    if (!NGINX) throw new Error('nginx is required (MAILPROFILE_REQUIRE_REAL_SERVERS=1): apt-get install nginx')
    dir = mkdtempSync(join(tmpdir(), 'mp-nginx-'))
    mkdirSync(join(dir, 'logs'))
    const key = join(dir, 'privkey.pem')
    const cert = join(dir, 'fullchain.pem')
    const made = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '2', '-subj', `/CN=${HOST}`, '-addext', `subjectAltName=DNS:${HOST},DNS:autoconfig.example.org`], {encoding: 'utf8'})
    if (made.status !== 0) throw new Error(made.stderr)
    ca = readFileSync(cert)
    replicaUrls.push(...(await Promise.all([startReplica(), startReplica()])))
    httpPort = await freePort()
    httpsPort = await freePort()
    let conf = readFileSync(join(ROOT, 'deploy', 'nginx', 'mailprofile.conf'), 'utf8')
    conf = swap(conf, 'server 127.0.0.1:8080 ', `server 127.0.0.1:${new URL(replicaUrls[0]!).port} `)
    conf = swap(conf, 'server 127.0.0.1:8081 ', `server 127.0.0.1:${new URL(replicaUrls[1]!).port} `)
    conf = swap(conf, 'listen 80;', `listen 127.0.0.1:${httpPort};`)
    conf = swap(conf, 'listen 443 ssl;', `listen 127.0.0.1:${httpsPort} ssl;`)
    conf = swap(conf, '/etc/ssl/mailprofile/fullchain.pem', cert)
    conf = swap(conf, '/etc/ssl/mailprofile/privkey.pem', key)
    conf = swap(conf, /include mailprofile-proxy\.conf;/g, `include ${join(ROOT, 'deploy', 'nginx', 'mailprofile-proxy.conf')};`)
    writeFileSync(join(dir, 'mailprofile.conf'), conf)
    const temp = (name: string): string => `${name} ${join(dir, name)};`
    writeFileSync(
      join(dir, 'nginx.conf'),
      `worker_processes 1;\npid ${join(dir, 'nginx.pid')};\nerror_log ${join(dir, 'logs', 'error.log')} warn;\nevents { worker_connections 256; }\nhttp {\n  access_log off;\n  ${temp('client_body_temp_path')}\n  ${temp('proxy_temp_path')}\n  ${temp('fastcgi_temp_path')}\n  ${temp('uwsgi_temp_path')}\n  ${temp('scgi_temp_path')}\n  include ${join(dir, 'mailprofile.conf')};\n}\n`,
    )
    const test = spawnSync(NGINX, ['-t', '-p', dir, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'logs', 'error.log')], {encoding: 'utf8'})
    if (test.status !== 0) throw new Error(`nginx -t: ${test.stderr}`)
    nginx = spawn(NGINX, ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'logs', 'error.log'), '-g', 'daemon off;'], {stdio: 'ignore'})
    for (let i = 0; i < 50; i++) {
      try {
        await fetchVia('https', httpsPort, '/healthz')
        return
      } catch {
        await new Promise((r) => setTimeout(r, 100))
      }
    }
    throw new Error('nginx did not start answering')
  }, 60_000)

  afterAll(async () => {
    nginx?.kill('SIGQUIT')
    await Promise.all(replicas.map((r) => new Promise((done) => (r.exitCode !== null ? done(null) : (r.on('exit', done), r.kill('SIGTERM'))))))
  })

  it('answers the Outlook POST in any path case, the same bytes from both replicas and through nginx', async () => {
    const body = poxRequest('eun-ji.park@mail.example.edu')
    const a = await direct(0, '/autodiscover/autodiscover.xml', {method: 'POST', body})
    const b = await direct(1, '/autodiscover/autodiscover.xml', {method: 'POST', body})
    expect(a.status).toBe(200)
    expect(a.body).toEqual(b.body)
    for (const path of ['/Autodiscover/Autodiscover.xml', '/AUTODISCOVER/AUTODISCOVER.XML', '/autodiscover/autodiscover.xml', '/Autodiscover/Autodiscover.xml']) {
      const viaNginx = await fetchVia('https', httpsPort, path, {method: 'POST', body})
      expect(viaNginx.status, path).toBe(200)
      expect(viaNginx.body, path).toEqual(a.body)
      expect(viaNginx.headers['x-content-type-options']).toBe('nosniff')
    }
  })

  it('serves byte-identical signed profiles from both replicas, whichever nginx picks', async () => {
    const path = '/mobileconfig?emailaddress=chloe.martin%40example.org'
    const a = await direct(0, path)
    const b = await direct(1, path)
    expect(a.status).toBe(200)
    expect(a.body).toEqual(b.body)
    expect(a.headers.etag).toBe(b.headers.etag)
    for (let i = 0; i < 4; i++) {
      const r = await fetchVia('https', httpsPort, path)
      expect(r.headers['content-type']).toBe('application/x-apple-aspen-config')
      expect(r.body).toEqual(a.body)
    }
  })

  it('passes Host through, so autoconfig.<domain> chooses the domain', async () => {
    const r = await fetchVia('https', httpsPort, '/mail/config-v1.1.xml', {host: 'autoconfig.example.org'})
    expect(r.status).toBe(200)
    expect(r.body.toString()).toContain('<domain>example.org</domain>')
  })

  it('X-Forwarded-Proto reaches serve: plain HTTP gets the 302 to the https URL, https gets 405', async () => {
    const plain = await fetchVia('http', httpPort, '/AutoDiscover/AutoDiscover.xml')
    expect(plain.status).toBe(302)
    expect(plain.headers.location).toBe(`https://${HOST}/autodiscover/autodiscover.xml`)
    const tls = await fetchVia('https', httpsPort, '/autodiscover/autodiscover.xml')
    expect(tls.status).toBe(405)
    expect(tls.headers.allow).toBe('POST')
    // Anything else on plain HTTP goes to https, never to a client-chosen host.
    const other = await fetchVia('http', httpPort, '/profiles/x.mobileconfig')
    expect(other.status).toBe(301)
    expect(other.headers.location).toBe(`https://${HOST}/profiles/x.mobileconfig`)
  })

  it('keeps /metrics off the public side and refuses bodies larger than 16 KiB', async () => {
    expect((await fetchVia('https', httpsPort, '/metrics')).status).toBe(403)
    expect((await fetchVia('https', httpsPort, '/autodiscover/autodiscover.xml', {method: 'POST', body: 'a'.repeat(20_000)})).status).toBe(413)
  })
})
