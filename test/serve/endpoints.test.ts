// `serve`'s endpoints against the bundled provider example, read back with independent parsers (xmllint, plistlib, openssl).
import {spawnSync} from 'node:child_process'
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {buildFromSettingsFile} from '../../src/core/generate/build-file.js'
import type {ServeHandle} from '../../src/core/serve/server.js'
import {HAVE_XMLLINT, missing, xmllintRelaxng, xmllintXpath} from '../core/generate/tools.js'
import {AUTOCONFIG_RNG, MOBILESYNC, PROVIDER, poxRequest, post, startTestServer, type LogLine} from './helpers.js'

const HAVE_OPENSSL = spawnSync('openssl', ['version'], {stdio: 'ignore'}).status === 0
let handle: ServeHandle
let url: string
let logs: LogLine[]
let built: Map<string, Buffer>

beforeAll(async () => {
  ;({handle, url, logs} = await startTestServer())
  const result = await buildFromSettingsFile(PROVIDER, {env: {}})
  built = new Map(result.files.map((f) => [f.path, 'bytes' in f ? f.bytes : Buffer.alloc(0)]))
}, 60_000)
afterAll(async () => {
  await handle?.close()
})

const x = (xml: string, xpath: string): string => xmllintXpath(Buffer.from(xml), xpath)

describe.skipIf(missing(HAVE_XMLLINT))('POX Autodiscover', () => {
  it('answers a listed user with the per-user response build writes (LoginName from the users list, DisplayName)', async () => {
    const r = await post(`${url}/autodiscover/autodiscover.xml`, poxRequest('eun-ji.park@mail.example.edu'))
    expect(r.status).toBe(200)
    expect(r.headers.get('content-type')).toMatch(/^text\/xml/)
    expect(Buffer.from(r.text)).toEqual(built.get('mail.example.edu/users/eun-ji.park@mail.example.edu.autodiscover.xml'))
    expect(x(r.text, "string(//*[local-name()='Protocol'][*[local-name()='Type']='IMAP']/*[local-name()='LoginName'])")).toBe('epark')
    expect(x(r.text, "string(//*[local-name()='DisplayName'])")).toBe('Eun-ji Park')
    expect(x(r.text, "string(//*[local-name()='Protocol'][*[local-name()='Type']='SMTP']/*[local-name()='Encryption'])")).toBe('TLS')
    expect(x(r.text, "string(//*[local-name()='Protocol'][*[local-name()='Type']='IMAP']/*[local-name()='Encryption'])")).toBe('SSL')
    expect(x(r.text, "count(//*[local-name()='SPA'][.='off'])")).toBe('2')
    expect(x(r.text, "count(//*[local-name()='AuthRequired'][.='on'])")).toBe('2')
  })

  it('answers an unlisted address in a known domain with the same shape, the login from the template', async () => {
    const known = await post(`${url}/autodiscover/autodiscover.xml`, poxRequest('frank.muller@mail.example.edu'))
    const unknown = await post(`${url}/autodiscover/autodiscover.xml`, poxRequest('nobody.here@mail.example.edu'))
    expect(unknown.status).toBe(known.status)
    expect(x(unknown.text, "string(//*[local-name()='Protocol'][*[local-name()='Type']='IMAP']/*[local-name()='LoginName'])")).toBe('nobody.here')
    const shape = (xml: string): string => xml.replace(/>[^<]*</g, '><')
    // Same elements in the same order; only the values (name, login) differ.
    expect(shape(unknown.text).replace(/<User>.*?<\/User>/s, '')).toBe(shape(known.text).replace(/<User>.*?<\/User>/s, ''))
  })

  it('matches the path case-insensitively, and any charset of text/xml or application/xml', async () => {
    for (const [path, type] of [['/Autodiscover/Autodiscover.xml', 'text/xml'], ['/AUTODISCOVER/AUTODISCOVER.XML', 'application/xml; charset=UTF-8'], ['/autodiscover/autodiscover.xml', 'text/xml;charset="utf-8"']] as const) {
      const r = await post(`${url}${path}`, poxRequest('ana.silva@example.net'), type)
      expect(r.status, path).toBe(200)
      expect(x(r.text, "string(//*[local-name()='Server'])"), path).toBe('imap.example.net')
    }
  })

  it('answers mobilesync with the Autodiscover Error response (601), never IMAP settings', async () => {
    const r = await post(`${url}/autodiscover/autodiscover.xml`, poxRequest('ana.silva@example.net', MOBILESYNC))
    expect(r.status).toBe(200)
    expect(x(r.text, "string(//*[local-name()='ErrorCode'])")).toBe('601')
    expect(r.text).not.toContain('imap.example.net')
  })

  it('answers an unknown domain with the Error response (500: address not found)', async () => {
    const r = await post(`${url}/autodiscover/autodiscover.xml`, poxRequest('someone@not-configured.example'))
    expect(r.status).toBe(200)
    expect(x(r.text, "string(//*[local-name()='ErrorCode'])")).toBe('500')
  })

  it('answers GET with 405 and Allow: POST', async () => {
    const r = await fetch(`${url}/autodiscover/autodiscover.xml`)
    expect(r.status).toBe(405)
    expect(r.headers.get('allow')).toBe('POST')
    expect(r.headers.get('x-content-type-options')).toBe('nosniff')
  })

  it('logs the address hashed, never as written', () => {
    const lines = logs.filter((l) => l.route === '/autodiscover/autodiscover.xml' && l.addressHash)
    expect(lines.length).toBeGreaterThan(0)
    expect(JSON.stringify(logs)).not.toContain('eun-ji.park')
  })
})

describe('Autodiscover JSON v2', () => {
  it('answers both forms with the public POX URL', async () => {
    for (const path of ['/autodiscover/autodiscover.json?Email=ana.silva%40example.net&Protocol=AutodiscoverV1', '/Autodiscover/Autodiscover.json/v1.0/ana.silva@example.net?Protocol=AutodiscoverV1']) {
      const r = await fetch(`${url}${path}`)
      expect(r.status, path).toBe(200)
      expect(await r.json()).toEqual({Protocol: 'AutodiscoverV1', Url: `${handle.publicUrl}/autodiscover/autodiscover.xml`})
    }
  })

  it('answers any other protocol with 400 InvalidProtocol, as Exchange does', async () => {
    const r = await fetch(`${url}/autodiscover/autodiscover.json?Email=ana.silva%40example.net&Protocol=ActiveSync`)
    expect(r.status).toBe(400)
    expect(((await r.json()) as {ErrorCode: string}).ErrorCode).toBe('InvalidProtocol')
  })
})

describe.skipIf(missing(HAVE_XMLLINT))('Thunderbird autoconfig', () => {
  it('with emailaddress: the per-user username, valid against Mozilla\'s RELAX NG', async () => {
    for (const path of ['/mail/config-v1.1.xml', '/.well-known/autoconfig/mail/config-v1.1.xml', '/Mail/Config-v1.1.xml']) {
      const r = await fetch(`${url}${path}?emailaddress=frank.muller%40mail.example.edu`)
      expect(r.status, path).toBe(200)
      const xml = Buffer.from(await r.arrayBuffer())
      expect(xmllintRelaxng(xml, AUTOCONFIG_RNG)).toMatchObject({ok: true})
      expect(xmllintXpath(xml, 'string(//incomingServer/username)')).toBe('fmuller')
      expect(xmllintXpath(xml, 'string(//outgoingServer/socketType)')).toBe('STARTTLS')
    }
  })

  it('without an address: the domain from the Host header, placeholders kept, the same bytes build writes', async () => {
    for (const [host, file] of [['autoconfig.mail.example.edu', 'mail.example.edu/mail/config-v1.1.xml'], ['example.org', 'example.org/mail/config-v1.1.xml'], ['AUTOCONFIG.EXAMPLE.NET:8080', 'example.net/mail/config-v1.1.xml']] as const) {
      const r = await rawGet(`/mail/config-v1.1.xml`, host)
      expect(r.status, host).toBe(200)
      expect(r.body, host).toEqual(built.get(file))
      expect(xmllintRelaxng(r.body, AUTOCONFIG_RNG)).toMatchObject({ok: true})
    }
    expect(xmllintXpath(built.get('mail.example.edu/mail/config-v1.1.xml')!, 'string(//incomingServer/username)')).toBe('%EMAILLOCALPART%')
  })

  it('a Host that names no configured domain gets 404, not another domain\'s settings', async () => {
    const r = await rawGet('/mail/config-v1.1.xml', 'autoconfig.evil.example')
    expect(r.status).toBe(404)
  })
})

describe.skipIf(missing(HAVE_OPENSSL))('profiles', () => {
  it('per user: byte-identical to build\'s file, with the content type, a download name and a strong ETag', async () => {
    for (const path of ['/mobileconfig?emailaddress=chloe.martin%40example.org', '/profiles/chloe.martin@example.org.mobileconfig', '/PROFILES/chloe.martin@example.org.MOBILECONFIG']) {
      const r = await fetch(`${url}${path}`)
      expect(r.status, path).toBe(200)
      expect(r.headers.get('content-type')).toBe('application/x-apple-aspen-config')
      expect(r.headers.get('content-disposition')).toBe('attachment; filename="chloe.martin@example.org.mobileconfig"')
      expect(r.headers.get('etag')).toMatch(/^"[A-Za-z0-9_-]{43}"$/)
      expect(Buffer.from(await r.arrayBuffer()), path).toEqual(built.get('example.org/users/chloe.martin@example.org.mobileconfig'))
    }
  })

  it('without an address: the Host domain\'s generic profile, byte-identical to build\'s', async () => {
    const r = await rawGet('/mobileconfig', 'example.net')
    expect(r.status).toBe(200)
    expect(r.body).toEqual(built.get('example.net/example.net.mobileconfig'))
  })

  it('verifies with openssl cms against the example CA', async () => {
    const r = await fetch(`${url}/mobileconfig?emailaddress=someone.new%40example.net`)
    const dir = mkdtempSync(join(tmpdir(), 'mp-serve-'))
    writeFileSync(join(dir, 'p.mobileconfig'), Buffer.from(await r.arrayBuffer()))
    const v = spawnSync('openssl', ['cms', '-verify', '-inform', 'DER', '-in', join(dir, 'p.mobileconfig'), '-CAfile', join(PROVIDER, '..', 'ca', 'example-root-ca.pem'), '-purpose', 'any', '-out', join(dir, 'content.xml')], {encoding: 'utf8'})
    expect(v.status, v.stderr).toBe(0)
  })

  it('answers If-None-Match with 304, and a repeated download costs no signature', async () => {
    const signatures = async (): Promise<number> => (await handle.metrics.signatures.get()).values[0]?.value ?? 0
    const first = await fetch(`${url}/mobileconfig?emailaddress=dmitri.ivanov%40example.org`)
    await first.arrayBuffer()
    const etag = first.headers.get('etag')!
    const before = await signatures()
    const again = await fetch(`${url}/profiles/dmitri.ivanov@example.org.mobileconfig`)
    expect(again.headers.get('etag')).toBe(etag)
    await again.arrayBuffer()
    const cached = await fetch(`${url}/mobileconfig?emailaddress=dmitri.ivanov%40example.org`, {headers: {'if-none-match': etag}})
    expect(cached.status).toBe(304)
    expect(cached.headers.get('etag')).toBe(etag)
    expect(await signatures()).toBe(before)
    const hits = (await handle.metrics.cacheHits.get()).values[0]?.value ?? 0
    expect(hits).toBeGreaterThanOrEqual(2)
  })
})

describe('operations', () => {
  it('/healthz and /metrics (Prometheus text: requests by route and status, latency, signatures, cache hits)', async () => {
    const h = await fetch(`${url}/healthz`)
    expect(h.status).toBe(200)
    expect(((await h.json()) as {status: string}).status).toBe('ok')
    const m = await fetch(`${url}/metrics`)
    expect(m.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/)
    const text = await m.text()
    expect(text).toMatch(/mailprofile_http_requests_total\{route="\/healthz",method="GET",status="200"\} 1/)
    expect(text).toMatch(/mailprofile_http_request_duration_seconds_bucket\{le="0.05",route="\/mobileconfig"\} \d+/)
    expect(text).toMatch(/mailprofile_profile_signatures_total \d+/)
    expect(text).toMatch(/mailprofile_profile_cache_hits_total \d+/)
  })
})

/** A GET with a chosen Host header (fetch does not let tests set Host). */
async function rawGet(path: string, host: string): Promise<{status: number; body: Buffer; headers: Record<string, string>}> {
  const {request} = await import('node:http')
  return new Promise((done, fail) => {
    const req = request(`${url}${path}`, {headers: {host}}, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => done({status: res.statusCode ?? 0, body: Buffer.concat(chunks), headers: res.headers as Record<string, string>}))
    })
    req.on('error', fail)
    req.end()
  })
}
