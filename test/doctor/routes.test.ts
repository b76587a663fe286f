/**
 * doctor's other discovery routes against a real DNS server (dnsmasq on 127.0.0.1) and real
 * servers: a local ISPDB, Thunderbird's MX route, a successful guess, Autodiscover JSON v2, the
 * HTTP-redirect step, Outlook's SRV record and --profile-url. The good cases are answered by
 * `mailprofile serve` itself (started in-process); each scenario asserts the steps, the verdict
 * per client and the finding codes.
 */
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {pino} from 'pino'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {ConnectToMap} from '../../src/core/doctor/connect-to.js'
import type {ClientReport} from '../../src/core/doctor/model.js'
import {type DoctorOptions, type DoctorResult, runDoctor} from '../../src/core/doctor/run-doctor.js'
import {startServe, type ServeHandle} from '../../src/core/serve/server.js'
import {runCli} from '../helpers/cli.js'
import {freePort} from '../helpers/ports.js'
import {createCertificate, createChain, type TestChain} from '../helpers/pki.js'
import {type MailServer, startMailServer} from '../servers/index.js'
import {type Dnsmasq, hasDnsmasq, startDnsmasq, startWeb, type WebFixture} from './harness.js'

const REQUIRED = process.env.MAILPROFILE_REQUIRE_REAL_SERVERS === '1'
const available = hasDnsmasq()

const SERVED = ['served.test', 'srvad.test', 'mxroute.test', 'redirect.test']

function settingsYaml(): string {
  const domains = SERVED.map(
    (d) => `  - domain: ${d}\n    incoming:\n      protocol: imap\n      host: imap.good.test\n      port: 993\n      security: ssl\n    outgoing:\n      host: smtp.good.test\n      port: 465\n      security: ssl\n`,
  ).join('')
  return `version: 1\norganization:\n  name: Routes\n  identifier: test.routes\ndomains:\n${domains}`
}

function autoconfigXml(host: string): string {
  return `<?xml version="1.0"?>\n<clientConfig version="1.1"><emailProvider id="ispdb.test"><domain>ispdbhit.test</domain><incomingServer type="imap"><hostname>${host}</hostname><port>993</port><socketType>SSL</socketType><username>%EMAILADDRESS%</username><authentication>password-cleartext</authentication></incomingServer><outgoingServer type="smtp"><hostname>smtp.good.test</hostname><port>465</port><socketType>SSL</socketType><username>%EMAILADDRESS%</username><authentication>password-cleartext</authentication></outgoingServer></emailProvider></clientConfig>`
}

describe.skipIf(!available && !REQUIRED)('doctor routes against dnsmasq, mailprofile serve and servers on 127.0.0.1', () => {
  let dns: Dnsmasq
  let web: WebFixture
  let imap: MailServer
  let smtp: MailServer
  let slowImap: MailServer
  let serveA: ServeHandle
  let serveB: ServeHandle
  let chain: TestChain
  let base: DoctorOptions
  let dir: string

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'doctor-routes-'))
    chain = createChain({dnsNames: ['imap.good.test', 'smtp.good.test', 'imap.guess.test', 'smtp.guess.test'], label: 'Routes'})
    const leaf = (...names: string[]) => {
      const c = createCertificate({issuer: chain.intermediate, dnsNames: names, subject: {commonName: names[0]}, key: {slot: 'leaf'}})
      return {key: c.keyPem, cert: c.pem + chain.intermediate.pem}
    }
    // serve's HTTPS certificate: every name the scenarios reach it by.
    const served = leaf('served.test', 'autodiscover.served.test', 'autoconfig.hoster.test', 'ad.hosted.test', 'mail.redirect.test')
    writeFileSync(join(dir, 'serve.key'), served.key)
    writeFileSync(join(dir, 'serve.pem'), served.cert)
    writeFileSync(join(dir, 'mail.yaml'), settingsYaml())
    writeFileSync(join(dir, 'root.pem'), chain.root.pem)
    const start = async (publicUrl: string, withHttp: boolean): Promise<ServeHandle> => {
      const started = await startServe({
        file: join(dir, 'mail.yaml'),
        listeners: [{host: '127.0.0.1', port: 0, tls: {cert: join(dir, 'serve.pem'), key: join(dir, 'serve.key')}}, ...(withHttp ? [{host: '127.0.0.1', port: 0}] : [])],
        publicUrl,
        redirectHttp: withHttp,
        trustProxy: [],
        logAddresses: false,
        env: {},
        logger: pino({level: 'silent'}),
        processMetrics: false,
      })
      if (!started.ok) throw new Error(`serve refused: ${started.message}`)
      return started.handle
    }
    serveA = await start('https://autodiscover.served.test', false)
    serveB = await start('https://mail.redirect.test', true)
    const portOf = (url: string) => Number(new URL(url).port)
    const [aHttps] = serveA.urls.map(portOf)
    const [bHttps, bHttp] = serveB.urls.map(portOf)

    web = await startWeb(
      {
        default: leaf('server12.hoster.test'),
        'ispdb.test': leaf('ispdb.test'),
        'autodiscover.good.test': leaf('autodiscover.good.test'),
        'never.test': leaf('never.test'),
        'autoconfig.never.test': leaf('autoconfig.never.test'),
        'autodiscover.never.test': leaf('autodiscover.never.test'),
        'autoconfig.slowimap.test': leaf('autoconfig.slowimap.test'),
        'autodiscover.redirurl.test': leaf('autodiscover.redirurl.test'),
      },
      {
        // Servers that accept the connection (and TLS) and never answer.
        'never.test': () => {},
        'autoconfig.never.test': () => {},
        'autodiscover.never.test': () => {},
        'http:never.test': () => {},
        'http:autoconfig.never.test': () => {},
        'http:autodiscover.never.test': () => {},
        'autodiscover.redirurl.test': (_req, res) => {
          res.setHeader('Content-Type', 'text/xml')
          res.end(
            '<?xml version="1.0" encoding="utf-8"?><Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006"><Response xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a"><Account><Action>redirectUrl</Action><RedirectUrl>https://autodiscover.good.test/autodiscover/autodiscover.xml</RedirectUrl></Account></Response></Autodiscover>',
          )
        },
        'autoconfig.slowimap.test': (_req, res) => {
          res.setHeader('Content-Type', 'text/xml')
          res.end(autoconfigXml('imap.slowimap.test'))
        },
        'ispdb.test': (req, res) => {
          if (req.url !== '/v1.1/ispdbhit.test') return void ((res.statusCode = 404), res.end())
          res.setHeader('Content-Type', 'text/xml')
          res.end(autoconfigXml('imap.good.test'))
        },
        'http:autodiscover.away.test': (_req, res) => {
          res.statusCode = 302
          res.setHeader('Location', 'https://autodiscover.good.test/autodiscover/autodiscover.xml')
          res.end()
        },
        'autodiscover.good.test': (req, res) => {
          if (req.method !== 'POST') return void ((res.statusCode = 405), res.end())
          res.setHeader('Content-Type', 'text/xml')
          res.end(
            '<?xml version="1.0" encoding="utf-8"?><Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006"><Response xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a"><Account><AccountType>email</AccountType><Action>settings</Action><Protocol><Type>IMAP</Type><Server>imap.good.test</Server><Port>993</Port><SPA>off</SPA><Encryption>SSL</Encryption></Protocol><Protocol><Type>SMTP</Type><Server>smtp.good.test</Server><Port>465</Port><SPA>off</SPA><Encryption>SSL</Encryption></Protocol></Account></Response></Autodiscover>',
          )
        },
      },
    )
    imap = await startMailServer({protocol: 'imap', mode: 'implicit', tls: {key: chain.leaf.keyPem, cert: chain.serverChainPem}})
    smtp = await startMailServer({protocol: 'smtp', mode: 'implicit', tls: {key: chain.leaf.keyPem, cert: chain.serverChainPem}})
    // TLS at once, then no greeting for a minute: the server probe hangs until doctor's deadline.
    slowImap = await startMailServer({protocol: 'imap', mode: 'implicit', tls: {key: chain.leaf.keyPem, cert: chain.serverChainPem}, greetingDelayMs: 60_000})
    const closed = await freePort()
    const records = [
      '--host-record=imap.good.test,127.0.0.1',
      '--host-record=smtp.good.test,127.0.0.1',
      '--host-record=autodiscover.good.test,127.0.0.1',
      '--host-record=ispdb.test,127.0.0.1',
      '--mx-host=ispdbhit.test,mx.ispdbhit.test,10',
      // Autodiscover JSON v2 on the bare domain; its Url names autodiscover.served.test.
      '--host-record=served.test,127.0.0.1',
      '--host-record=autodiscover.served.test,127.0.0.1',
      '--mx-host=served.test,mx.served.test,10',
      // Thunderbird's MX route: mxroute.test publishes nothing, its MX is run by hoster.test.
      '--mx-host=mxroute.test,mx.eu.hoster.test,10',
      '--host-record=autoconfig.hoster.test,127.0.0.1',
      // The guess: only imap. and smtp. exist.
      '--host-record=imap.guess.test,127.0.0.1',
      '--host-record=smtp.guess.test,127.0.0.1',
      // The HTTP redirect: autodiscover.redirect.test has no HTTPS, only a 302 on port 80.
      '--host-record=autodiscover.redirect.test,127.0.0.1',
      '--host-record=mail.redirect.test,127.0.0.1',
      '--host-record=autodiscover.away.test,127.0.0.1',
      // Outlook's SRV record, pointing at another host.
      '--srv-host=_autodiscover._tcp.srvad.test,ad.hosted.test,443,0,1',
      '--host-record=ad.hosted.test,127.0.0.1',
      '--host-record=never.test,127.0.0.1',
      '--host-record=autoconfig.never.test,127.0.0.1',
      '--host-record=autodiscover.never.test,127.0.0.1',
      '--host-record=autoconfig.slowimap.test,127.0.0.1',
      '--host-record=imap.slowimap.test,127.0.0.1',
      '--host-record=autodiscover.redirurl.test,127.0.0.1',
    ]
    dns = await startDnsmasq(records, 'imap.good.test')
    base = {
      dnsServer: dns.server,
      connectTo: ConnectToMap.parse([
        `:443:127.0.0.1:${web.httpsPort}`,
        `:80:127.0.0.1:${web.httpPort}`,
        `served.test:443:127.0.0.1:${aHttps}`,
        `autodiscover.served.test:443:127.0.0.1:${aHttps}`,
        `autoconfig.hoster.test:443:127.0.0.1:${aHttps}`,
        `ad.hosted.test:443:127.0.0.1:${aHttps}`,
        `autodiscover.redirect.test:443:127.0.0.1:${closed}`,
        `autodiscover.redirect.test:80:127.0.0.1:${bHttp}`,
        `mail.redirect.test:443:127.0.0.1:${bHttps}`,
        `imap.good.test:993:127.0.0.1:${imap.port}`,
        `smtp.good.test:465:127.0.0.1:${smtp.port}`,
        `imap.guess.test:993:127.0.0.1:${imap.port}`,
        `imap.guess.test:143:127.0.0.1:${closed}`,
        `smtp.guess.test:465:127.0.0.1:${smtp.port}`,
        `smtp.guess.test:587:127.0.0.1:${closed}`,
        `imap.slowimap.test:993:127.0.0.1:${slowImap.port}`,
      ]),
      timeoutSeconds: 2,
      now: new Date(),
      warnDays: 30,
      extraRoots: [chain.root.der],
      ispdb: false,
    }
  }, 60_000)

  afterAll(async () => {
    await Promise.all([dns?.stop(), web?.close(), imap?.close(), smtp?.close(), slowImap?.close(), serveA?.close(), serveB?.close()])
  })

  const client = (r: DoctorResult, name: string): ClientReport => r.clients.find((c) => c.client === name)!
  const codes = (r: {findings: Array<{code: string}>}) => r.findings.map((f) => f.code)
  const servers = (c: ClientReport) => c.config!.servers.map((s) => `${s.protocol} ${s.host}:${s.port} ${s.security}`)
  const lines = (c: ClientReport) => c.steps.map((s) => `${s.method} ${s.target} ${s.status ?? s.result}`)
  const CLEAN = ['imap imap.good.test:993 ssl', 'smtp smtp.good.test:465 ssl']

  it('an ISPDB hit (--ispdb, a local ISPDB): Thunderbird stops at the ISPDB, a third-party source', async () => {
    const res = await runCli(['doctor', 'alice@ispdbhit.test', '--client', 'thunderbird', '--dns', dns.server, '--connect-to', `:443:127.0.0.1:${web.httpsPort}`, '--connect-to', `:80:127.0.0.1:${web.httpPort}`, '--ispdb', 'https://ispdb.test/v1.1', '--no-probe', '--timeout', '2', '--ca', join(dir, 'root.pem'), '--json'])
    const doc = JSON.parse(res.stdout) as {clients: ClientReport[]; findings: Array<{code: string}>}
    const tb = doc.clients[0]!
    // The four autoconfig URLs do not resolve; the ISPDB (asked at the same time) answers.
    expect(lines(tb)).toEqual([
      'GET https://autoconfig.ispdbhit.test/mail/config-v1.1.xml?emailaddress=alice%40ispdbhit.test not-found',
      'GET https://ispdbhit.test/.well-known/autoconfig/mail/config-v1.1.xml?emailaddress=alice%40ispdbhit.test not-found',
      'GET http://autoconfig.ispdbhit.test/mail/config-v1.1.xml?emailaddress=alice%40ispdbhit.test not-found',
      'GET http://ispdbhit.test/.well-known/autoconfig/mail/config-v1.1.xml?emailaddress=alice%40ispdbhit.test not-found',
      'GET https://ispdb.test/v1.1/ispdbhit.test 200',
    ])
    expect(tb.steps[tb.stoppedAt!]!).toMatchObject({name: 'ISPDB (ispdbhit.test)', result: 'found', certificate: {accepted: true}})
    expect(tb.config!.source).toBe('https://ispdb.test/v1.1/ispdbhit.test')
    expect(servers(tb)).toEqual(CLEAN)
    expect(tb.sentence).toBe('Thunderbird will use ISPDB (ispdbhit.test) and set up imap.good.test:993 IMAP over SSL and smtp.good.test:465 SMTP over SSL.')
    expect(codes(doc)).toContain('discovery-third-party-source')
  }, 60_000)

  it("MX in another domain: Thunderbird's MX route finds the hoster's autoconfig (served by mailprofile serve)", async () => {
    const r = await runDoctor('alice@mxroute.test', {...base, clients: ['thunderbird']})
    const tb = client(r, 'thunderbird')
    const mx = tb.steps.find((s) => s.method === 'MX')!
    expect(mx).toMatchObject({target: 'mxroute.test', result: 'found'})
    expect(mx.detail).toContain('mx.eu.hoster.test')
    // The parent domain of the MX host, then its base domain by the public suffix list.
    expect(lines(tb).slice(-2)).toEqual([
      'GET https://autoconfig.eu.hoster.test/mail/config-v1.1.xml?emailaddress=alice%40mxroute.test not-found',
      'GET https://autoconfig.hoster.test/mail/config-v1.1.xml?emailaddress=alice%40mxroute.test 200',
    ])
    expect(tb.stoppedAt).toBe(tb.steps.length - 1)
    expect(tb.steps[tb.stoppedAt!]!.certificate).toMatchObject({accepted: true})
    expect(servers(tb)).toEqual(CLEAN)
    expect(tb.sentence).toBe('Thunderbird will use MX domain autoconfig (HTTPS, hoster.test) (via the MX mx.eu.hoster.test) and set up imap.good.test:993 IMAP over SSL and smtp.good.test:465 SMTP over SSL.')
    expect(codes(tb)).toEqual(['discovery-third-party-source'])
    expect(r.endpoints.map((e) => `${e.endpoint.host}:${e.endpoint.port}`).sort()).toEqual(['imap.good.test:993', 'smtp.good.test:465'])
    expect(r.findings.filter((f) => f.severity === 'error')).toEqual([])
  })

  it('a successful guess: the capability probes find imap. and smtp., the first working port of each wins', async () => {
    const r = await runDoctor('alice@guess.test', {...base, clients: ['thunderbird']})
    const tb = client(r, 'thunderbird')
    expect(tb.steps.find((s) => s.method === 'MX')).toMatchObject({result: 'not-found'})
    const probes = tb.steps.filter((s) => s.method === 'probe').map((s) => `${s.name} ${s.target} ${s.result}`)
    expect(probes).toEqual([
      'guess incoming imap://imap.guess.test:993 (ssl) found',
      'guess incoming imap://imap.guess.test:143 (starttls) not-found',
      'guess outgoing smtp://smtp.guess.test:465 (ssl) found',
      'guess outgoing smtp://smtp.guess.test:587 (starttls) not-found',
    ])
    expect(tb.config!.format).toBe('guess')
    expect(servers(tb)).toEqual(['imap imap.guess.test:993 ssl', 'smtp smtp.guess.test:465 ssl'])
    expect(tb.sentence).toBe('Thunderbird finds no configuration file and guesses imap.guess.test:993 IMAP over SSL and smtp.guess.test:465 SMTP over SSL.')
    expect(codes(tb)).toEqual(['discovery-guessed'])
    // Guessed servers are not probed again by the check engine; nothing was logged in to.
    expect(r.endpoints).toEqual([])
  })

  it('Autodiscover JSON v2 (mailprofile serve): its Url is POSTed to, and Outlook stops there', async () => {
    const r = await runDoctor('alice@served.test', {...base, clients: ['outlook']})
    const ol = client(r, 'outlook')
    expect(lines(ol)).toEqual(['GET https://served.test/autodiscover/autodiscover.json?Email=alice%40served.test&Protocol=AutodiscoverV1 200', 'POST https://autodiscover.served.test/autodiscover/autodiscover.xml 200'])
    expect(ol.steps[0]!.detail).toContain('points at https://autodiscover.served.test/autodiscover/autodiscover.xml')
    expect(ol.steps.every((s) => s.certificate?.accepted === true)).toBe(true)
    expect(ol.stoppedAt).toBe(1)
    expect(ol.steps[1]!.name).toBe('Autodiscover POX (from JSON v2)')
    expect(servers(ol)).toEqual(CLEAN)
    expect(ol.sentence).toBe('Outlook will use imap.good.test:993 IMAP over SSL and smtp.good.test:465 SMTP over SSL (from https://autodiscover.served.test/autodiscover/autodiscover.xml).')
    expect(codes(ol)).toEqual([])
    expect(r.findings.filter((f) => f.severity === 'error')).toEqual([])
  })

  it("the HTTP redirect (mailprofile serve --redirect-http): Outlook follows the 302 to HTTPS in the domain and POSTs again", async () => {
    const r = await runDoctor('alice@redirect.test', {...base, clients: ['outlook']})
    const ol = client(r, 'outlook')
    const tail = lines(ol).slice(-2)
    expect(tail).toEqual(['GET http://autodiscover.redirect.test/autodiscover/autodiscover.xml 302', 'POST https://mail.redirect.test/autodiscover/autodiscover.xml 200'])
    const get = ol.steps[ol.steps.length - 2]!
    expect(get).toMatchObject({name: 'HTTP redirect (GET)', result: 'redirect', redirect: 'https://mail.redirect.test/autodiscover/autodiscover.xml'})
    // HTTPS on autodiscover.redirect.test is refused, so the POX steps before failed.
    expect(ol.steps.find((s) => s.target === 'https://autodiscover.redirect.test/autodiscover/autodiscover.xml')).toMatchObject({result: 'failed'})
    expect(ol.stoppedAt).toBe(ol.steps.length - 1)
    expect(ol.steps[ol.stoppedAt!]!.certificate).toMatchObject({accepted: true})
    expect(servers(ol)).toEqual(CLEAN)
    expect(ol.sentence).toBe('Outlook will ask the user whether mail.redirect.test may configure the account, then use imap.good.test:993 IMAP over SSL and smtp.good.test:465 SMTP over SSL (from https://mail.redirect.test/autodiscover/autodiscover.xml).')
    expect(codes(ol)).not.toContain('discovery-redirect-other-domain')
    expect(codes(ol)).not.toContain('discovery-nothing-found')
  })

  it('an HTTP redirect to another domain is not followed silently: flagged, and the sentence says Outlook asks', async () => {
    const r = await runDoctor('alice@away.test', {...base, clients: ['outlook']})
    const ol = client(r, 'outlook')
    const get = ol.steps.find((s) => s.name === 'HTTP redirect (GET)')!
    expect(get).toMatchObject({status: 302, result: 'redirect', redirect: 'https://autodiscover.good.test/autodiscover/autodiscover.xml'})
    expect(codes(ol)).toContain('discovery-redirect-other-domain')
    expect(ol.findings.find((f) => f.code === 'discovery-redirect-other-domain')!.message).toContain('autodiscover.good.test')
    expect(lines(ol).slice(-1)).toEqual(['POST https://autodiscover.good.test/autodiscover/autodiscover.xml 200'])
    // autodiscover.away.test's HTTPS serves a web host's certificate: the warning comes first.
    expect(ol.sentence).toMatch(/^Outlook will show a certificate warning for autodiscover\.away\.test, then ask the user whether autodiscover\.good\.test may configure the account, then use imap\.good\.test:993/)
  })

  it('a POX redirectUrl to another domain: POSTed to, and flagged', async () => {
    const r = await runDoctor('alice@redirurl.test', {...base, clients: ['outlook']})
    const ol = client(r, 'outlook')
    expect(lines(ol).slice(-2)).toEqual(['POST https://autodiscover.redirurl.test/autodiscover/autodiscover.xml 200', 'POST https://autodiscover.good.test/autodiscover/autodiscover.xml 200'])
    expect(ol.steps[ol.steps.length - 2]).toMatchObject({result: 'redirect', redirect: 'https://autodiscover.good.test/autodiscover/autodiscover.xml'})
    expect(ol.steps[ol.stoppedAt!]!.name).toBe('Autodiscover POX (autodiscover.redirurl.test), redirectUrl')
    expect(servers(ol)).toEqual(CLEAN)
    expect(ol.findings.filter((f) => f.code === 'discovery-redirect-other-domain').map((f) => f.message)).toEqual([expect.stringContaining('redirectUrl to another domain, autodiscover.good.test')])
  })

  it("Outlook's SRV _autodiscover._tcp record: POX POSTed to its target (mailprofile serve)", async () => {
    const r = await runDoctor('alice@srvad.test', {...base, clients: ['outlook']})
    const ol = client(r, 'outlook')
    const srv = ol.steps.find((s) => s.method === 'SRV')!
    expect(srv).toMatchObject({name: 'SRV _autodiscover._tcp', target: '_autodiscover._tcp.srvad.test', result: 'found', detail: 'ad.hosted.test:443'})
    expect(lines(ol).slice(-1)).toEqual(['POST https://ad.hosted.test/autodiscover/autodiscover.xml 200'])
    expect(ol.stoppedAt).toBe(ol.steps.length - 1)
    // Everything before it failed: the names do not resolve.
    expect(ol.steps.slice(0, -2).every((s) => s.result === 'not-found')).toBe(true)
    expect(servers(ol)).toEqual(CLEAN)
    expect(ol.sentence).toContain('(from https://ad.hosted.test/autodiscover/autodiscover.xml)')
    expect(codes(ol)).not.toContain('discovery-nothing-found')
  })

  it('--profile-url: the profile mailprofile serve hands out is downloaded and inspected', async () => {
    const url = 'https://autodiscover.served.test/mobileconfig?emailaddress=alice%40served.test'
    const r = await runDoctor('alice@served.test', {...base, clients: ['apple'], profileUrl: url})
    const ap = client(r, 'apple')
    expect(lines(ap)).toEqual(['MX served.test found', `GET ${url} 200`])
    expect(ap.stoppedAt).toBe(1)
    expect(ap.steps[1]!.certificate).toMatchObject({accepted: true})
    expect(ap.steps[1]!.detail).toMatch(/unsigned profile, \d+ payload\(s\)/)
    expect(ap.sentence).toBe(`An iPhone discovers nothing by itself; users who install the profile from ${url} get its mail account.`)
    // inspect's findings, pointing at the URL.
    expect(codes(ap)).toContain('apple-needs-profile')
    expect(codes(ap)).toContain('unsigned-profile')
    expect(ap.findings.find((f) => f.code === 'unsigned-profile')!.source!.file).toBe(url)
    expect(codes(ap)).not.toContain('profile-url-failed')
  })

  it('--profile-url that answers 404: profile-url-failed', async () => {
    const url = 'https://autodiscover.served.test/profiles/nobody%40elsewhere.test.mobileconfig'
    const r = await runDoctor('alice@served.test', {...base, clients: ['apple'], profileUrl: url})
    const ap = client(r, 'apple')
    expect(lines(ap)).toEqual(['MX served.test found', `GET ${url} 404`])
    expect(ap.stoppedAt).toBeUndefined()
    expect(codes(ap)).toContain('profile-url-failed')
    expect(ap.sentence).toContain('get an error instead')
  })

  it('the per-address deadline: servers that never answer are cut at --deadline, well before a step\'s own --timeout', async () => {
    const r = await runDoctor('alice@never.test', {...base, timeoutSeconds: 5, deadlineSeconds: 1})
    // One address never takes (much) longer than its deadline, though every step could wait 5 s.
    expect(r.durationMs).toBeLessThan(5000)
    const tb = client(r, 'thunderbird')
    expect(tb.steps.map((s) => `${s.name} ${s.result}`)).toEqual([
      'autoconfig (HTTPS) cut',
      '.well-known autoconfig (HTTPS) cut',
      'autoconfig (HTTP) cut',
      '.well-known autoconfig (HTTP) cut',
      'MX cut',
      'guess incoming cut',
      'guess outgoing cut',
    ])
    expect(tb.steps[0]!.detail).toContain("cut: doctor's 1 s deadline for this address ran out")
    const ol = client(r, 'outlook')
    expect(ol.steps.map((s) => `${s.method} ${s.target} ${s.result}`)).toEqual([
      'GET https://never.test/autodiscover/autodiscover.json?Email=alice%40never.test&Protocol=AutodiscoverV1 cut',
      'GET https://autodiscover.never.test/autodiscover/autodiscover.json?Email=alice%40never.test&Protocol=AutodiscoverV1 cut',
      'POST https://never.test/autodiscover/autodiscover.xml cut',
      'POST https://autodiscover.never.test/autodiscover/autodiscover.xml cut',
      'GET http://autodiscover.never.test/autodiscover/autodiscover.xml cut',
      'SRV _autodiscover._tcp.never.test cut',
    ])
    // The step cut while it waited was accepted at the TLS layer: it is the deadline, not a certificate, that ended it.
    expect(ol.steps[0]!.certificate).toMatchObject({accepted: true})
    for (const c of [tb, ol]) {
      expect(codes(c)).toContain('discovery-deadline-exceeded')
      // Nothing is claimed about what the client ends with.
      expect(codes(c)).not.toContain('discovery-nothing-found')
      expect(codes(c)).not.toContain('discovery-timeout')
      expect(c.config).toBeUndefined()
    }
    expect(ol.sentence).toBe("doctor's 1 s deadline ran out before Outlook was followed to the end: what it ends with is not known.")
    // DNS answered the SRV-reading clients and the iPhone's MX in time: not cut.
    expect(codes(client(r, 'srv'))).not.toContain('discovery-deadline-exceeded')
    expect(r.deadline.seconds).toBe(1)
    expect(r.deadline.cut.map((c) => c.client)).toEqual([...Array(7).fill('thunderbird'), ...Array(6).fill('outlook')])
    expect(r.findings.find((f) => f.code === 'discovery-deadline-exceeded')!.severity).toBe('error')
  })

  it('the deadline also bounds the server probes: a server that never greets is cut with deadline-exceeded', async () => {
    const r = await runDoctor('alice@slowimap.test', {...base, clients: ['thunderbird'], timeoutSeconds: 5, deadlineSeconds: 1.5})
    expect(r.durationMs).toBeLessThan(5000)
    const tb = client(r, 'thunderbird')
    expect(tb.steps[tb.stoppedAt!]!.target).toBe('https://autoconfig.slowimap.test/mail/config-v1.1.xml?emailaddress=alice%40slowimap.test')
    const ep = r.endpoints.find((e) => e.endpoint.host === 'imap.slowimap.test')!
    expect(ep.status).toBe('error')
    expect(ep.findings.map((f) => f.code)).toContain('deadline-exceeded')
    expect(ep.findings.map((f) => f.code)).not.toContain('timeout')
  })

  it('--deadline on the command line: one JSON document with deadline.cut, exit 1; a bad value exits 2', async () => {
    const args = ['doctor', 'alice@never.test', '--client', 'outlook', '--dns', dns.server, '--connect-to', `:443:127.0.0.1:${web.httpsPort}`, '--connect-to', `:80:127.0.0.1:${web.httpPort}`, '--no-ispdb', '--timeout', '5', '--ca', join(dir, 'root.pem')]
    const res = await runCli([...args, '--deadline', '1', '--json'])
    expect(res.code).toBe(1)
    const doc = JSON.parse(res.stdout) as {deadline: {seconds: number; cut: Array<{client: string; name: string; target: string}>}; findings: Array<{code: string}>}
    expect(doc.deadline.seconds).toBe(1)
    expect(doc.deadline.cut[0]).toEqual({client: 'outlook', name: 'Autodiscover JSON v2 (never.test)', target: 'https://never.test/autodiscover/autodiscover.json?Email=alice%40never.test&Protocol=AutodiscoverV1'})
    expect(doc.findings.map((f) => f.code)).toContain('discovery-deadline-exceeded')
    const text = await runCli([...args, '--deadline', '1'])
    expect(text.stdout).toContain("cut: doctor's 1 s deadline for this address ran out")
    const bad = await runCli([...args, '--deadline', '0', '--json'])
    expect(bad.code).toBe(2)
    expect((JSON.parse(bad.stdout) as {inputErrors: Array<{message: string}>}).inputErrors[0]!.message).toContain('--deadline "0": expected a number of seconds greater than 0')
  }, 60_000)
})
