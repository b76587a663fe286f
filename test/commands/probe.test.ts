/**
 * `mailprofile probe` end to end: the built CLI against fixture IMAP/POP3/SMTP servers on
 * 127.0.0.1 with certificates made at test time. Each case asserts the exact finding code that a
 * real handshake produces, the exit status, and what the text tells a newcomer.
 */
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {runCli} from '../helpers/cli.js'
import {createCertificate, createChain, createSelfSigned} from '../helpers/pki.js'
import {refusedPort, startMailServer, startSilentServer, type MailServer, type TrackedServer} from '../servers/index.js'

const HOST = 'mail.example.test'
const dir = mkdtempSync(join(tmpdir(), 'mailprofile-probe-cli-'))
const pki = createChain({dnsNames: [HOST], label: 'Probe CLI'})
const caFile = join(dir, 'root.pem')
writeFileSync(caFile, pki.root.pem)
const good = {key: pki.leaf.keyPem, cert: pki.serverChainPem}

const servers: Array<MailServer | TrackedServer> = []
async function server(...args: Parameters<typeof startMailServer>): Promise<MailServer> {
  const s = await startMailServer(...args)
  servers.push(s)
  return s
}
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()))
  rmSync(dir, {recursive: true, force: true})
})

interface Doc {
  command: string
  exitCode: number
  summary: {error: number; warning: number; info: number}
  findings: Array<{code: string; severity: string; message: string; fix?: string; endpoint?: {host: string; port: number; address?: string}}>
  checkedAt: string
  appleTrustStoreVersion: string
  endpoints: Array<{
    endpoint: {host: string; port: number; protocol: string; security: string; address?: string}
    settingsSources: unknown[]
    connection: {remoteAddress?: string; durationMs: number; greeting?: string; tls?: {version: string; cipher: string}; smtpAuthMechanisms?: string[]}
    certificates: Array<{subject: string; issuer: string; dnsNames: string[]; notBefore: string; notAfter: string; keyType: string; keyBits?: number; signatureAlgorithm: string; sha256: string; role: string; sent: boolean}>
    trust?: {apple: {trusted: boolean; storeVersion: string}; mozilla: {trusted: boolean}; privateRoot?: {name: string; sha256: string}}
    findings: Array<{code: string}>
    status: string
  }>
}

const probeArgs = (s: {port: number}, protocol: string, security: string, ...extra: string[]) => ['probe', `${HOST}:${s.port}`, '--protocol', protocol, '--security', security, '--resolve', `${HOST}:${s.port}:127.0.0.1`, ...extra]
const codes = (doc: Doc) => doc.findings.map((f) => f.code).sort()

describe('probe', {timeout: 60_000}, () => {
  let imaps: MailServer
  beforeAll(async () => {
    imaps = await server({protocol: 'imap', mode: 'implicit', tls: good})
  })

  it('connects to 127.0.0.1 while sending and verifying the host name (--resolve), and prints the JSON document', async () => {
    const r = await runCli([...probeArgs(imaps, 'imap', 'ssl', '--ca', caFile), '--json'])
    expect(r.code, r.stderr).toBe(0)
    const doc = JSON.parse(r.stdout) as Doc
    expect(doc.command).toBe('probe')
    expect(doc.exitCode).toBe(0)
    // The server saw the host name as SNI although the CLI connected to an address.
    expect(imaps.servernames).toContain(HOST)
    expect(doc.endpoints).toHaveLength(1)
    const ep = doc.endpoints[0]!
    expect(ep.endpoint).toEqual({host: HOST, port: imaps.port, protocol: 'imap', security: 'ssl', address: '127.0.0.1'})
    expect(ep.settingsSources).toEqual([])
    expect(ep.connection.remoteAddress).toBe('127.0.0.1')
    expect(ep.connection.tls?.version).toBe('TLSv1.3')
    expect(ep.connection.tls?.cipher).toMatch(/^TLS_/)
    expect(ep.certificates.map((c) => [c.role, c.sent])).toEqual([
      ['leaf', true],
      ['intermediate', true],
      ['root', false],
    ])
    const leaf = ep.certificates[0]!
    expect(leaf).toMatchObject({dnsNames: [HOST], keyType: 'rsa', keyBits: 2048, signatureAlgorithm: 'sha256WithRSAEncryption', sha256: pki.leaf.x509.fingerprint256})
    expect(new Date(leaf.notAfter).getTime()).toBe(new Date(pki.leaf.x509.validTo).getTime())
    expect(ep.certificates[1]!.sha256).toBe(pki.intermediate.x509.fingerprint256)
    expect(ep.trust?.privateRoot?.sha256).toBe(pki.root.x509.fingerprint256)
    expect(ep.trust?.apple.trusted).toBe(false)
    expect(ep.trust?.apple.storeVersion).toBe(doc.appleTrustStoreVersion)
    expect(ep.trust?.mozilla.trusted).toBe(false)
    expect(codes(doc)).toEqual(['mozilla-untrusted', 'private-root'])
    expect(ep.status).toBe('warning')
  })

  it('tells in plain words what an iPhone shows and what to change: hostname-mismatch suggests a covered name', async () => {
    const shared = createChain({dnsNames: ['mx1.hoster.test', '*.hoster.test'], label: 'Hoster'})
    const s = await server({protocol: 'imap', mode: 'implicit', tls: {key: shared.leaf.keyPem, cert: shared.serverChainPem}})
    const ca = join(dir, 'hoster-root.pem')
    writeFileSync(ca, shared.root.pem)
    const r = await runCli(probeArgs(s, 'imap', 'ssl', '--ca', ca))
    expect(r.code).toBe(1)
    expect(r.stdout).toContain(`${HOST}:${s.port}  IMAP, implicit TLS via 127.0.0.1 (--resolve)`)
    expect(r.stdout).toContain('hostname-mismatch')
    expect(r.stdout).toContain(`Cannot Verify Server Identity: The identity of "${HOST}" cannot be verified by Mail.`)
    expect(r.stdout).toContain('"mx1.hoster.test", "*.hoster.test"')
    expect(r.stdout).toMatch(/fix: Use mx1\.hoster\.test as the server name/)
    expect(r.stdout).toMatch(/✖ iPhone, iPad and Mac Mail would show "Cannot Verify Server Identity" for this server: hostname-mismatch/)
    expect(r.stdout).toContain(shared.leaf.x509.fingerprint256)
    expect(r.stdout).toMatch(/CT {8}3 embedded SCTs from 3 logs/)
  })

  it('incomplete-chain: the server forgets its intermediate', async () => {
    const s = await server({protocol: 'pop3', mode: 'implicit', tls: {key: pki.leaf.keyPem, cert: pki.leafOnlyPem}})
    const doc = JSON.parse((await runCli([...probeArgs(s, 'pop3', 'ssl', '--ca', caFile), '--json'])).stdout) as Doc
    expect(doc.exitCode).toBe(1)
    expect(codes(doc)).toContain('incomplete-chain')
  })

  it('self-signed', async () => {
    const self = createSelfSigned({dnsNames: [HOST]})
    const s = await server({protocol: 'smtp', mode: 'implicit', tls: {key: self.keyPem, cert: self.pem}})
    const r = await runCli([...probeArgs(s, 'smtp', 'ssl'), '--json'])
    expect(r.code).toBe(1)
    expect(codes(JSON.parse(r.stdout) as Doc)).toContain('self-signed')
  })

  it('untrusted-root: the server sends its whole chain up to a root nobody trusts', async () => {
    const s = await server({protocol: 'imap', mode: 'starttls', tls: {key: pki.leaf.keyPem, cert: pki.fullChainPem}})
    const r = await runCli([...probeArgs(s, 'imap', 'starttls'), '--json'])
    expect(r.code).toBe(1)
    const doc = JSON.parse(r.stdout) as Doc
    expect(codes(doc)).toContain('untrusted-root')
    expect(doc.endpoints[0]!.certificates.map((c) => c.role)).toEqual(['leaf', 'intermediate', 'root'])
    expect(doc.endpoints[0]!.certificates[2]!.sha256).toBe(pki.root.x509.fingerprint256)
  })

  it('distrusted-root: the chain ends at a root the trust store lists as removed (--apple-trust-store)', async () => {
    // A snapshot of Apple's store in which this test's root is one Apple removed: the same shape
    // `npm run refresh:trust-store -- --out FILE` writes.
    const distrusted = createChain({dnsNames: [HOST], label: 'Distrusted'})
    const rootDer = Buffer.from(distrusted.root.x509.raw)
    const store = join(dir, 'trust-store-with-removed-root.json')
    const entry = {sha256: distrusted.root.x509.fingerprint256.replaceAll(':', ''), name: 'Distrusted Test Root', der: rootDer.toString('base64')}
    writeFileSync(store, JSON.stringify({version: '2099010100', roots: [], removed: [entry]}))
    const s = await server({protocol: 'imap', mode: 'implicit', tls: {key: distrusted.leaf.keyPem, cert: distrusted.serverChainPem}})
    const r = await runCli([...probeArgs(s, 'imap', 'ssl', '--apple-trust-store', store), '--json'])
    expect(r.code, r.stderr).toBe(1)
    const doc = JSON.parse(r.stdout) as Doc
    expect(doc.appleTrustStoreVersion).toBe('2099010100')
    expect(doc.endpoints[0]!.trust?.apple).toMatchObject({trusted: false, storeVersion: '2099010100'})
    const f = doc.findings.find((x) => x.code === 'distrusted-root')
    expect(f, r.stdout).toBeDefined()
    expect(f!.severity).toBe('error')
    expect(f!.message).toContain('Distrusted Test Root')
    expect(doc.findings.map((x) => x.code)).not.toContain('untrusted-root')
    // The same server judged against the shipped store: a root nobody trusts, not a removed one.
    const shipped = JSON.parse((await runCli([...probeArgs(s, 'imap', 'ssl'), '--json'])).stdout) as Doc
    expect(codes(shipped)).not.toContain('distrusted-root')
    expect(shipped.appleTrustStoreVersion).not.toBe('2099010100')
  })

  it("ct-scts-missing: a certificate from a public root without embedded SCTs (Apple's CT policy), from a real handshake", async () => {
    // This test's root plays a root of Apple's store (--apple-trust-store), so the chain is "public".
    const publicCa = createChain({dnsNames: [HOST], label: 'Public CA', leaf: {embeddedScts: 0}})
    const store = join(dir, 'trust-store-public-ca.json')
    const root = {sha256: publicCa.root.x509.fingerprint256.replaceAll(':', ''), name: 'Public CA Root', der: Buffer.from(publicCa.root.x509.raw).toString('base64')}
    writeFileSync(store, JSON.stringify({version: '2099010100', roots: [root], removed: []}))
    const bare = await server({protocol: 'imap', mode: 'implicit', tls: {key: publicCa.leaf.keyPem, cert: publicCa.serverChainPem}})
    const r = await runCli([...probeArgs(bare, 'imap', 'ssl', '--apple-trust-store', store), '--json'])
    expect(r.code, r.stdout).toBe(1)
    const doc = JSON.parse(r.stdout) as Doc & {endpoints: Array<{certificates: Array<{embeddedScts?: {count: number; logs: number}}>}>}
    // Anchored at the store's root, but the chain fails Apple's CT policy: never "trusted" above it.
    expect(doc.endpoints[0]!.trust?.apple).toMatchObject({trusted: false, root: {name: 'Public CA Root'}, reason: 'the chain is anchored but fails validation: ct-scts-missing'})
    expect(codes(doc)).toEqual(['ct-scts-missing', 'mozilla-untrusted'])
    expect(doc.endpoints[0]!.certificates[0]!.embeddedScts).toBeUndefined()
    // The same CA's leaf with three SCTs from three logs, as public CAs issue them: clean.
    const logged = createCertificate({subject: {commonName: HOST}, dnsNames: [HOST], key: {slot: 'leaf'}, issuer: publicCa.intermediate})
    const ok = await server({protocol: 'imap', mode: 'implicit', tls: {key: logged.keyPem, cert: logged.pem + publicCa.intermediate.pem}})
    const clean = JSON.parse((await runCli([...probeArgs(ok, 'imap', 'ssl', '--apple-trust-store', store), '--json'])).stdout) as typeof doc
    expect(clean.endpoints[0]!.certificates[0]!.embeddedScts).toEqual({count: 3, logs: 3})
    expect(codes(clean)).not.toContain('ct-scts-missing')
  })

  it('--at judges validity at another date: expired and not-yet-valid', async () => {
    const later = JSON.parse((await runCli([...probeArgs(imaps, 'imap', 'ssl', '--ca', caFile), '--at', '2099-01-01', '--json'])).stdout) as Doc
    expect(later.exitCode).toBe(1)
    expect(later.checkedAt).toBe('2099-01-01T00:00:00.000Z')
    expect(later.findings.filter((f) => f.code === 'expired').length).toBeGreaterThanOrEqual(1)
    const earlier = JSON.parse((await runCli([...probeArgs(imaps, 'imap', 'ssl', '--ca', caFile), '--at', '2001-01-01', '--json'])).stdout) as Doc
    expect(earlier.exitCode).toBe(1)
    expect(codes(earlier)).toContain('not-yet-valid')
  })

  it('--warn-days: expires-soon is a warning (exit 0)', async () => {
    const r = await runCli([...probeArgs(imaps, 'imap', 'ssl', '--ca', caFile), '--warn-days', '365', '--json'])
    expect(r.code).toBe(0)
    const doc = JSON.parse(r.stdout) as Doc
    expect(doc.findings.find((f) => f.code === 'expires-soon')?.severity).toBe('warning')
    // --strict: the same warnings fail the run, for pipelines that gate on them.
    const strict = await runCli([...probeArgs(imaps, 'imap', 'ssl', '--ca', caFile), '--warn-days', '365', '--strict', '--json'])
    expect(strict.code).toBe(1)
    expect((JSON.parse(strict.stdout) as Doc).exitCode).toBe(1)
  })

  it('tls-mode-mismatch: settings say implicit TLS, the server greets in plaintext', async () => {
    const s = await server({protocol: 'imap', mode: 'starttls', tls: good})
    const r = await runCli([...probeArgs(s, 'imap', 'ssl', '--ca', caFile), '--json'])
    expect(r.code).toBe(1)
    const doc = JSON.parse(r.stdout) as Doc
    expect(codes(doc)).toContain('tls-mode-mismatch')
    // probe has no settings file: the message says what was probed, not "the settings say".
    const mismatch = doc.findings.find((f) => f.code === 'tls-mode-mismatch')!
    expect(mismatch.message).toMatch(/^Probed as implicit TLS \(SSL\)/)
    expect(mismatch.message).not.toContain('settings')
  })

  it('starttls-unavailable: the server does not offer STLS', async () => {
    const s = await server({protocol: 'pop3', mode: 'starttls', tls: good, advertiseStarttls: false})
    const r = await runCli([...probeArgs(s, 'pop3', 'starttls', '--ca', caFile), '--json'])
    expect(r.code).toBe(1)
    expect(codes(JSON.parse(r.stdout) as Doc)).toContain('starttls-unavailable')
  })

  it('smtp-auth-unavailable: submission offers no AUTH after STARTTLS, in plain words', async () => {
    const s = await server({protocol: 'smtp', mode: 'starttls', tls: good, authAfterTls: []})
    const r = await runCli(probeArgs(s, 'smtp', 'starttls', '--ca', caFile))
    expect(r.code).toBe(1)
    expect(r.stdout).toContain('smtp-auth-unavailable')
    expect(r.stdout).toContain('Recipient Rejected By Server')
    expect(r.stdout).toContain('✖ iPhone, iPad and Mac Mail would fail to send mail here ("Recipient Rejected By Server"): smtp-auth-unavailable')
    expect(r.stdout).toMatch(/AUTH\s+\(none offered\)/)
  })

  it('imap-login-disabled: LOGINDISABLED after TLS, said in plain words (a probe signs in with a password)', async () => {
    const s = await server({protocol: 'imap', mode: 'implicit', tls: good, loginDisabledAfterTls: true, authAfterTls: []})
    const r = await runCli(probeArgs(s, 'imap', 'ssl', '--ca', caFile))
    expect(r.code).toBe(1)
    expect(r.stdout).toContain('✖ iPhone, iPad and Mac Mail would connect but could never sign in (they keep asking for the password): imap-login-disabled')
  })

  it('SMTP with STARTTLS and AUTH is clean apart from the private root', async () => {
    const s = await server({protocol: 'smtp', mode: 'starttls', tls: good})
    const r = await runCli([...probeArgs(s, 'smtp', 'starttls', '--ca', caFile), '--json'])
    expect(r.code).toBe(0)
    const doc = JSON.parse(r.stdout) as Doc
    expect(doc.endpoints[0]!.connection.smtpAuthMechanisms).toEqual(['PLAIN', 'LOGIN'])
    expect(doc.summary.error).toBe(0)
  })

  it('timeout: a server that never greets costs at most the --timeout', async () => {
    const silent = await startSilentServer()
    servers.push(silent)
    const started = Date.now()
    const r = await runCli([...probeArgs(silent, 'imap', 'starttls'), '--timeout', '0.5', '--json'])
    expect(Date.now() - started).toBeLessThan(8000)
    expect(r.code).toBe(1)
    const doc = JSON.parse(r.stdout) as Doc
    expect(codes(doc)).toEqual(['timeout'])
    expect(doc.endpoints[0]!.certificates).toEqual([])
    expect(doc.endpoints[0]!.trust).toBeUndefined()
  })

  it('--deadline cuts the run and says so, in JSON (deadline.cut) and in text', async () => {
    const silent = await startSilentServer()
    servers.push(silent)
    const r = await runCli([...probeArgs(silent, 'imap', 'starttls'), '--timeout', '30', '--deadline', '0.4', '--json'])
    expect(r.code).toBe(1)
    const doc = JSON.parse(r.stdout) as Doc & {deadline?: {seconds: number; cut: Array<{host: string; port: number}>}}
    expect(codes(doc)).toEqual(['deadline-exceeded'])
    expect(doc.deadline).toEqual({seconds: 0.4, cut: [expect.objectContaining({host: 'mail.example.test', port: silent.port})]})
    const text = await runCli([...probeArgs(silent, 'imap', 'starttls'), '--timeout', '30', '--deadline', '0.4'])
    expect(text.stdout).toContain(`--deadline 0.4 s cut 1 endpoint before their check finished (deadline-exceeded): mail.example.test:${silent.port}`)
    const bad = await runCli([...probeArgs(silent, 'imap', 'starttls'), '--deadline', '0'])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain('--deadline "0"')
  })

  it('an internationalized host name: given in Unicode to probe and --resolve alike, matched after IDNA conversion', async () => {
    const idn = createChain({dnsNames: ['xn--bcher-kva.example.test'], label: 'IDN'})
    const s = await server({protocol: 'imap', mode: 'implicit', tls: {key: idn.leaf.keyPem, cert: idn.serverChainPem}})
    const idnCa = join(dir, 'idn-root.pem')
    writeFileSync(idnCa, idn.root.pem)
    // The host in upper-case Unicode for probe, lower-case Unicode with a trailing dot for --resolve.
    const r = await runCli(['probe', `BÜCHER.example.test:${s.port}`, '--protocol', 'imap', '--resolve', `bücher.example.test.:${s.port}:127.0.0.1`, '--ca', idnCa, '--json'])
    expect(r.stderr).not.toContain('matched no endpoint')
    const doc = JSON.parse(r.stdout) as Doc
    expect(doc.endpoints[0]!.endpoint).toMatchObject({host: 'xn--bcher-kva.example.test', address: '127.0.0.1'})
    expect(codes(doc)).not.toContain('hostname-mismatch')
    expect(codes(doc)).not.toContain('connection-failed')
    expect(s.servernames).toEqual(['xn--bcher-kva.example.test'])
    // The A-label form in --resolve matches a Unicode host too.
    const r2 = await runCli(['probe', `bücher.example.test:${s.port}`, '--protocol', 'imap', '--resolve', `xn--bcher-kva.example.test:${s.port}:127.0.0.1`, '--ca', idnCa, '--json'])
    expect(r2.stderr).not.toContain('matched no endpoint')
    expect((JSON.parse(r2.stdout) as Doc).endpoints[0]!.endpoint).toMatchObject({address: '127.0.0.1'})
  })

  it('connection-failed: nothing listens', async () => {
    const port = await refusedPort()
    const r = await runCli([...probeArgs({port}, 'pop3', 'ssl'), '--json'])
    expect(r.code).toBe(1)
    expect(codes(JSON.parse(r.stdout) as Doc)).toEqual(['connection-failed'])
  })

  it('--format github prints one annotation per finding', async () => {
    const s = await server({protocol: 'smtp', mode: 'starttls', tls: good, authAfterTls: []})
    const r = await runCli([...probeArgs(s, 'smtp', 'starttls', '--ca', caFile), '--format', 'github'])
    expect(r.code).toBe(1)
    expect(r.stdout).toMatch(new RegExp(`^::error title=${HOST.replaceAll('.', '\\.')}%3A${s.port} smtp-auth-unavailable::`, 'm'))
  })

  it('takes an IPv6 literal in brackets and defaults the port per RFC 8314', async () => {
    const r = await runCli(['probe', '[::1]:1', '--protocol', 'imap', '--timeout', '2', '--json'])
    const doc = JSON.parse(r.stdout) as Doc
    expect(doc.endpoints[0]!.endpoint).toMatchObject({host: '::1', port: 1})
    expect(codes(doc)).toEqual(['connection-failed'])
    // Port defaults: 995 for POP3 over implicit TLS, 587 for SMTP with STARTTLS (nothing listens: refused or unreachable).
    const pop = JSON.parse((await runCli(['probe', '127.0.0.1', '--protocol', 'pop3', '--timeout', '2', '--json'])).stdout) as Doc
    expect(pop.endpoints[0]!.endpoint.port).toBe(995)
    const smtp = JSON.parse((await runCli(['probe', '127.0.0.1', '--protocol', 'smtp', '--security', 'starttls', '--timeout', '2', '--json'])).stdout) as Doc
    expect(smtp.endpoints[0]!.endpoint.port).toBe(587)
  })

  it('a well-known port stands for its protocol and TLS mode; explicit flags win', async () => {
    const endpointOf = async (...args: string[]) => (JSON.parse((await runCli(['probe', ...args, '--timeout', '1', '--json'])).stdout) as Doc).endpoints[0]!.endpoint
    expect(await endpointOf('127.0.0.1:143')).toMatchObject({port: 143, protocol: 'imap', security: 'starttls'})
    expect(await endpointOf('127.0.0.1:465')).toMatchObject({port: 465, protocol: 'smtp', security: 'ssl'})
    expect(await endpointOf('127.0.0.1:25')).toMatchObject({port: 25, protocol: 'smtp', security: 'starttls'})
    expect(await endpointOf('127.0.0.1:995', '--security', 'starttls')).toMatchObject({port: 995, protocol: 'pop3', security: 'starttls'})
    // Another protocol than the port's: its TLS mode no longer follows from the port.
    expect(await endpointOf('127.0.0.1:143', '--protocol', 'smtp')).toMatchObject({port: 143, protocol: 'smtp', security: 'ssl'})
  })

  it.each([
    [['probe', 'mail.example.test:99999', '--protocol', 'imap'], /port must be a number/],
    [['probe', 'mail.example.test', '--protocol', 'imap', '--resolve', 'mail.example.test:993'], /expected HOST:PORT:ADDRESS/],
    [['probe', 'mail.example.test', '--protocol', 'imap', '--at', 'next week'], /--at "next week"/],
    [['probe', 'mail.example.test', '--protocol', 'imap', '--ca', '/nonexistent/root.pem'], /cannot read the CA file/],
    [['probe', 'mail.example.test', '--protocol', 'imap', '--timeout', '0'], /--timeout "0"/],
    [['probe', 'mail.example.test', '--protocol', 'imap', '--apple-trust-store', '/nonexistent/store.json'], /--apple-trust-store: cannot read the trust store file \(no such file\)/],
    [['probe', 'mail.example.test', '--protocol', 'imap', '--apple-trust-store', 'package.json'], /package\.json: --apple-trust-store: not an Apple trust store file \(no "roots" list\)/],
    [['probe', 'mail.example.test'], /--protocol imap\|pop3\|smtp is required \(it can be left out only for a well-known mail port/],
    [['probe', 'mail.example.test:2525'], /--protocol imap\|pop3\|smtp is required for port 2525/],
    [['probe', 'mail.example.test', '--protocol', 'nntp'], /protocol/i],
  ])('exits 2 on unusable input: %j', async (args, message) => {
    const r = await runCli(args)
    expect(r.code).toBe(2)
    expect(r.stdout).toBe('')
    expect(r.stderr).toMatch(message)
    expect(r.stderr).not.toMatch(/\n\s+at /) // no stack trace
  })
})
