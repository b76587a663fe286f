/**
 * `mailprofile check FILE` end to end: settings files pointing at fixture servers on 127.0.0.1
 * (via --resolve), real handshakes, findings that point both at the endpoint and at the line of
 * the settings that names it, exit codes and the JSON document.
 */
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {runCli} from '../helpers/cli.js'
import {createChain} from '../helpers/pki.js'
import {makeSigningPki, openssl} from '../helpers/signing-fixtures.js'
import {startMailServer, type MailServer} from '../servers/index.js'

const HOST = 'mail.example.test'
const dir = mkdtempSync(join(tmpdir(), 'mailprofile-check-cli-'))
const pki = createChain({dnsNames: [HOST], label: 'Check CLI'})
// The same host name and CA, but an older leaf: what a daemon not reloaded after renewal serves.
const stale = createStaleVariant()
const caFile = join(dir, 'root.pem')
writeFileSync(caFile, pki.root.pem)

function createStaleVariant() {
  return createChain({dnsNames: [HOST], label: 'Check CLI', leaf: {key: {slot: 'stale-leaf'}, notBefore: new Date(Date.now() - 20 * 86_400_000)}})
}

interface Doc {
  command: string
  exitCode: number
  summary: {error: number; warning: number; info: number}
  file: string
  findings: Array<{code: string; severity: string; message: string; source?: {file: string; line?: number; column?: number}; endpoint?: {host: string; port: number; protocol?: string; address?: string}}>
  endpoints: Array<{
    endpoint: {host: string; port: number; protocol: string; security: string; address?: string}
    settingsSources: Array<{domain: string; role: string; file: string; line?: number; column?: number}>
    certificates: Array<{sha256: string}>
    findings: Array<{code: string}>
    status: string
  }>
}

let imaps: MailServer
let smtps: MailServer
let pop3s: MailServer
const servers: MailServer[] = []

beforeAll(async () => {
  const tls = {key: pki.leaf.keyPem, cert: pki.serverChainPem}
  imaps = await startMailServer({protocol: 'imap', mode: 'implicit', tls})
  smtps = await startMailServer({protocol: 'smtp', mode: 'starttls', tls})
  // Same CA and host name, another leaf certificate: certificate-differs.
  pop3s = await startMailServer({protocol: 'pop3', mode: 'implicit', tls: {key: stale.leaf.keyPem, cert: stale.serverChainPem}})
  servers.push(imaps, smtps, pop3s)
})
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()))
  rmSync(dir, {recursive: true, force: true})
})

const resolveAll = () => [imaps, smtps, pop3s].flatMap((s) => ['--resolve', `${HOST}:${s.port}:127.0.0.1`])

function settings(name: string, body: string): string {
  const file = join(dir, name)
  writeFileSync(file, `version: 1\norganization:\n  name: Check Test\n  identifier: test.example.check\n${body}`)
  return file
}

describe('check', {timeout: 90_000}, () => {
  it('passes a correct setup whose private root is named in the settings (trust.caFiles), with positions back into the file', async () => {
    const file = settings(
      'good.yaml',
      `trust:
  caFiles: [root.pem]
domains:
  - domain: example.test
    incoming:
      protocol: imap
      host: ${HOST}
      port: ${imaps.port}
    outgoing:
      host: ${HOST}
      port: ${smtps.port}
      security: starttls
  - domain: example.org
    incoming:
      protocol: imap
      host: ${HOST}
      port: ${imaps.port}
    outgoing:
      host: ${HOST}
      port: ${smtps.port}
      security: starttls
`,
    )
    writeFileSync(join(dir, 'root.pem'), pki.root.pem)
    const r = await runCli(['check', file, ...resolveAll(), '--json'])
    expect(r.code, r.stdout).toBe(0)
    const doc = JSON.parse(r.stdout) as Doc
    expect(doc.command).toBe('check')
    expect(doc.file).toBe(file)
    expect(doc.summary.error).toBe(0)
    // Two distinct endpoints, each named by both domains.
    // The root is in trust.caFiles, so the profile carries it: information, not a warning.
    expect(doc.endpoints.map((e) => [e.endpoint.protocol, e.endpoint.port, e.status])).toEqual([
      ['imap', imaps.port, 'ok'],
      ['smtp', smtps.port, 'ok'],
    ])
    expect(doc.endpoints[0]!.settingsSources).toEqual([
      {domain: 'example.test', role: 'incoming', file, line: 12, column: 13},
      {domain: 'example.org', role: 'incoming', file, line: 21, column: 13},
    ])
    const privateRoot = doc.findings.filter((f) => f.code === 'private-root-embedded')
    expect(privateRoot).toHaveLength(2)
    expect(privateRoot.map((f) => f.severity)).toEqual(['info', 'info'])
    // --strict passes a correct private-CA set-up; the text leads with the verdict and is short.
    const strict = await runCli(['check', file, ...resolveAll(), '--strict'])
    expect(strict.code, strict.stdout).toBe(0)
    expect(strict.stdout).toContain('✔ iPhone, iPad and Mac Mail connect once the profile, which installs your private root, is installed')
    expect(strict.stdout).not.toContain(pki.leaf.x509.fingerprint256)
    expect(strict.stdout).toContain('(--verbose: chain and fingerprints)')
    const verbose = await runCli(['check', file, ...resolveAll(), '--verbose'])
    expect(verbose.stdout).toContain(pki.leaf.x509.fingerprint256)
    expect(verbose.stdout).toContain('your private root  ✔ trusted — root "Check CLI Root CA" (the profile installs it)')
    expect(strict.stdout.split('\n').length).toBeLessThan(verbose.stdout.split('\n').length - 20)
    // private-root is about the server's certificate: it points at the host line, not the port line.
    expect(privateRoot[0]!.source).toMatchObject({file, line: 11, column: 13})
    expect(privateRoot[0]!.endpoint).toMatchObject({host: HOST, port: imaps.port, protocol: 'imap', address: '127.0.0.1'})
    // Without the CA in the settings or --ca, the same servers fail: the root is unknown.
    const bare = settings('bare.yaml', (await import('node:fs')).readFileSync(file, 'utf8').split('\n').slice(4).join('\n').replace('trust:\n  caFiles: [root.pem]\n', ''))
    const r2 = await runCli(['check', bare, ...resolveAll(), '--json'])
    expect(r2.code).toBe(1)
    expect((JSON.parse(r2.stdout) as Doc).findings.map((f) => f.code)).toContain('incomplete-chain')
    // --ca does the same as trust.caFiles.
    const r3 = await runCli(['check', bare, ...resolveAll(), '--ca', caFile, '--json'])
    expect(r3.code).toBe(0)
  })

  it('an intermediate listed in trust.caFiles is no trust anchor: trusted-ca-not-root, exit 1, never "trusted"', async () => {
    writeFileSync(join(dir, 'intermediate.pem'), pki.intermediate.pem)
    const file = settings(
      'intermediate-ca.yaml',
      `trust:
  caFiles: [intermediate.pem]
domains:
  - domain: example.test
    incoming: {protocol: imap, host: ${HOST}, port: ${imaps.port}, security: ssl}
    outgoing: {host: ${HOST}, port: ${smtps.port}, security: starttls}
`,
    )
    const r = await runCli(['check', file, ...resolveAll(), '--json'])
    expect(r.code, r.stdout).toBe(1)
    const doc = JSON.parse(r.stdout) as Doc & {endpoints: Array<{trust?: {privateRoot?: unknown; apple: {trusted: boolean}}}>}
    expect(doc.findings.map((f) => f.code).sort()).toEqual(['trusted-ca-not-root', 'trusted-ca-not-root'])
    for (const e of doc.endpoints) expect(e.trust).toMatchObject({apple: {trusted: false}})
    for (const e of doc.endpoints) expect(e.trust?.privateRoot).toBeUndefined()
    const text = await runCli(['check', file, ...resolveAll()])
    expect(text.stdout).not.toContain('✔ trusted')
    expect(text.stdout).toContain('Put the root "Check CLI Root CA"')
  })

  it('certificate-differs: one host, another certificate on one port; and security none is skipped with an info finding', async () => {
    const file = settings(
      'differs.yaml',
      `domains:
  - domain: example.test
    incoming: {protocol: imap, host: ${HOST}, port: ${imaps.port}, security: ssl}
    outgoing: {host: ${HOST}, port: ${smtps.port}, security: starttls}
  - domain: pop.example.test
    incoming: {protocol: pop3, host: ${HOST}, port: ${pop3s.port}, security: ssl}
    outgoing: {host: ${HOST}, port: ${smtps.port}, security: starttls}
  - domain: legacy.example.test
    incoming: {protocol: pop3, host: pop.legacy.example.test, port: 110, security: none}
    outgoing: {host: ${HOST}, port: ${smtps.port}, security: starttls}
`,
    )
    const r = await runCli(['check', file, ...resolveAll(), '--ca', caFile, '--json'])
    const doc = JSON.parse(r.stdout) as Doc
    expect(doc.endpoints).toHaveLength(3)
    const differs = doc.findings.filter((f) => f.code === 'certificate-differs')
    expect(differs).toHaveLength(1)
    // The newest certificate counts as the intended one: the older leaf on the POP3 port is flagged.
    expect(differs[0]!.endpoint).toMatchObject({host: HOST, port: pop3s.port})
    expect(differs[0]!.source).toMatchObject({file, line: 10})
    expect(differs[0]!.message).toContain(stale.leaf.x509.fingerprint256)
    const skipped = doc.findings.filter((f) => f.code === 'check-skipped-plaintext')
    expect(skipped).toHaveLength(1)
    expect(skipped[0]).toMatchObject({severity: 'info', source: {file, line: 13}})
    expect(r.code).toBe(0) // certificate-differs is a warning
  })

  it('--format github annotates the settings file at the line that names the server', async () => {
    const file = settings(
      'mismatch.yaml',
      `domains:
  - domain: example.test
    incoming: {protocol: imap, host: imap.example.test, port: ${imaps.port}, security: ssl}
    outgoing: {host: ${HOST}, port: ${smtps.port}, security: starttls}
`,
    )
    const r = await runCli(['check', file, ...resolveAll(), '--resolve', `imap.example.test:${imaps.port}:127.0.0.1`, '--ca', caFile, '--format', 'github'])
    expect(r.code).toBe(1)
    const line = r.stdout.split('\n').find((l) => l.includes('hostname-mismatch'))
    expect(line).toMatch(new RegExp(`^::error file=${file.replaceAll('/', '\\/').replaceAll('.', '\\.')},line=7,col=\\d+,title=imap\\.example\\.test%3A${imaps.port} hostname-mismatch::`))
    expect(line).toContain('Use mail.example.test as the server name')
  })

  it('--format github: host-level findings land on the host line, port-level ones on the port line', async () => {
    const file = settings(
      'lines.yaml',
      `domains:
  - domain: example.test
    incoming:
      protocol: imap
      host: imap.example.test
      port: ${imaps.port}
    outgoing:
      host: ${HOST}
      port: ${smtps.port}
      security: ssl
`,
    )
    const r = await runCli(['check', file, ...resolveAll(), '--resolve', `imap.example.test:${imaps.port}:127.0.0.1`, '--ca', caFile, '--format', 'github'])
    expect(r.code).toBe(1)
    const annotation = (code: string) => r.stdout.split('\n').find((l) => l.includes(` ${code}::`))
    // hostname-mismatch: line 9 is "host: imap.example.test", line 10 its port.
    expect(annotation('hostname-mismatch')).toMatch(/,line=9,col=13,/)
    // The outgoing server is set to implicit TLS, but its port runs STARTTLS: that is about the port (line 13).
    expect(annotation('tls-mode-mismatch')).toMatch(/,line=13,col=13,/)
  })

  it('text output: a block per endpoint, then the findings by endpoint; unused --resolve is reported on stderr', async () => {
    const file = settings(
      'text.yaml',
      `domains:
  - domain: example.test
    incoming: {protocol: imap, host: ${HOST}, port: ${imaps.port}, security: ssl}
    outgoing: {host: ${HOST}, port: ${smtps.port}, security: starttls}
`,
    )
    const r = await runCli(['check', file, ...resolveAll(), '--resolve', 'typo.example.test:993:127.0.0.1', '--ca', caFile])
    expect(r.code).toBe(0)
    expect(r.stdout).toContain(`${HOST}:${imaps.port}  IMAP, implicit TLS via 127.0.0.1 (--resolve)`)
    expect(r.stdout).toContain(`used by   example.test incoming server (${file}:7:`)
    expect(r.stdout).toContain(`${HOST}:${smtps.port}  SMTP, STARTTLS via 127.0.0.1 (--resolve)`)
    expect(r.stdout).toContain('AUTH       PLAIN LOGIN')
    expect(r.stdout).toContain(pki.leaf.x509.fingerprint256)
    expect(r.stdout).toMatch(/✔ 0 errors|⚠ 0 errors/)
    expect(r.stderr).toContain('--resolve typo.example.test:993:127.0.0.1 matched no endpoint')
  })

  it('does not probe settings that fail the schema (exit 1), and exits 2 on a missing file', async () => {
    const file = settings('invalid.yaml', `domains:\n  - domain: example.test\n    incoming: {protocol: imap, host: ${HOST}, port: ${imaps.port}, security: tls}\n    outgoing: {host: ${HOST}}\n`)
    const before = imaps.connections
    const r = await runCli(['check', file, '--json'])
    expect(r.code).toBe(1)
    const doc = JSON.parse(r.stdout) as Doc
    expect(doc.findings.map((f) => f.code)).toEqual(['invalid-value'])
    expect(doc.endpoints).toEqual([])
    expect(imaps.connections).toBe(before)
    const missing = await runCli(['check', join(dir, 'nope.yaml')])
    expect(missing.code).toBe(2)
    expect(missing.stderr).toMatch(/nope\.yaml/)
    expect(missing.stdout).toBe('')
  })
})

describe('check PROFILE.mobileconfig', {timeout: 90_000}, () => {
  it("checks the mail servers of a profile, trusting the root the profile installs; findings point into the profile", async () => {
    const smtpsImplicit = await startMailServer({protocol: 'smtp', mode: 'implicit', tls: {key: pki.leaf.keyPem, cert: pki.serverChainPem}})
    servers.push(smtpsImplicit)
    const file = settings(
      'for-profile.yaml',
      `trust:
  caFiles: [root.pem]
domains:
  - domain: example.test
    incoming: {protocol: imap, host: ${HOST}, port: ${imaps.port}, security: ssl}
    outgoing: {host: ${HOST}, port: ${smtpsImplicit.port}, security: ssl}
`,
    )
    const out = join(dir, 'profile-out')
    expect((await runCli(['build', file, '--out', out, '--only', 'mobileconfig', '--no-users'])).code).toBe(0)
    const profile = join(out, 'example.test', 'example.test.mobileconfig')
    const resolve = [imaps, smtpsImplicit].flatMap((s) => ['--resolve', `${HOST}:${s.port}:127.0.0.1`])

    // No --ca: the root comes from the profile's certificate payload, as on a device that installed it.
    const r = await runCli(['check', profile, ...resolve, '--json'])
    expect(r.code, r.stdout).toBe(0)
    const doc = JSON.parse(r.stdout) as Doc & {endpoints: Array<{settingsSources: Array<{pointer?: string}>; trust?: {privateRoot?: {sha256: string}}}>}
    expect(doc.file).toBe(profile)
    expect(doc.endpoints.map((e) => `${e.endpoint.protocol}/${e.endpoint.security}/${e.endpoint.port}`)).toEqual([`imap/ssl/${imaps.port}`, `smtp/ssl/${smtpsImplicit.port}`])
    expect(doc.endpoints[0]!.settingsSources).toEqual([{domain: 'example.test', role: 'incoming', file: profile, pointer: '/PayloadContent/1/IncomingMailServerHostName'}]) // payload 0 is the CA certificate
    expect(doc.endpoints[0]!.trust?.privateRoot?.sha256).toBe(pki.root.x509.fingerprint256)
    // The profile installs the root: information, not a warning, so the correct set-up passes --strict.
    expect(doc.findings.map((f) => f.code).sort()).toEqual(['mozilla-untrusted', 'mozilla-untrusted', 'private-root-embedded', 'private-root-embedded'])
    expect(doc.findings.every((f) => f.severity === 'info')).toBe(true)
    expect(doc.findings.find((f) => f.code === 'private-root-embedded')!.message).toContain('this profile installs')
    const strict = await runCli(['check', profile, ...resolve, '--strict'])
    expect(strict.code, strict.stdout).toBe(0)
    expect(strict.stdout).not.toContain('trust.caFiles')
    expect(strict.stdout).not.toContain('privateRoot')

    // The same profile signed by a streaming signer (openssl cms/smime -sign -stream: BER, the content
    // in indefinite-length OCTET STRING segments): the same servers, the same verdict.
    const signing = makeSigningPki({keyType: 'ec'})
    try {
      for (const tool of ['cms', 'smime']) {
        const streamed = join(dir, `streamed-${tool}.mobileconfig`)
        const der = openssl([tool, '-sign', '-stream', '-nodetach', '-binary', '-outform', 'DER', '-in', profile, '-signer', signing.signerCert, '-inkey', signing.signerKey])
        expect(der.includes(Buffer.from([0xa0, 0x80, 0x24, 0x80])), tool).toBe(true)
        writeFileSync(streamed, der)
        const s = await runCli(['check', streamed, ...resolve, '--json'])
        expect(s.code, s.stdout + s.stderr).toBe(0)
        const sdoc = JSON.parse(s.stdout) as Doc
        expect(sdoc.endpoints.map((e) => `${e.endpoint.protocol}/${e.endpoint.security}/${e.endpoint.port}`)).toEqual([`imap/ssl/${imaps.port}`, `smtp/ssl/${smtpsImplicit.port}`])
        expect(sdoc.findings.map((f) => f.code).sort()).toEqual(doc.findings.map((f) => f.code).sort())
      }
    } finally {
      signing.cleanup()
    }

    // A profile that names a host the certificate does not cover: the device's error, pointing into the profile.
    const wrong = settings('wrong-host.yaml', `trust:
  caFiles: [root.pem]
domains:
  - domain: example.test
    incoming: {protocol: imap, host: imap.example.test, port: ${imaps.port}, security: ssl}
    outgoing: {host: ${HOST}, port: ${smtpsImplicit.port}, security: ssl}
`)
    const wrongOut = join(dir, 'wrong-out')
    expect((await runCli(['build', wrong, '--out', wrongOut, '--only', 'mobileconfig', '--no-users'])).code).toBe(0)
    const wrongProfile = join(wrongOut, 'example.test', 'example.test.mobileconfig')
    const bad = await runCli(['check', wrongProfile, ...resolve, '--resolve', `imap.example.test:${imaps.port}:127.0.0.1`])
    expect(bad.code).toBe(1)
    expect(bad.stdout).toContain(`used by   example.test incoming server (${wrongProfile} /PayloadContent/1/IncomingMailServerHostName)`)
    expect(bad.stdout).toMatch(/hostname-mismatch/)
  })

  it('exits 2 for a profile without a mail account, and for one that cannot be read', async () => {
    const noMail = join(dir, 'no-mail.mobileconfig')
    writeFileSync(
      noMail,
      '<?xml version="1.0" encoding="UTF-8"?>\n<plist version="1.0"><dict><key>PayloadType</key><string>Configuration</string><key>PayloadContent</key><array/></dict></plist>\n',
    )
    const r = await runCli(['check', noMail])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/no-mail\.mobileconfig: the profile has no mail account payload/)
    const garbage = join(dir, 'garbage.mobileconfig')
    writeFileSync(garbage, Buffer.from([0xff, 0x00, 0x13]))
    expect((await runCli(['check', garbage])).code).toBe(2)
  })
})
