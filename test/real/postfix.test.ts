/**
 * Real-server suite, Postfix: submission (STARTTLS, AUTH via Dovecot SASL after TLS) and
 * submissions (implicit TLS), plus a misconfigured submission service that offers no AUTH, on
 * 127.0.0.1 high ports with a test PKI made now. Dovecot provides IMAP and the SASL socket.
 * Skipped (with a message) when Postfix or Dovecot is missing or the tests do not run as root
 * (Postfix's master needs root), unless MAILPROFILE_REQUIRE_REAL_SERVERS=1 (CI).
 */
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {runCli} from '../helpers/cli.js'
import {createChain} from '../helpers/pki.js'
import {REQUIRE_REAL, postfixUnavailable, serverTempDir, startDovecot, startPostfix, writeSettingsFile, type RunningDovecot, type RunningPostfix} from './harness.js'

const unavailable = postfixUnavailable()
if (unavailable && !REQUIRE_REAL) {
  console.warn(`real-server suite (Postfix) SKIPPED: ${unavailable}. CI sets MAILPROFILE_REQUIRE_REAL_SERVERS=1 to require it.`)
}

interface JsonDoc {
  exitCode: number
  findings: Array<{code: string; severity: string; message: string; fix?: string; endpoint?: {host: string; port: number}; source?: {file: string; line?: number}}>
  endpoints: Array<{
    endpoint: {host: string; port: number; protocol: string; security: string}
    connection: {tls?: {version: string}; smtpAuthMechanisms?: string[]; greeting?: string}
    certificates: Array<{sha256: string}>
    findings: Array<{code: string}>
  }>
}

describe.skipIf(unavailable !== undefined && !REQUIRE_REAL)('real Postfix (submission STARTTLS + AUTH, submissions)', () => {
  const tmp = unavailable ? undefined : serverTempDir()
  const pki = createChain({dnsNames: ['mail.example.test', 'smtp.example.test'], label: 'Real Postfix'})
  let dovecot: RunningDovecot | undefined
  let postfix: RunningPostfix | undefined
  let dv = {imap: 0, imaps: 0, pop3s: 0}
  let pf = {submission: 0, submissions: 0, submissionNoAuth: 0}
  let caFile = ''
  let resolves: string[] = []

  beforeAll(async () => {
    if (unavailable) throw new Error(`MAILPROFILE_REQUIRE_REAL_SERVERS=1, but the real-server suite cannot run: ${unavailable}`)
    const dir = tmp!.dir
    dovecot = await startDovecot({dir: join(dir, 'dovecot'), certPem: pki.serverChainPem, keyPem: pki.leaf.keyPem})
    postfix = await startPostfix({dir: join(dir, 'postfix'), certPem: pki.serverChainPem, keyPem: pki.leaf.keyPem, authSocket: dovecot.authSocket})
    dv = dovecot.ports
    pf = postfix.ports
    caFile = join(dir, 'root.pem')
    writeFileSync(caFile, pki.root.pem)
    resolves = [dv.imaps, pf.submission, pf.submissions, pf.submissionNoAuth].flatMap((p) => ['--resolve', `mail.example.test:${p}:127.0.0.1`, '--resolve', `smtp.example.test:${p}:127.0.0.1`])
  }, 60_000)

  afterAll(async () => {
    await postfix?.stop()
    await dovecot?.stop()
    tmp?.remove()
  }, 30_000)

  const settingsFile = (name: string, domains: string): string => writeSettingsFile(tmp!.dir, name, domains)

  it('checks submission with STARTTLS and AUTH, and submissions with implicit TLS: no errors', async () => {
    const file = settingsFile(
      'good.yaml',
      `  - domain: example.test
    incoming: {protocol: imap, host: mail.example.test, port: ${dv.imaps}, security: ssl}
    outgoing: {host: smtp.example.test, port: ${pf.submission}, security: starttls}
  - domain: implicit.example.test
    incoming: {protocol: imap, host: mail.example.test, port: ${dv.imaps}, security: ssl}
    outgoing: {host: smtp.example.test, port: ${pf.submissions}, security: ssl}
`,
    )
    const r = await runCli(['check', file, '--ca', caFile, ...resolves, '--json'], {timeoutMs: 60_000})
    const doc = JSON.parse(r.stdout) as JsonDoc
    expect(doc.findings.filter((f) => f.severity === 'error'), `${r.stdout}\n${postfix!.log()}`).toEqual([])
    expect(r.code).toBe(0)
    const sub = doc.endpoints.find((e) => e.endpoint.port === pf.submission)!
    const subs = doc.endpoints.find((e) => e.endpoint.port === pf.submissions)!
    expect(sub.connection.greeting).toMatch(/^220 mail\.example\.test ESMTP/)
    expect(sub.connection.tls?.version).toMatch(/^TLSv1\.[23]$/)
    expect(sub.connection.smtpAuthMechanisms).toContain('PLAIN')
    expect(subs.connection.tls?.version).toMatch(/^TLSv1\.[23]$/)
    expect(subs.connection.smtpAuthMechanisms).toContain('PLAIN')
    expect(sub.certificates[0]!.sha256).toBe(pki.leaf.x509.fingerprint256)
    expect(doc.findings.map((f) => f.code)).not.toContain('certificate-differs')
  }, 90_000)

  it('reports smtp-auth-unavailable for a submission service without AUTH ("Recipient Rejected By Server")', async () => {
    const file = settingsFile(
      'no-auth.yaml',
      `  - domain: example.test
    incoming: {protocol: imap, host: mail.example.test, port: ${dv.imaps}, security: ssl}
    outgoing: {host: smtp.example.test, port: ${pf.submissionNoAuth}, security: starttls}
`,
    )
    const r = await runCli(['check', file, '--ca', caFile, ...resolves, '--json'], {timeoutMs: 60_000})
    expect(r.code, r.stdout).toBe(1)
    const doc = JSON.parse(r.stdout) as JsonDoc
    const noAuth = doc.findings.filter((f) => f.code === 'smtp-auth-unavailable')
    expect(noAuth, r.stdout).toHaveLength(1)
    expect(noAuth[0]!.endpoint).toMatchObject({host: 'smtp.example.test', port: pf.submissionNoAuth})
    expect(noAuth[0]!.source).toMatchObject({file, line: 8})
    const ep = doc.endpoints.find((e) => e.endpoint.port === pf.submissionNoAuth)!
    expect(ep.connection.smtpAuthMechanisms).toEqual([])
    expect(ep.connection.tls?.version).toMatch(/^TLSv1\.[23]$/)
  }, 90_000)
})
