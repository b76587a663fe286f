/**
 * Real-server suite, Dovecot: IMAP with implicit TLS (993-style) and STARTTLS (143-style) and
 * POP3S, started on 127.0.0.1 high ports with a test PKI made now; `mailprofile check` and `probe`
 * run against it through the built CLI, with --resolve from mail.example.test to 127.0.0.1 and the
 * private root passed with --ca. Skipped (with a message) when Dovecot is not installed, unless
 * MAILPROFILE_REQUIRE_REAL_SERVERS=1 (CI), which makes its absence a failure.
 */
import {execFileSync} from 'node:child_process'
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {runCli} from '../helpers/cli.js'
import {createChain} from '../helpers/pki.js'
import {startMailServer, type MailServer} from '../servers/index.js'
import {REQUIRE_REAL, dovecotUnavailable, serverTempDir, startDovecot, writeSettingsFile, type RunningDovecot} from './harness.js'

const unavailable = dovecotUnavailable()
if (unavailable && !REQUIRE_REAL) {
  console.warn(`real-server suite (Dovecot) SKIPPED: ${unavailable}. CI sets MAILPROFILE_REQUIRE_REAL_SERVERS=1 to require it.`)
}

interface Endpoint {
  host: string
  port: number
  protocol: string
  security: string
  address?: string
}
interface JsonDoc {
  exitCode: number
  summary: {error: number; warning: number; info: number}
  findings: Array<{code: string; severity: string; message: string; fix?: string; endpoint?: Endpoint; source?: {file: string; line?: number}}>
  endpoints: Array<{
    endpoint: Endpoint
    connection: {tls?: {version: string; cipher: string}; remoteAddress?: string; plaintextCapabilities?: string[]; capabilities?: string[]}
    certificates: Array<{subject: string; dnsNames: string[]; sha256: string; sent: boolean; role: string}>
    trust?: {apple: {trusted: boolean}; mozilla: {trusted: boolean}; privateRoot?: {name: string}}
    findings: Array<{code: string}>
    status: string
  }>
}

describe.skipIf(unavailable !== undefined && !REQUIRE_REAL)('real Dovecot (IMAP, IMAP STARTTLS, POP3S)', () => {
  const tmp = unavailable ? undefined : serverTempDir()
  const pki = createChain({dnsNames: ['mail.example.test'], label: 'Real Dovecot'})
  let dovecot: RunningDovecot | undefined
  let smtp: MailServer | undefined
  let ports = {imap: 0, imaps: 0, pop3s: 0}
  let caFile = ''
  let resolves: string[] = []

  beforeAll(async () => {
    if (unavailable) throw new Error(`MAILPROFILE_REQUIRE_REAL_SERVERS=1, but the real-server suite cannot run: ${unavailable}`)
    const dir = tmp!.dir
    dovecot = await startDovecot({dir: join(dir, 'dovecot'), certPem: pki.serverChainPem, keyPem: pki.leaf.keyPem})
    ports = dovecot.ports
    // The settings need an outgoing server too: a fixture SMTP server with the same certificate.
    smtp = await startMailServer({protocol: 'smtp', mode: 'implicit', tls: {key: pki.leaf.keyPem, cert: pki.serverChainPem}})
    caFile = join(dir, 'root.pem')
    writeFileSync(caFile, pki.root.pem)
    resolves = [ports.imap, ports.imaps, ports.pop3s, smtp.port].flatMap((p) => ['--resolve', `mail.example.test:${p}:127.0.0.1`])
  }, 60_000)

  afterAll(async () => {
    await dovecot?.stop()
    await smtp?.close()
    tmp?.remove()
  }, 30_000)

  const settingsFile = (name: string, domains: string): string => writeSettingsFile(tmp!.dir, name, domains)

  it('checks a correct setup: TLS on all three services, chain from the private root, no errors', async () => {
    const file = settingsFile(
      'good.yaml',
      `  - domain: example.test
    incoming: {protocol: imap, host: mail.example.test, port: ${ports.imaps}, security: ssl}
    outgoing: {host: mail.example.test, port: ${smtp!.port}, security: ssl}
  - domain: starttls.example.test
    incoming: {protocol: imap, host: mail.example.test, port: ${ports.imap}, security: starttls}
    outgoing: {host: mail.example.test, port: ${smtp!.port}, security: ssl}
  - domain: pop.example.test
    incoming: {protocol: pop3, host: mail.example.test, port: ${ports.pop3s}, security: ssl}
    outgoing: {host: mail.example.test, port: ${smtp!.port}, security: ssl}
`,
    )
    const r = await runCli(['check', file, '--ca', caFile, ...resolves, '--json'], {timeoutMs: 60_000})
    const doc = JSON.parse(r.stdout) as JsonDoc
    expect(doc.findings.filter((f) => f.severity === 'error'), dovecot!.log()).toEqual([])
    expect(r.code).toBe(0)
    expect(doc.endpoints.map((e) => `${e.endpoint.protocol}/${e.endpoint.security}/${e.endpoint.port}`).sort()).toEqual(
      [`imap/ssl/${ports.imaps}`, `imap/starttls/${ports.imap}`, `pop3/ssl/${ports.pop3s}`, `smtp/ssl/${smtp!.port}`].sort(),
    )
    // The leaf's fingerprint as openssl computes it from the certificate we gave Dovecot.
    const leafPem = join(tmp!.dir, 'leaf.pem')
    writeFileSync(leafPem, pki.leaf.pem)
    const opensslFp = execFileSync('openssl', ['x509', '-in', leafPem, '-noout', '-fingerprint', '-sha256'], {encoding: 'utf8'}).trim().split('=')[1]
    for (const e of doc.endpoints) {
      expect(e.endpoint.address).toBe('127.0.0.1')
      expect(e.connection.tls?.version).toMatch(/^TLSv1\.[23]$/)
      expect(e.certificates[0]!.sha256).toBe(opensslFp)
      expect(e.certificates[0]!.dnsNames).toEqual(['mail.example.test'])
      expect(e.certificates.filter((c) => c.sent)).toHaveLength(2)
      expect(e.trust?.privateRoot?.name).toBe('Real Dovecot Root CA')
      expect(e.trust?.apple.trusted).toBe(false)
      expect(e.findings.map((f) => f.code)).toContain('private-root')
    }
    const starttls = doc.endpoints.find((e) => e.endpoint.security === 'starttls')!
    expect(starttls.connection.plaintextCapabilities?.join(' ')).toMatch(/STARTTLS/)
  }, 90_000)

  it('reports what a device would reject: a name the certificate lacks, TLS mode contradicting the port', async () => {
    const file = settingsFile(
      'bad.yaml',
      `  - domain: example.test
    incoming: {protocol: imap, host: imap.example.test, port: ${ports.imaps}, security: ssl}
    outgoing: {host: mail.example.test, port: ${smtp!.port}, security: ssl}
  - domain: mode.example.test
    incoming: {protocol: imap, host: mail.example.test, port: ${ports.imap}, security: ssl}
    outgoing: {host: mail.example.test, port: ${smtp!.port}, security: ssl}
`,
    )
    const r = await runCli(['check', file, '--ca', caFile, ...resolves, '--resolve', `imap.example.test:${ports.imaps}:127.0.0.1`, '--json'], {timeoutMs: 60_000})
    expect(r.code).toBe(1)
    const doc = JSON.parse(r.stdout) as JsonDoc
    const mismatch = doc.findings.find((f) => f.code === 'hostname-mismatch')
    expect(mismatch, r.stdout).toBeDefined()
    expect(mismatch!.endpoint).toMatchObject({host: 'imap.example.test', port: ports.imaps, address: '127.0.0.1'})
    expect(mismatch!.message).toContain('"mail.example.test"')
    expect(mismatch!.fix).toContain('mail.example.test')
    // It points at the settings line that names the server.
    expect(mismatch!.source).toMatchObject({file, line: 7})
    const mode = doc.findings.find((f) => f.code === 'tls-mode-mismatch')
    expect(mode, r.stdout).toBeDefined()
    expect(mode!.endpoint).toMatchObject({port: ports.imap, security: 'ssl'})
  }, 90_000)

  it('probe tells in plain words that an iPhone would connect, with the chain and its fingerprints', async () => {
    const r = await runCli(['probe', `mail.example.test:${ports.pop3s}`, '--protocol', 'pop3', '--ca', caFile, '--resolve', `mail.example.test:${ports.pop3s}:127.0.0.1`], {timeoutMs: 60_000})
    expect(r.code, r.stdout + r.stderr).toBe(0)
    expect(r.stdout).toContain(`mail.example.test:${ports.pop3s}  POP3, implicit TLS via 127.0.0.1`)
    expect(r.stdout).toContain(pki.leaf.x509.fingerprint256)
    expect(r.stdout).toContain(pki.intermediate.x509.fingerprint256)
    expect(r.stdout).toMatch(/⚠ iPhone, iPad and Mac Mail connect only once your private root is installed \(by the profile\) and fully trusted: private-root/)
    expect(r.stdout).toContain('Certificate Trust Settings')
  }, 60_000)

  it('a mechanism Dovecot does not offer (CRAM-MD5, NTLM) can never sign in: auth-mechanism-unsupported', async () => {
    const file = settingsFile(
      'auth.yaml',
      `  - domain: example.test
    incoming: {protocol: imap, host: mail.example.test, port: ${ports.imap}, security: starttls, authentication: crammd5}
    outgoing: {host: mail.example.test, port: ${smtp!.port}, security: ssl}
  - domain: pop.example.test
    incoming: {protocol: pop3, host: mail.example.test, port: ${ports.pop3s}, security: ssl, authentication: ntlm}
    outgoing: {host: mail.example.test, port: ${smtp!.port}, security: ssl}
`,
    )
    const r = await runCli(['check', file, '--ca', caFile, ...resolves, '--json'], {timeoutMs: 60_000})
    expect(r.code).toBe(1)
    const doc = JSON.parse(r.stdout) as JsonDoc
    const unsupported = doc.findings.filter((f) => f.code === 'auth-mechanism-unsupported')
    expect(unsupported.map((f) => `${f.endpoint?.protocol}/${f.endpoint?.port}`).sort(), r.stdout).toEqual([`imap/${ports.imap}`, `pop3/${ports.pop3s}`].sort())
    expect(unsupported.find((f) => f.endpoint?.protocol === 'imap')!.message).toMatch(/AUTH PLAIN/)
    // Over TLS Dovecot allows LOGIN: a password account would be fine. (Before STARTTLS it offers
    // passwords too, but only because it treats connections from its own address as secure.)
    const imap = doc.endpoints.find((e) => e.endpoint.port === ports.imap)!
    expect(imap.connection.capabilities).not.toContain('LOGINDISABLED')
    expect(doc.findings.map((f) => f.code)).not.toContain('imap-login-disabled')
  }, 90_000)
})
