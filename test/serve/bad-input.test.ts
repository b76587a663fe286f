// The bad-input matrix of `serve`: each hostile request gets a bounded, documented answer (4xx or the
// Autodiscover Error response), never a 500, never a crash; the server keeps answering afterwards.
import {connect, type Socket} from 'node:net'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import type {ServeHandle} from '../../src/core/serve/server.js'
import {poxRequest, post, rawRequest, startTestServer, statusOf} from './helpers.js'

let handle: ServeHandle
let url: string
let port: number

beforeAll(async () => {
  ;({handle, url} = await startTestServer({limits: {headersTimeoutMs: 2000, requestTimeoutMs: 3000, idleTimeoutMs: 3000}}))
  port = Number(new URL(url).port)
}, 30_000)
afterAll(async () => {
  await handle?.close()
})

const AD = '/autodiscover/autodiscover.xml'
const errorCode = (xml: string): string | undefined => /<ErrorCode>(\d+)<\/ErrorCode>/.exec(xml)?.[1]

async function expectAutodiscoverError(body: string | Buffer, code = '600'): Promise<string> {
  const r = await post(`${url}${AD}`, body)
  expect(r.status).toBe(200)
  expect(r.headers.get('content-type')).toMatch(/^text\/xml/)
  expect(errorCode(r.text)).toBe(code)
  return r.text
}

async function stillServes(): Promise<void> {
  const r = await post(`${url}${AD}`, poxRequest('ana.silva@example.net'))
  expect(r.status).toBe(200)
  expect(r.text).toContain('<Server>imap.example.net</Server>')
}

describe('Autodiscover bodies', () => {
  it('malformed XML → Error 600', async () => {
    await expectAutodiscoverError('<Autodiscover><Request><EMailAddress>a@example.net</Request>')
    await expectAutodiscoverError('not xml at all')
    await expectAutodiscoverError('')
  })

  it('a billion-laughs DOCTYPE → Error 600, nothing expanded, quickly', async () => {
    const lol = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">${Array.from({length: 9}, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i || ''};`.repeat(10)}">`).join('')}]><Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006"><Request><EMailAddress>&lol9;@example.net</EMailAddress><AcceptableResponseSchema>http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a</AcceptableResponseSchema></Request></Autodiscover>`
    const t0 = Date.now()
    const text = await expectAutodiscoverError(lol)
    expect(Date.now() - t0).toBeLessThan(1000)
    expect(text).not.toContain('lollol')
    expect(text.length).toBeLessThan(1000)
  })

  it('an external entity to file:///etc/passwd → Error 600, never resolved or echoed', async () => {
    const xxe = `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006"><Request><EMailAddress>&xxe;</EMailAddress><AcceptableResponseSchema>http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a</AcceptableResponseSchema></Request></Autodiscover>`
    const text = await expectAutodiscoverError(xxe)
    expect(text).not.toMatch(/root:|\/bin\/|passwd|xxe/)
    // Without the DOCTYPE the undeclared reference is left as text: still no settings, no file.
    const bare = await post(`${url}${AD}`, poxRequest('&xxe;'))
    expect(errorCode(bare.text)).toBe('600')
    expect(bare.text).not.toMatch(/root:|xxe/)
  })

  it('10k-deep nesting → 413 (larger than the 16 KiB limit); 5k-deep within the limit → Error 600', async () => {
    const deep = `${'<a>'.repeat(10_000)}${'</a>'.repeat(10_000)}`
    const r = await post(`${url}${AD}`, deep)
    expect(r.status).toBe(413)
    await expectAutodiscoverError(`${'<a>'.repeat(2000)}x${'</a>'.repeat(2000)}`)
    await expectAutodiscoverError('<a>'.repeat(5000))
    await stillServes()
  })

  it('a 10 MB body → 413 at once, before the body is sent', async () => {
    const t0 = Date.now()
    // Only the headers: the answer must not wait for 10 MB that never come.
    const raw = await rawRequest(url, `POST ${AD} HTTP/1.1\r\nHost: x\r\nContent-Type: text/xml\r\nContent-Length: ${10 * 1024 * 1024}\r\n\r\n<a>`, 3000)
    expect(statusOf(raw)).toBe(413)
    expect(Date.now() - t0).toBeLessThan(1500)
    expect(raw).toMatch(/x-content-type-options: nosniff/i)
    // And sent in full (chunked, no length): cut off at the limit, 413.
    const big = await post(`${url}${AD}`, Buffer.alloc(10 * 1024 * 1024, 0x61))
    expect(big.status).toBe(413)
    await stillServes()
  })

  it('invalid UTF-8 → Error 600', async () => {
    const body = Buffer.concat([Buffer.from(poxRequest('ana').slice(0, 120)), Buffer.from([0xc3, 0x28, 0xff, 0xfe]), Buffer.from(poxRequest('x').slice(120))])
    await expectAutodiscoverError(body)
  })

  it('a wrong media type → the Error response, not an HTTP error Outlook cannot read', async () => {
    const r = await post(`${url}${AD}`, '{"a":1}', 'application/json')
    expect(r.status).toBe(200)
    expect(errorCode(r.text)).toBe('600')
  })
})

describe('addresses', () => {
  it('a NUL in the address → Error 600 (POX), 400 (GET)', async () => {
    await expectAutodiscoverError(poxRequest('ana\u0000@example.net').replace('\u0000', '&#0;'))
    expect((await fetch(`${url}/mobileconfig?emailaddress=ana%00.silva%40example.net`)).status).toBe(400)
    expect((await fetch(`${url}/mail/config-v1.1.xml?emailaddress=ana%00%40example.net`)).status).toBe(400)
  })

  it('CR/LF in the address → 400, no header injection', async () => {
    for (const path of ['/mobileconfig?emailaddress=a%0d%0aSet-Cookie:%20x=1%40example.net', '/profiles/a%0d%0aSet-Cookie:x@example.net.mobileconfig']) {
      const r = await fetch(`${url}${path}`)
      expect(r.status, path).toBe(400)
      expect(r.headers.get('set-cookie')).toBeNull()
      expect(r.headers.get('content-disposition')).toBeNull()
    }
    const text = await expectAutodiscoverError(poxRequest('a&#13;&#10;b@example.net'))
    expect(text).not.toContain('b@example.net')
  })

  it('path traversal → 404 or 400, never a file', async () => {
    for (const path of ['/profiles/../../etc/passwd', '/profiles/%2e%2e/%2e%2e/etc/passwd', '/profiles/%2e%2e%2f%2e%2e%2fetc%2fpasswd', '/profiles/..%2f..%2fetc%2fpasswd.mobileconfig', '/../../etc/passwd', '/mail/..%2f..%2fetc%2fpasswd']) {
      const raw = await rawRequest(url, `GET ${path} HTTP/1.1\r\nHost: example.net\r\nConnection: close\r\n\r\n`)
      const status = statusOf(raw)
      expect([400, 404], path).toContain(status)
      expect(raw, path).not.toMatch(/root:/)
    }
  })

  it('a bad %-escape in a path (found by the fuzz suite) → 400 with nosniff, the URL not echoed', async () => {
    for (const path of ['/profiles/%', '/profiles/%ff.mobileconfig', '/autodiscover/autodiscover.json/v1.0/%zz']) {
      const raw = await rawRequest(url, `GET ${path} HTTP/1.1\r\nHost: example.net\r\nConnection: close\r\n\r\n`)
      expect(statusOf(raw), path).toBe(400)
      expect(raw, path).toMatch(/x-content-type-options: nosniff/i)
      expect(raw, path).not.toContain(path)
    }
  })

  it('an unknown domain → 404 on GET, Error 500 on POX', async () => {
    expect((await fetch(`${url}/mobileconfig?emailaddress=a%40unknown.example`)).status).toBe(404)
    expect((await fetch(`${url}/mail/config-v1.1.xml?emailaddress=a%40unknown.example`)).status).toBe(404)
    await expectAutodiscoverError(poxRequest('a@unknown.example'), '500')
  })

  it('an address without @ → 400 on GET, Error 600 on POX', async () => {
    expect((await fetch(`${url}/mobileconfig?emailaddress=ana.silva`)).status).toBe(400)
    expect((await fetch(`${url}/profiles/ana.silva.mobileconfig`)).status).toBe(400)
    await expectAutodiscoverError(poxRequest('ana.silva'))
  })

  it('an overlong address → 400 (schema), not a 500', async () => {
    const r = await fetch(`${url}/mobileconfig?emailaddress=${'a'.repeat(600)}%40example.net`)
    expect(r.status).toBe(400)
  })

  it('a malformed request line or oversized headers → 400/431 with nosniff', async () => {
    const bad = await rawRequest(url, 'GARBAGE\r\n\r\n')
    expect(statusOf(bad)).toBe(400)
    expect(bad).toMatch(/X-Content-Type-Options: nosniff/i)
    const huge = await rawRequest(url, `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`)
    expect(statusOf(huge)).toBe(431)
  })
})

describe('connections', () => {
  it('1,000 concurrent connections each get a correct answer, and memory stays bounded', async () => {
    const rss0 = process.memoryUsage().rss
    const answers = await Promise.all(
      Array.from({length: 1000}, (_, i) => rawRequest(url, `POST ${AD} HTTP/1.1\r\nHost: x\r\nContent-Type: text/xml\r\nConnection: close\r\nContent-Length: ${Buffer.byteLength(poxRequest(`user${i}@example.org`))}\r\n\r\n${poxRequest(`user${i}@example.org`)}`, 20_000)),
    )
    const wrong = answers.map((a, i) => [i, statusOf(a), a.slice(0, 60)] as const).filter(([, status]) => status !== 200)
    expect(wrong).toEqual([])
    expect(answers.every((a, i) => a.includes(`<LoginName>user${i}@example.org</LoginName>`))).toBe(true)
    expect(process.memoryUsage().rss - rss0).toBeLessThan(200 * 1024 * 1024)
  }, 60_000)

  it('a slowloris of 100 connections does not delay a normal request by more than 1 s, and is cut off at the header timeout', async () => {
    const sockets: Socket[] = []
    const closed: Promise<number>[] = []
    for (let i = 0; i < 100; i++) {
      const s = connect({host: '127.0.0.1', port})
      const t0 = Date.now()
      closed.push(new Promise((done) => s.on('close', () => done(Date.now() - t0))))
      s.on('error', () => {})
      s.write(`GET / HTTP/1.1\r\nHost: x\r\n`)
      sockets.push(s)
    }
    const drip = setInterval(() => {
      for (const s of sockets) if (!s.destroyed) s.write(`X-${Math.random().toString(36).slice(2)}: a\r\n`)
    }, 200)
    try {
      await new Promise((r) => setTimeout(r, 300))
      const t0 = Date.now()
      const r = await fetch(`${url}/autodiscover/autodiscover.json?Email=ana.silva%40example.net&Protocol=AutodiscoverV1`)
      expect(r.status).toBe(200)
      expect(Date.now() - t0).toBeLessThan(1000)
      await stillServes()
      // headersTimeout is 2 s here: every slow connection is closed by the server within a few seconds, not held forever.
      const lifetimes = await Promise.all(closed)
      expect(Math.max(...lifetimes)).toBeLessThan(6000)
    } finally {
      clearInterval(drip)
      for (const s of sockets) s.destroy()
    }
  }, 20_000)
})

describe('headers on every answer', () => {
  it('nosniff on success, errors and 404', async () => {
    for (const path of ['/', '/healthz', '/nope', '/mobileconfig?emailaddress=x', '/autodiscover/autodiscover.xml']) {
      const r = await fetch(`${url}${path}`)
      expect(r.headers.get('x-content-type-options'), path).toBe('nosniff')
      expect(r.status, path).toBeLessThan(500)
    }
  })
})
