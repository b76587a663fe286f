/**
 * doctor against a real DNS server (Debian's dnsmasq on 127.0.0.1, random port) and real HTTPS,
 * HTTP and IMAP/SMTP servers on 127.0.0.1 with certificates made at test time. Each scenario
 * asserts the steps, the verdict per client and the finding codes.
 */
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {ConnectToMap} from '../../src/core/doctor/connect-to.js'
import type {ClientReport} from '../../src/core/doctor/model.js'
import {type DoctorOptions, type DoctorResult, runDoctor} from '../../src/core/doctor/run-doctor.js'
import {loadSettings} from '../../src/core/settings/load.js'
import {runCli} from '../helpers/cli.js'
import {createCertificate, createChain, type TestChain} from '../helpers/pki.js'
import {type MailServer, startMailServer} from '../servers/index.js'
import {type Dnsmasq, hasDnsmasq, startDnsmasq, startWeb, type WebFixture} from './harness.js'

const REQUIRED = process.env.MAILPROFILE_REQUIRE_REAL_SERVERS === '1'
const available = hasDnsmasq()
if (!available && !REQUIRED) console.warn('doctor integration suite skipped: dnsmasq is not installed (apt-get install dnsmasq; MAILPROFILE_REQUIRE_REAL_SERVERS=1 makes this a failure)')

function autoconfig(incoming: string, outgoing = '<outgoingServer type="smtp"><hostname>smtp.good.test</hostname><port>465</port><socketType>SSL</socketType><username>%EMAILADDRESS%</username><authentication>password-cleartext</authentication></outgoingServer>'): string {
  return `<?xml version="1.0"?>\n<clientConfig version="1.1"><emailProvider id="x"><domain>x</domain>${incoming}${outgoing}</emailProvider></clientConfig>`
}
const GOOD_IN = '<incomingServer type="imap"><hostname>imap.good.test</hostname><port>993</port><socketType>SSL</socketType><username>%EMAILADDRESS%</username><authentication>password-cleartext</authentication></incomingServer>'

function pox(protocols: string): string {
  return `<?xml version="1.0" encoding="utf-8"?><Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006"><Response xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a"><Account><AccountType>email</AccountType><Action>settings</Action>${protocols}</Account></Response></Autodiscover>`
}
const POX_GOOD = pox('<Protocol><Type>IMAP</Type><Server>imap.good.test</Server><Port>993</Port><LoginName>alice@good.test</LoginName><SPA>off</SPA><Encryption>SSL</Encryption><AuthRequired>on</AuthRequired></Protocol><Protocol><Type>SMTP</Type><Server>smtp.good.test</Server><Port>465</Port><LoginName>alice@good.test</LoginName><SPA>off</SPA><Encryption>SSL</Encryption><AuthRequired>on</AuthRequired></Protocol>')

const xml = (body: string) => (_req: unknown, res: import('node:http').ServerResponse) => {
  res.setHeader('Content-Type', 'text/xml')
  res.end(body)
}

describe.skipIf(!available && !REQUIRED)('doctor against dnsmasq and servers on 127.0.0.1', () => {
  let dns: Dnsmasq
  let web: WebFixture
  let imap: MailServer
  let smtp: MailServer
  let badImap: MailServer
  let chain: TestChain
  let base: DoctorOptions
  const leaf = (...names: string[]) => {
    const c = createCertificate({issuer: chain.intermediate, dnsNames: names, subject: {commonName: names[0]}, key: {slot: 'leaf'}})
    return {key: c.keyPem, cert: c.pem + chain.intermediate.pem}
  }

  beforeAll(async () => {
    chain = createChain({dnsNames: ['imap.good.test', 'smtp.good.test'], label: 'Doctor'})
    const expired = createCertificate({issuer: chain.intermediate, dnsNames: ['autodiscover.expired.test'], notBefore: new Date(Date.now() - 400 * 86_400_000), notAfter: new Date(Date.now() - 10 * 86_400_000), key: {slot: 'leaf'}})
    const names = ['autoconfig.good.test', 'autodiscover.good.test', 'good.test', 'autodiscover.webhost.test', 'autoconfig.loop.test', 'autoconfig.away.test', 'autoconfig.other.test', 'autodiscover.auth.test', 'autoconfig.html.test', 'autoconfig.badsection.test', 'autodiscover.tlsenc.test', 'autoconfig.drift.test', 'autoconfig.slow.test', 'autoconfig.srvcert.test']
    const certs: Record<string, {key: string; cert: string}> = {default: leaf('server12.hoster.test')}
    for (const n of names) certs[n] = leaf(n)
    certs['autodiscover.expired.test'] = {key: expired.keyPem, cert: expired.pem + chain.intermediate.pem}
    const handlers: Record<string, import('./harness.js').Handler> = {
      'autoconfig.good.test': xml(autoconfig(GOOD_IN)),
      'autodiscover.good.test': (req, res) => (req.method === 'POST' ? xml(POX_GOOD)(req, res) : ((res.statusCode = 405), res.end())),
      'autodiscover.webhost.test': xml(POX_GOOD),
      'autodiscover.expired.test': xml(POX_GOOD),
      'autoconfig.loop.test': (req, res) => {
        res.statusCode = 302
        res.setHeader('Location', req.url!.startsWith('/a') ? '/b' : '/a')
        res.end()
      },
      'autoconfig.away.test': (_req, res) => {
        res.statusCode = 302
        res.setHeader('Location', 'https://autoconfig.other.test/mail/config-v1.1.xml')
        res.end()
      },
      'autoconfig.other.test': xml(autoconfig(GOOD_IN)),
      'autodiscover.auth.test': (_req, res) => {
        res.statusCode = 401
        res.setHeader('WWW-Authenticate', 'Basic realm="autodiscover"')
        res.end()
      },
      'autoconfig.html.test': (_req, res) => {
        res.setHeader('Content-Type', 'text/html')
        res.end('<!DOCTYPE html><html><body>Welcome to our site</body></html>')
      },
      'autoconfig.badsection.test': xml(autoconfig('<incomingServer type="imap"><port>993</port><socketType>SSL</socketType></incomingServer>' + GOOD_IN)),
      'autodiscover.tlsenc.test': xml(pox('<Protocol><Type>IMAP</Type><Server>imap.good.test</Server><Port>993</Port><SPA>off</SPA><Encryption>TLS</Encryption></Protocol><Protocol><Type>SMTP</Type><Server>smtp.good.test</Server><Port>465</Port><Encryption>SSL</Encryption></Protocol>')),
      'autoconfig.drift.test': xml(autoconfig(GOOD_IN.replace('<port>993</port><socketType>SSL</socketType>', '<port>143</port><socketType>STARTTLS</socketType>'))),
      'autoconfig.slow.test': () => {},
    }
    web = await startWeb(certs, handlers)
    imap = await startMailServer({protocol: 'imap', mode: 'implicit', tls: {key: chain.leaf.keyPem, cert: chain.serverChainPem}})
    smtp = await startMailServer({protocol: 'smtp', mode: 'implicit', tls: {key: chain.leaf.keyPem, cert: chain.serverChainPem}})
    const other = leaf('unrelated.hoster.test')
    badImap = await startMailServer({protocol: 'imap', mode: 'implicit', tls: other})
    const domains = ['good', 'webhost', 'expired', 'loop', 'away', 'other', 'auth', 'html', 'badsection', 'tlsenc', 'drift', 'slow', 'srvcert']
    const records = [
      ...domains.flatMap((d) => [`--host-record=${d}.test,127.0.0.1`, `--host-record=autoconfig.${d}.test,127.0.0.1`, `--host-record=autodiscover.${d}.test,127.0.0.1`, `--mx-host=${d}.test,mx.${d}.test,10`]),
      '--host-record=imap.good.test,127.0.0.1',
      '--host-record=smtp.good.test,127.0.0.1',
      '--host-record=mail.srvcert.test,127.0.0.1',
      '--srv-host=_imaps._tcp.good.test,imap.good.test,993,0,1',
      '--srv-host=_submissions._tcp.good.test,smtp.good.test,465,0,1',
      '--srv-host=_imap._tcp.good.test',
      '--srv-host=_imaps._tcp.srvcert.test,mail.srvcert.test,993,0,1',
    ]
    dns = await startDnsmasq(records, 'good.test')
    base = {
      dnsServer: dns.server,
      connectTo: ConnectToMap.parse([`:443:127.0.0.1:${web.httpsPort}`, `:80:127.0.0.1:${web.httpPort}`, `imap.good.test:993:127.0.0.1:${imap.port}`, `smtp.good.test:465:127.0.0.1:${smtp.port}`, `mail.srvcert.test:993:127.0.0.1:${badImap.port}`]),
      timeoutSeconds: 2,
      now: new Date(),
      warnDays: 30,
      extraRoots: [chain.root.der],
      ispdb: false,
    }
  }, 60_000)

  afterAll(async () => {
    await Promise.all([dns?.stop(), web?.close(), imap?.close(), smtp?.close(), badImap?.close()])
  })

  const rootFile = () => {
    const f = join(mkdtempSync(join(tmpdir(), 'doctor-ca-')), 'root.pem')
    writeFileSync(f, chain.root.pem)
    return f
  }
  const client = (r: DoctorResult, name: string): ClientReport => r.clients.find((c) => c.client === name)!
  const codes = (r: {findings: Array<{code: string}>}) => r.findings.map((f) => f.code)

  it('a well set-up domain: Thunderbird stops at autoconfig over HTTPS, Outlook at autodiscover., SRV names the same servers, all probed clean', async () => {
    const r = await runDoctor('alice@good.test', base)
    const tb = client(r, 'thunderbird')
    expect(tb.steps[tb.stoppedAt!]!.name).toBe('autoconfig (HTTPS)')
    expect(tb.steps[tb.stoppedAt!]!.target).toBe('https://autoconfig.good.test/mail/config-v1.1.xml?emailaddress=alice%40good.test')
    expect(tb.steps[tb.stoppedAt!]!.certificate).toMatchObject({accepted: true})
    expect(tb.config!.servers.map((s) => `${s.protocol} ${s.host}:${s.port} ${s.security}`)).toEqual(['imap imap.good.test:993 ssl', 'smtp smtp.good.test:465 ssl'])
    expect(tb.sentence).toMatch(/^Thunderbird will use autoconfig \(HTTPS\) and set up imap\.good\.test:993 IMAP over SSL/)
    const ol = client(r, 'outlook')
    // JSON v2 on both hosts (404), POX on the bare domain (404, certificate fine), then autodiscover.
    expect(ol.steps.map((s) => `${s.method} ${s.target} ${s.status ?? ''}`)).toEqual([
      'GET https://good.test/autodiscover/autodiscover.json?Email=alice%40good.test&Protocol=AutodiscoverV1 404',
      'GET https://autodiscover.good.test/autodiscover/autodiscover.json?Email=alice%40good.test&Protocol=AutodiscoverV1 405',
      'POST https://good.test/autodiscover/autodiscover.xml 404',
      'POST https://autodiscover.good.test/autodiscover/autodiscover.xml 200',
    ])
    expect(ol.stoppedAt).toBe(3)
    expect(ol.sentence).toBe('Outlook will use imap.good.test:993 IMAP over SSL and smtp.good.test:465 SMTP over SSL (from https://autodiscover.good.test/autodiscover/autodiscover.xml).')
    const srv = client(r, 'srv')
    expect(srv.config!.servers.map((s) => `${s.host}:${s.port}`)).toEqual(['imap.good.test:993', 'smtp.good.test:465'])
    expect(codes(srv)).toContain('srv-not-offered')
    expect(r.endpoints.map((e) => `${e.endpoint.host}:${e.endpoint.port} ${e.status}`).sort()).toEqual(['imap.good.test:993 warning', 'smtp.good.test:465 warning'])
    expect(r.findings.filter((f) => f.severity === 'error')).toEqual([])
    // Never a credential: the POX bodies carry the address and the schema only.
    const posts = web.log.filter((l) => l.line.startsWith('POST'))
    expect(posts.length).toBeGreaterThan(0)
    for (const p of posts) {
      expect(p.headers.authorization).toBeUndefined()
      expect(p.body).toContain('<EMailAddress>alice@good.test</EMailAddress>')
      expect(p.body).not.toMatch(/password/i)
    }
  })

  it("a web host's certificate on the bare domain: Outlook warns for it, then uses autodiscover.", async () => {
    const r = await runDoctor('bob@webhost.test', {...base, clients: ['outlook']})
    const ol = client(r, 'outlook')
    const bare = ol.steps.find((s) => s.target === 'https://webhost.test/autodiscover/autodiscover.xml')!
    expect(bare.certificate).toMatchObject({accepted: false})
    expect(bare.certificate!.codes).toContain('hostname-mismatch')
    expect(codes(ol)).toContain('discovery-certificate-warning')
    expect(ol.sentence).toMatch(/^Outlook will show a certificate warning for webhost\.test, then use imap\.good\.test:993 IMAP over SSL/)
  })

  it('an expired certificate on autodiscover.: a warning Outlook users see, with the expired code', async () => {
    const r = await runDoctor('bob@expired.test', {...base, clients: ['outlook']})
    const ol = client(r, 'outlook')
    const step = ol.steps.find((s) => s.target === 'https://autodiscover.expired.test/autodiscover/autodiscover.xml')!
    expect(step.certificate!.codes).toContain('expired')
    expect(ol.findings.filter((f) => f.code === 'discovery-certificate-warning').map((f) => f.message)).toEqual(expect.arrayContaining([expect.stringContaining('https://autodiscover.expired.test/autodiscover/autodiscover.xml (expired')]))
  })

  it('a redirect loop: at most a few requests, then discovery-redirect-loop; Thunderbird moves on', async () => {
    const r = await runDoctor('bob@loop.test', {...base, clients: ['thunderbird']})
    const tb = client(r, 'thunderbird')
    const loop = tb.steps.filter((s) => s.target.startsWith('https://autoconfig.loop.test'))
    expect(loop.length).toBeGreaterThan(1)
    expect(loop.length).toBeLessThanOrEqual(11)
    expect(loop.every((s) => s.result === 'redirect')).toBe(true)
    expect(codes(tb)).toContain('discovery-redirect-loop')
    expect(tb.config).toBeUndefined()
    expect(codes(tb)).toContain('discovery-nothing-found')
  })

  it('a redirect to another domain: followed by Thunderbird, flagged', async () => {
    const r = await runDoctor('bob@away.test', {...base, clients: ['thunderbird']})
    const tb = client(r, 'thunderbird')
    expect(tb.steps[0]).toMatchObject({status: 302, result: 'redirect', redirect: 'https://autoconfig.other.test/mail/config-v1.1.xml'})
    expect(tb.steps[tb.stoppedAt!]!.target).toBe('https://autoconfig.other.test/mail/config-v1.1.xml')
    expect(codes(tb)).toContain('discovery-redirect-other-domain')
  })

  it('a 401 is reported and never answered with credentials', async () => {
    const before = web.log.length
    const r = await runDoctor('bob@auth.test', {...base, clients: ['outlook']})
    const ol = client(r, 'outlook')
    expect(ol.steps.find((s) => s.target === 'https://autodiscover.auth.test/autodiscover/autodiscover.xml')).toMatchObject({status: 401, result: 'failed'})
    expect(codes(ol)).toContain('discovery-unauthorized')
    const asked = web.log.slice(before).filter((l) => l.line.includes('autodiscover.auth.test'))
    expect(asked.every((l) => l.headers.authorization === undefined)).toBe(true)
    expect(asked.filter((l) => l.line.startsWith('POST')).length).toBe(1)
  })

  it('an HTML page where XML is expected', async () => {
    const r = await runDoctor('bob@html.test', {...base, clients: ['thunderbird']})
    const tb = client(r, 'thunderbird')
    expect(tb.steps[0]).toMatchObject({status: 200, result: 'failed'})
    expect(tb.steps[0]!.detail).toContain('HTML')
    expect(codes(tb)).toContain('discovery-not-xml')
  })

  it('an autoconfig file with a bad server section: that section skipped, the rest kept', async () => {
    const r = await runDoctor('bob@badsection.test', {...base, clients: ['thunderbird']})
    const tb = client(r, 'thunderbird')
    expect(codes(tb)).toContain('autoconfig-server-invalid')
    expect(tb.findings.find((f) => f.code === 'autoconfig-server-invalid')!.message).toContain('no <hostname>')
    expect(tb.config!.servers.filter((s) => s.role === 'incoming').map((s) => s.host)).toEqual(['imap.good.test'])
  })

  it('POX with Encryption TLS on 993, and a section without SPA', async () => {
    const r = await runDoctor('bob@tlsenc.test', {...base, clients: ['outlook']})
    const ol = client(r, 'outlook')
    expect(ol.config!.servers[0]).toMatchObject({host: 'imap.good.test', port: 993, security: 'starttls'})
    expect(codes(ol)).toEqual(expect.arrayContaining(['autodiscover-encryption-port', 'autodiscover-spa-missing', 'discovery-port-mode']))
  })

  it('a published configuration that differs from the settings: the field and both values', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'doctor-drift-'))
    const file = join(dir, 'drift.yaml')
    writeFileSync(file, 'version: 1\norganization:\n  name: Drift\n  identifier: test.drift\ndomains:\n  - domain: drift.test\n    incoming:\n      protocol: imap\n      host: imap.good.test\n      port: 993\n      security: ssl\n    outgoing:\n      host: smtp.good.test\n      port: 465\n      security: ssl\n')
    const loaded = loadSettings(file)
    expect(loaded.settings).toBeDefined()
    const r = await runDoctor('bob@drift.test', {...base, clients: ['thunderbird'], settings: loaded.settings})
    const drift = client(r, 'thunderbird').findings.filter((f) => f.code === 'discovery-drift').map((f) => f.message)
    expect(drift).toEqual(expect.arrayContaining([expect.stringContaining('incoming port "143"'), expect.stringContaining('incoming TLS mode "starttls"')]))
    expect(drift.find((m) => m.includes('port'))).toContain('the settings say "993"')
    expect(r.findings.find((f) => f.code === 'discovery-drift')!.source!.file).toContain('drift.yaml')
  })

  it('an SRV target without a certificate for its name fails the server check', async () => {
    const r = await runDoctor('bob@srvcert.test', {...base, clients: ['srv']})
    const srv = client(r, 'srv')
    expect(srv.config!.servers[0]).toMatchObject({host: 'mail.srvcert.test', port: 993})
    const ep = r.endpoints.find((e) => e.endpoint.host === 'mail.srvcert.test')!
    expect(ep.status).toBe('error')
    expect(ep.findings.map((f) => f.code)).toContain('hostname-mismatch')
    expect(srv.sentence).toMatch(/mail\.srvcert\.test:993 fails the server check \(.*hostname-mismatch/)
  })

  it('a server that never answers: the step times out within the limit', async () => {
    const started = Date.now()
    const r = await runDoctor('bob@slow.test', {...base, clients: ['thunderbird'], timeoutSeconds: 1})
    const tb = client(r, 'thunderbird')
    expect(tb.steps[0]).toMatchObject({result: 'failed'})
    expect(tb.steps[0]!.detail).toContain('no answer within 1 s')
    expect(codes(tb)).toContain('discovery-timeout')
    expect(Date.now() - started).toBeLessThan(15_000)
  })

  it('the CLI: --json is one document with clients and exit status 1 on error findings; text names every step', async () => {
    const args = ['doctor', 'bob@tlsenc.test', '--dns', dns.server, '--connect-to', `:443:127.0.0.1:${web.httpsPort}`, '--connect-to', `:80:127.0.0.1:${web.httpPort}`, '--no-ispdb', '--no-probe', '--timeout', '2', '--client', 'outlook', '--ca', rootFile()]
    const json = await runCli([...args, '--json'])
    expect(json.code).toBe(1)
    const doc = JSON.parse(json.stdout) as {clients: Array<{client: string; steps: unknown[]}>; findings: Array<{code: string}>}
    expect(doc.clients[0]!.client).toBe('outlook')
    expect(doc.findings.map((f) => f.code)).toContain('autodiscover-encryption-port')
    const text = await runCli(args)
    expect(text.stdout).toContain('POST https://autodiscover.tlsenc.test/autodiscover/autodiscover.xml 200')
    expect(text.stdout).toContain('↳ stops here')
    const gh = await runCli([...args, '--format', 'github'])
    expect(gh.stdout).toMatch(/^::error .*autodiscover-encryption-port/m)
  }, 60_000)

  it('--domains: one line per domain and the summary', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'doctor-domains-'))
    const file = join(dir, 'domains.txt')
    writeFileSync(file, '# customers\ngood.test\nhtml.test\nnowhere.test\n')
    const res = await runCli(['doctor', '--domains', file, '--dns', dns.server, '--connect-to', `:443:127.0.0.1:${web.httpsPort}`, '--connect-to', `:80:127.0.0.1:${web.httpPort}`, '--no-ispdb', '--timeout', '2', '--client', 'thunderbird,outlook', '--ca', rootFile(), '--json'])
    const doc = JSON.parse(res.stdout) as {summary: {total: number}; domains: Array<{input: string; clients: Record<string, string>; status: string}>}
    expect(doc.summary.total).toBe(3)
    expect(doc.domains.map((d) => d.input)).toEqual(['good.test', 'html.test', 'nowhere.test'])
    expect(doc.domains[0]!.clients).toEqual({thunderbird: 'autoconfig (HTTPS)', outlook: 'Autodiscover POX (autodiscover.good.test)'})
    expect(doc.domains[2]!.clients).toEqual({thunderbird: 'nothing', outlook: 'nothing'})
    // html.test: its bare domain serves the web host's certificate, which Outlook warns about.
    expect(doc.domains.map((d) => d.status)).toEqual(['ok', 'error', 'warning'])
    expect(res.code).toBe(1)
  }, 60_000)
})
