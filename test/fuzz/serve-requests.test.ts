// Property-based tests of the request parsers of `serve`, through Fastify's inject (the real app:
// routes, content-type parser, schemas, error handler, hooks) on the bundled provider example:
// generated Autodiscover POST bodies (mutations of a real request, DOCTYPEs and entities, deep
// nesting, invalid UTF-8) and generated paths, query strings, methods and Host headers.
// Properties: never a 500 and never an error logged; the status is one of the documented ones;
// the answer is bounded and has nosniff; nothing from /etc/passwd or from an entity is echoed.
import {readFileSync} from 'node:fs'

import fc from 'fast-check'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import type {ServeHandle} from '../../src/core/serve/server.js'
import {poxRequest, startTestServer, type LogLine} from '../serve/helpers.js'
import {CASE_MS, mutatedBytes, mutatedText, params, report, runs, testTimeout} from './fuzz-config.js'

/** What an entity would expand to: it must never reach an answer. */
const MARKER = 'ENTITYEXPANDEDxq7'
const PASSWD_LINE = readFileSync('/etc/passwd', 'utf8').split('\n')[0] ?? 'root:x:0:0'
/** The documented statuses (README, Serve, Limits): answers, redirects, 304 and the 4xx refusals (414: a path segment over 512 characters). */
const GET_STATUSES = [200, 302, 304, 400, 404, 405, 413, 414, 415]
/** The Autodiscover POST always answers an Autodiscover document with 200, except a body over 16 KiB (413). */
const POST_STATUSES = [200, 413]
/** Largest answer: a signed profile of the example is ~9 KB, the page ~30 KB. */
const MAX_ANSWER = 128 * 1024

let handle: ServeHandle
let logs: LogLine[]
beforeAll(async () => {
  ;({handle, logs} = await startTestServer())
}, 30_000)
afterAll(async () => {
  await handle?.close()
})

interface Injected {
  statusCode: number
  headers: Record<string, unknown>
  rawPayload: Buffer
}

async function inject(options: {method: string; url: string; headers?: Record<string, string>; body?: Buffer}): Promise<Injected> {
  const t = performance.now()
  const r = (await handle.app.inject({method: options.method as 'GET', url: options.url, headers: options.headers, payload: options.body})) as unknown as Injected
  const ms = performance.now() - t
  if (ms > CASE_MS) throw new Error(`one request took ${ms.toFixed(0)} ms (bound ${CASE_MS} ms)`)
  return r
}

function expectSafeAnswer(r: Injected, statuses: readonly number[]): string {
  expect(statuses).toContain(r.statusCode)
  expect(r.headers['x-content-type-options']).toBe('nosniff')
  expect(r.rawPayload.length).toBeLessThanOrEqual(MAX_ANSWER)
  for (const [name, value] of Object.entries(r.headers)) expect(String(value), name).not.toMatch(/[\r\n\0]/)
  const text = r.rawPayload.toString('latin1')
  expect(text).not.toContain(MARKER)
  expect(text).not.toContain(PASSWD_LINE)
  return text
}

function expectNoErrorLogged(): void {
  const errors = logs.filter((l) => typeof l.level === 'number' && l.level >= 50)
  expect(errors.map((l) => l.msg)).toEqual([])
}

const REQUEST = Buffer.from(poxRequest('ana.silva@example.net'))
const ADDRESSES = ['ana.silva@example.net', 'chloe.martin@example.org', 'eun-ji.park@mail.example.edu', 'nobody@unknown.test', 'a@b', '@example.net', 'x@example.net\r\nSet-Cookie: a=b', 'x\0y@example.net', '&xxe;@example.net', '']

/** Inserts `bytes` at a position of `base`. */
const insertedInto = (base: Buffer, bytes: fc.Arbitrary<Buffer>): fc.Arbitrary<Buffer> =>
  fc.tuple(fc.nat(), bytes).map(([at, b]) => {
    const i = at % (base.length + 1)
    return Buffer.concat([base.subarray(0, i), b, base.subarray(i)])
  })

const entityBody = fc.constantFrom(
  `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY e "${MARKER}">]>`,
  '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY e SYSTEM "file:///etc/passwd">]>',
  `<!DOCTYPE r [<!ENTITY % p "${MARKER}"> %p; <!ENTITY e "&#x26;e;">]>`,
  `<!doctype r SYSTEM "http://127.0.0.1:1/x.dtd">`,
  `<!ENTITY e "${MARKER}">`,
  `<?xml-stylesheet href="file:///etc/passwd"?>`,
  `<![CDATA[${MARKER}]]>`,
).chain((prolog) =>
  fc.constantFrom('&e;', '&amp;e;', '&#38;e;', '&xxe;', '&lt;', '&#0;', '&#xD800;', MARKER.slice(0, 0)).map((ref) => {
    const body = poxRequest(`${ref}@example.net`).replace(/^<\?xml[^>]*\?>\n?/, '')
    return Buffer.from(`${prolog}${body}`)
  }),
)

const nested = fc.tuple(fc.integer({min: 1, max: 4000}), fc.constantFrom('a', 'Autodiscover', 'Request', 'x:y'), fc.boolean()).map(([depth, tag, closed]) =>
  Buffer.from(`${`<${tag}>`.repeat(depth)}${closed ? `</${tag}>`.repeat(depth) : ''}`),
)

const invalidUtf8 = insertedInto(REQUEST, fc.constantFrom(Buffer.from([0xff]), Buffer.from([0xc0, 0xaf]), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from([0xe2, 0x82]), Buffer.from([0xfe, 0xff]), Buffer.from([0x00])))

const poxBody = fc.oneof(
  mutatedBytes(REQUEST),
  mutatedText(poxRequest('chloe.martin@example.org').replace(/></g, '>\n<')).map((s) => Buffer.from(s)),
  fc.constantFrom(...ADDRESSES).map((a) => Buffer.from(poxRequest(a))),
  entityBody,
  nested,
  invalidUtf8,
  fc.uint8Array({maxLength: 2048}).map((b) => Buffer.from(b)),
  fc.integer({min: 16 * 1024 - 64, max: 20 * 1024}).map((n) => Buffer.concat([REQUEST, Buffer.alloc(Math.max(0, n - REQUEST.length), 0x20)])),
)

const contentType = fc.constantFrom('text/xml', 'text/xml; charset=utf-8', 'application/xml', 'APPLICATION/XML;charset=ISO-8859-1', 'text/plain', 'application/json', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'text/xml; charset=utf-16')

describe('fuzz: serve, Autodiscover POST bodies', () => {
  const n = runs(150)
  it('200 with an Autodiscover document (or 413), nosniff, bounded, nothing expanded or echoed from files', {timeout: testTimeout(n, 100)}, async () => {
    const t = performance.now()
    const path = fc.constantFrom('/autodiscover/autodiscover.xml', '/Autodiscover/Autodiscover.xml', '/AUTODISCOVER/AUTODISCOVER.XML')
    await fc.assert(
      fc.asyncProperty(poxBody, contentType, path, async (body, type, url) => {
        const r = await inject({method: 'POST', url, headers: {'content-type': type}, body})
        const text = expectSafeAnswer(r, POST_STATUSES)
        if (r.statusCode === 200) {
          expect(String(r.headers['content-type'])).toMatch(/^text\/xml/)
          expect(text).toMatch(/<Autodiscover xmlns="http:\/\/schemas\.microsoft\.com\/exchange\/autodiscover\/responseschema\/2006">/)
          expect(text).toMatch(/<ErrorCode>\d+<\/ErrorCode>|<Protocol>/)
        }
      }),
      params(n),
    )
    expectNoErrorLogged()
    report('serve POST bodies', n, t)
  })
})

const SEGMENTS = ['..', '%2e%2e', '%2E%2e%2f', '..%2f..%2fetc%2fpasswd', '%00', '%0d%0aX-Injected:%20a', 'etc/passwd', '%', '%zz', '~', 'chloe.martin@example.org', 'chloe.martin%40example.org', 'CHLOE.MARTIN@EXAMPLE.ORG', 'x'.repeat(600)]
const segment = fc.oneof(fc.constantFrom(...SEGMENTS), fc.string({maxLength: 40, unit: 'binary'}).map(encodeURIComponent), fc.string({maxLength: 20, unit: 'grapheme-ascii'}).map((s) => s.replace(/[\s#?/]/g, '')))
const template = fc.constantFrom(
  '/autodiscover/autodiscover.xml',
  '/autodiscover/autodiscover.json',
  '/autodiscover/autodiscover.json/v1.0/{}',
  '/mail/config-v1.1.xml',
  '/.well-known/autoconfig/mail/config-v1.1.xml',
  '/mobileconfig',
  '/profiles/{}.mobileconfig',
  '/profiles/{}',
  '/profiles/{}/{}.mobileconfig',
  '/',
  '/healthz',
  '/{}',
  '/{}/../{}',
)
const casing = (s: string, flips: readonly boolean[]): string => [...s].map((c, i) => (flips[i % Math.max(1, flips.length)] ? c.toUpperCase() : c)).join('')
const path = fc.tuple(template, segment, segment, fc.array(fc.boolean(), {maxLength: 12})).map(([t, a, b, flips]) => casing(t.replace('{}', a).replace('{}', b), flips))
const queryValue = fc.oneof(fc.constantFrom(...ADDRESSES).map(encodeURIComponent), fc.constantFrom('AutodiscoverV1', 'autodiscoverv1', 'ActiveSync', ''), fc.string({maxLength: 60, unit: 'binary'}).map(encodeURIComponent), fc.constantFrom('%', '%zz', '%ff%fe', 'a%00b', '%0d%0a'))
const query = fc
  .array(fc.tuple(fc.constantFrom('emailaddress', 'Email', 'email', 'Protocol', 'protocol', 'x', 'emailaddress[]', '__proto__', 'constructor'), queryValue), {maxLength: 4})
  .chain((pairs) => fc.constantFrom('', '&', '&&==', '#frag').map((tail) => (pairs.length === 0 && tail === '' ? '' : `?${pairs.map(([k, v]) => `${k}=${v}`).join('&')}${tail}`)))
const host = fc.oneof(
  fc.constantFrom('autoconfig.example.org', 'AUTOCONFIG.EXAMPLE.NET', 'autodiscover.mail.example.edu:443', 'example.org.', 'unknown.test', '127.0.0.1:8080', '[::1]:8080', 'xn--nxasmq6b.example', ''),
  fc.string({maxLength: 80, unit: 'grapheme-ascii'}).map((s) => s.replace(/[^\x21-\x7e]/g, '')),
)
const method = fc.constantFrom('GET', 'GET', 'GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH')

describe('fuzz: serve, paths, query strings, methods and Host headers', () => {
  const n = runs(200)
  it('a documented status, never a 500, nosniff, bounded, no header injection, nothing from /etc/passwd', {timeout: testTimeout(n, 100)}, async () => {
    const t = performance.now()
    await fc.assert(
      fc.asyncProperty(method, path, query, host, fc.option(fc.constantFrom('*', '"x"', 'W/"a", "b"'), {nil: undefined}), async (m, p, q, h, ifNoneMatch) => {
        // An empty Host leaves inject's default (light-my-request builds its URL from the header and refuses an empty one).
        const headers: Record<string, string> = h === '' ? {} : {host: h}
        if (ifNoneMatch !== undefined) headers['if-none-match'] = ifNoneMatch
        const r = await inject({method: m, url: `${p}${q}`, headers, ...(m === 'POST' || m === 'PUT' || m === 'PATCH' ? {body: Buffer.from(poxRequest('ana.silva@example.net')), headers: {...headers, 'content-type': 'text/xml'}} : {})})
        expectSafeAnswer(r, m === 'POST' && /^\/autodiscover\/autodiscover\.xml$/i.test(p) ? POST_STATUSES : GET_STATUSES)
        if (r.statusCode === 200 && /aspen-config/.test(String(r.headers['content-type']))) {
          expect(String(r.headers['content-disposition'])).toMatch(/^attachment; filename="[a-z0-9@._+~-]+\.mobileconfig"$/)
        }
      }),
      params(n),
    )
    expectNoErrorLogged()
    report('serve GET requests', n, t)
  })
})
