// The web server snippets `build` writes (<domain>/webserver/nginx.conf and apache.conf), run as
// written by Debian's nginx and Apache on private 127.0.0.1 ports over a real build's output: an
// Outlook-style POST in any path case, a Thunderbird GET (both paths), the Autodiscover JSON and
// the profiles, each with its content type and nosniff, and the bytes of the files build wrote.
import {spawn, spawnSync, type ChildProcess} from 'node:child_process'
import {chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {request as httpRequest} from 'node:http'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {runCli} from '../helpers/cli.js'
import {freePort} from '../helpers/ports.js'
import {PROVIDER, poxRequest} from './helpers.js'

const REQUIRED = process.env.MAILPROFILE_REQUIRE_REAL_SERVERS === '1'
const found = (candidates: string[], args: string[]): string | undefined => candidates.find((p) => spawnSync(p, args, {stdio: 'ignore'}).status === 0)
const NGINX = found(['/usr/sbin/nginx', 'nginx'], ['-v'])
const APACHE = found(['/usr/sbin/apache2', 'apache2'], ['-v'])
const APACHE_MODULES = '/usr/lib/apache2/modules'
if (!NGINX && !REQUIRED) console.warn('test/serve/static-snippets.test.ts: nginx is not installed; skipping its snippet (apt-get install nginx).')
if (!APACHE && !REQUIRED) console.warn('test/serve/static-snippets.test.ts: apache2 is not installed; skipping its snippet (apt-get install apache2).')

const DOMAIN = 'example.org'
let out: string

interface Answer {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: Buffer
}

function fetchAt(port: number, path: string, options: {method?: string; body?: string; host?: string} = {}): Promise<Answer> {
  return new Promise((done, fail) => {
    const headers: Record<string, string> = {host: options.host ?? `autodiscover.${DOMAIN}`}
    if (options.body !== undefined) {
      headers['content-type'] = 'text/xml; charset=utf-8'
      headers['content-length'] = String(Buffer.byteLength(options.body))
    }
    const req = httpRequest({host: '127.0.0.1', port, path, method: options.method ?? 'GET', headers, agent: false}, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => done({status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks)}))
    })
    req.on('error', fail)
    req.end(options.body)
  })
}

async function waitFor(port: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    try {
      await fetchAt(port, '/')
      return
    } catch {
      await new Promise((r) => setTimeout(r, 100))
    }
  }
  throw new Error(`nothing answers on port ${port}`)
}

const built = (path: string): Buffer => readFileSync(join(out, DOMAIN, path))

/** The same client requests against either server: the answers static files can give. */
function clientChecks(port: () => number): void {
  it('answers an Outlook POST in any path case with the domain file, text/xml, nosniff', async () => {
    for (const path of ['/autodiscover/autodiscover.xml', '/Autodiscover/Autodiscover.xml', '/AUTODISCOVER/AUTODISCOVER.XML']) {
      const r = await fetchAt(port(), path, {method: 'POST', body: poxRequest(`chloe.martin@${DOMAIN}`)})
      expect(r.status, path).toBe(200)
      expect(r.headers['content-type'], path).toBe('text/xml; charset=utf-8')
      expect(r.headers['x-content-type-options'], path).toBe('nosniff')
      expect(r.body, path).toEqual(built('autodiscover.xml'))
    }
    const get = await fetchAt(port(), '/autodiscover/autodiscover.xml')
    expect(get.status).toBe(200)
    expect(get.body).toEqual(built('autodiscover.xml'))
  })

  it('answers a Thunderbird GET on both paths, the address in the query ignored', async () => {
    for (const path of ['/mail/config-v1.1.xml?emailaddress=chloe.martin%40example.org', '/.well-known/autoconfig/mail/config-v1.1.xml', '/Mail/Config-v1.1.xml']) {
      const r = await fetchAt(port(), path, {host: `autoconfig.${DOMAIN}`})
      expect(r.status, path).toBe(200)
      expect(r.headers['content-type'], path).toBe('text/xml; charset=utf-8')
      expect(r.headers['x-content-type-options'], path).toBe('nosniff')
      expect(r.body, path).toEqual(built('mail/config-v1.1.xml'))
    }
  })

  it('serves the per-user and the generic profile as application/x-apple-aspen-config, and nothing outside', async () => {
    const user = await fetchAt(port(), `/profiles/chloe.martin@${DOMAIN}.mobileconfig`, {host: DOMAIN})
    expect(user.status).toBe(200)
    expect(user.headers['content-type']).toBe('application/x-apple-aspen-config')
    expect(user.headers['x-content-type-options']).toBe('nosniff')
    expect(String(user.headers['content-disposition'])).toMatch(/^attachment/)
    expect(user.body).toEqual(built(`users/chloe.martin@${DOMAIN}.mobileconfig`))
    const generic = await fetchAt(port(), '/mobileconfig', {host: DOMAIN})
    expect(generic.status).toBe(200)
    expect(generic.headers['content-type']).toBe('application/x-apple-aspen-config')
    expect(generic.body).toEqual(built(`${DOMAIN}.mobileconfig`))
    for (const path of ['/profiles/nobody@example.org.mobileconfig', '/profiles/..%2f..%2fmanifest.json.mobileconfig', '/profiles/%2e%2e/dns.zone', '/manifest.json']) {
      const r = await fetchAt(port(), path, {host: DOMAIN})
      expect([400, 403, 404], path).toContain(r.status)
      expect(r.body.toString(), path).not.toContain('manifestVersion')
    }
  })
}

describe.skipIf(!NGINX && !APACHE && !REQUIRED)('static snippets from build', () => {
  beforeAll(async () => {
    out = mkdtempSync(join(tmpdir(), 'mp-static-'))
    // The servers' workers run as another user when the suite runs as root: they must read the build.
    chmodSync(out, 0o755)
    const r = await runCli(['build', PROVIDER, '--out', out, '--threads', '1'])
    expect(r.code, r.stderr).toBe(0)
  }, 60_000)
  afterAll(() => rmSync(out, {recursive: true, force: true}))

  describe.skipIf(!NGINX && !REQUIRED)('nginx', () => {
    let dir: string
    let nginx: ChildProcess | undefined
    let port = 0
    beforeAll(async () => {
      if (!NGINX) throw new Error('nginx is required (MAILPROFILE_REQUIRE_REAL_SERVERS=1): apt-get install nginx')
      dir = mkdtempSync(join(tmpdir(), 'mp-static-nginx-'))
      mkdirSync(join(dir, 'logs'))
      port = await freePort()
      const temp = (name: string): string => `${name} ${join(dir, name)};`
      writeFileSync(
        join(dir, 'nginx.conf'),
        [
          'worker_processes 1;',
          `pid ${join(dir, 'nginx.pid')};`,
          `error_log ${join(dir, 'logs', 'error.log')} warn;`,
          'events { worker_connections 64; }',
          'http {',
          '  access_log off;',
          ...['client_body_temp_path', 'proxy_temp_path', 'fastcgi_temp_path', 'uwsgi_temp_path', 'scgi_temp_path'].map((n) => `  ${temp(n)}`),
          '  server {',
          `    listen 127.0.0.1:${port};`,
          `    server_name ${DOMAIN} autoconfig.${DOMAIN} autodiscover.${DOMAIN};`,
          `    set $mailprofile_out ${out};`,
          `    include ${join(out, DOMAIN, 'webserver', 'nginx.conf')};`,
          '  }',
          '}',
          '',
        ].join('\n'),
      )
      const args = ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'logs', 'error.log')]
      const test = spawnSync(NGINX, ['-t', ...args], {encoding: 'utf8'})
      if (test.status !== 0) throw new Error(`nginx -t: ${test.stderr}`)
      nginx = spawn(NGINX, [...args, '-g', 'daemon off;'], {stdio: 'ignore'})
      await waitFor(port)
    }, 30_000)
    afterAll(() => {
      nginx?.kill('SIGQUIT')
    })

    clientChecks(() => port)

    it('answers the Autodiscover JSON with the POX URL, and 400 for another protocol', async () => {
      const ok = await fetchAt(port, `/autodiscover/autodiscover.json/v1.0/chloe.martin@${DOMAIN}?Protocol=AutodiscoverV1`)
      expect(ok.status).toBe(200)
      expect(ok.headers['x-content-type-options']).toBe('nosniff')
      expect(JSON.parse(ok.body.toString())).toEqual({Protocol: 'AutodiscoverV1', Url: `https://autodiscover.${DOMAIN}/autodiscover/autodiscover.xml`})
      const bad = await fetchAt(port, `/autodiscover/autodiscover.json?Email=chloe.martin%40${DOMAIN}&Protocol=ActiveSync`)
      expect(bad.status).toBe(400)
      expect(JSON.parse(bad.body.toString()).ErrorCode).toBe('InvalidProtocol')
    })

    it('refuses an Autodiscover body larger than 16 KiB', async () => {
      const r = await fetchAt(port, '/autodiscover/autodiscover.xml', {method: 'POST', body: 'a'.repeat(20_000)})
      expect(r.status).toBe(413)
    })
  })

  describe.skipIf(!APACHE && !REQUIRED)('Apache', () => {
    let dir: string
    let apache: ChildProcess | undefined
    let port = 0
    beforeAll(async () => {
      if (!APACHE) throw new Error('apache2 is required (MAILPROFILE_REQUIRE_REAL_SERVERS=1): apt-get install apache2')
      dir = mkdtempSync(join(tmpdir(), 'mp-static-apache-'))
      mkdirSync(join(dir, 'empty'))
      port = await freePort()
      const root = process.getuid?.() === 0
      const modules = ['mpm_event', 'authz_core', 'alias', 'headers', 'mime']
      writeFileSync(
        join(dir, 'httpd.conf'),
        [
          `ServerRoot ${dir}`,
          `DefaultRuntimeDir ${dir}`,
          `PidFile ${join(dir, 'httpd.pid')}`,
          `Mutex file:${dir}`,
          `ErrorLog ${join(dir, 'error.log')}`,
          'LogLevel warn',
          `Listen 127.0.0.1:${port}`,
          'ServerName localhost',
          ...modules.map((m) => `LoadModule ${m}_module ${APACHE_MODULES}/mod_${m}.so`),
          'TypesConfig /etc/mime.types',
          // Apache refuses to serve as root; Debian's unprivileged account then reads the build.
          ...(root ? ['User nobody', 'Group nogroup'] : []),
          `<VirtualHost 127.0.0.1:${port}>`,
          `  ServerName ${DOMAIN}`,
          `  ServerAlias autoconfig.${DOMAIN} autodiscover.${DOMAIN}`,
          `  DocumentRoot ${join(dir, 'empty')}`,
          `  Define MAILPROFILE_OUT ${out}`,
          `  Include ${join(out, DOMAIN, 'webserver', 'apache.conf')}`,
          '</VirtualHost>',
          '',
        ].join('\n'),
      )
      const conf = ['-f', join(dir, 'httpd.conf')]
      const test = spawnSync(APACHE, ['-t', ...conf], {encoding: 'utf8'})
      if (test.status !== 0) throw new Error(`apache2 -t: ${test.stderr}`)
      expect(test.stderr).toContain('Syntax OK')
      apache = spawn(APACHE, [...conf, '-DFOREGROUND'], {stdio: 'ignore'})
      await waitFor(port)
    }, 30_000)
    afterAll(() => {
      apache?.kill('SIGTERM')
    })

    clientChecks(() => port)
  })
})
