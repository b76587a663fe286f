/**
 * runCheck / checkSettings in process: real handshakes with fixture servers on 127.0.0.1, the
 * certificate policy applied to what they sent, findings tied to endpoints and settings positions.
 */
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, describe, expect, it} from 'vitest'

import type {CheckEndpoint} from '../../../src/core/check/endpoints.js'
import type {CheckOptions} from '../../../src/core/check/options.js'
import {ResolveMap} from '../../../src/core/check/resolve.js'
import {checkSettings, runCheck} from '../../../src/core/check/run-check.js'
import {loadSettings} from '../../../src/core/settings/load.js'
import {createChain, createCertificate} from '../../helpers/pki.js'
import {LEGACY_TLS10, isCredentialCommand, startMailServer, type MailServer, type MailServerOptions} from '../../servers/index.js'

const HOST = 'mail.example.test'
const pki = createChain({dnsNames: [HOST], label: 'RunCheck'})
const servers: MailServer[] = []
const dir = mkdtempSync(join(tmpdir(), 'mailprofile-run-check-'))
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()))
  rmSync(dir, {recursive: true, force: true})
})

async function start(options: Partial<MailServerOptions> & {cert?: string; key?: string} = {}): Promise<MailServer> {
  const {cert, key, ...rest} = options
  const s = await startMailServer({protocol: 'imap', mode: 'implicit', ...rest, tls: {key: key ?? pki.leaf.keyPem, cert: cert ?? pki.serverChainPem, ...rest.tls}})
  servers.push(s)
  return s
}

const ep = (s: MailServer, protocol: 'imap' | 'pop3' | 'smtp' = 'imap', security: 'ssl' | 'starttls' = 'ssl', host = HOST): CheckEndpoint => ({
  target: {host, port: s.port, protocol, security, address: '127.0.0.1'},
  settingsSources: [],
})
const options = (extra: Partial<CheckOptions> = {}): CheckOptions => ({now: new Date(), warnDays: 30, timeoutSeconds: 5, extraRoots: [pki.root.der], ...extra})
const codesOf = (r: {findings: Array<{code: string}>}) => r.findings.map((f) => f.code).sort()

/** A leaf from the test intermediate with the given options, served with the intermediate. */
function leafWith(opts: Parameters<typeof createCertificate>[0]): {cert: string; key: string} {
  const leaf = createCertificate({subject: {commonName: HOST}, dnsNames: [HOST], key: {slot: 'leaf'}, ...opts, issuer: pki.intermediate})
  return {cert: leaf.pem + pki.intermediate.pem, key: leaf.keyPem}
}

describe('runCheck', () => {
  it('returns results in input order with chain details, and never sends credentials', async () => {
    const a = await start({protocol: 'imap', mode: 'starttls'})
    const b = await start({protocol: 'pop3', mode: 'implicit'})
    const c = await start({protocol: 'smtp', mode: 'starttls'})
    const result = await runCheck([ep(a, 'imap', 'starttls'), ep(b, 'pop3'), ep(c, 'smtp', 'starttls')], options({concurrency: 2}))
    expect(result.endpoints.map((r) => r.endpoint.port)).toEqual([a.port, b.port, c.port])
    for (const r of result.endpoints) {
      expect(r.connection.tls?.version).toBe('TLSv1.3')
      expect(r.certificates[0]).toMatchObject({subject: expect.stringContaining(`CN=${HOST}`), dnsNames: [HOST], keyType: 'rsa', keyBits: 2048, sha256: pki.leaf.x509.fingerprint256})
      expect(codesOf(r)).toEqual(['mozilla-untrusted', 'private-root'])
      expect(r.status).toBe('warning')
      for (const f of r.findings) expect(f.endpoint).toMatchObject({host: HOST, port: r.endpoint.port, address: '127.0.0.1'})
    }
    expect(result.appleTrustStoreVersion).toMatch(/^\d{10}$/)
    for (const s of [a, b, c]) expect(s.commands.filter(isCredentialCommand)).toEqual([])
    expect(result.endpoints[2]!.connection.smtpAuthMechanisms).toEqual(['PLAIN', 'LOGIN'])
  })

  it('keeps at most --concurrency probes in flight', async () => {
    // Each probe waits 250 ms for the greeting: six probes two at a time need at least three rounds.
    const s = await start({protocol: 'pop3', mode: 'starttls', greetingDelayMs: 250})
    const list = Array.from({length: 6}, (_, i) => ep(s, 'pop3', 'starttls', `host${i}.example.test`))
    const started = Date.now()
    const result = await runCheck(list, options({concurrency: 2}))
    expect(Date.now() - started).toBeGreaterThanOrEqual(3 * 250 - 20)
    expect(result.endpoints.map((r) => r.endpoint.host)).toEqual(list.map((e) => e.target.host))
    expect(s.connections).toBe(6)
    // Every host is judged on its own: none of them is in the certificate.
    for (const r of result.endpoints) expect(codesOf(r)).toContain('hostname-mismatch')
  })

  it.each([
    // OpenSSL refuses to even load a SHA-1 certificate at its default security level.
    ['weak-signature', () => ({...leafWith({signatureHash: 'sha1'}), tls: {ciphers: 'DEFAULT@SECLEVEL=0'} as MailServerOptions['tls']})],
    ['weak-key', () => ({...leafWith({key: {bits: 1024, slot: 'weak-leaf'}}), tls: {ciphers: 'DEFAULT@SECLEVEL=0'} as MailServerOptions['tls']})],
    ['missing-server-auth-eku', () => leafWith({extendedKeyUsage: ['clientAuth']})],
    ['validity-too-long', () => leafWith({validityDays: 900})],
    ['san-missing', () => leafWith({dnsNames: []})],
  ])('%s from a real handshake', async (code, make) => {
    const s = await start(make())
    const result = await runCheck([ep(s)], options())
    expect(codesOf(result.endpoints[0]!)).toContain(code)
    expect(result.endpoints[0]!.status).toBe('error')
  })

  it('legacy-tls-version: a TLS 1.0-only server', async () => {
    const s = await start({tls: {...LEGACY_TLS10, key: pki.leaf.keyPem, cert: pki.serverChainPem}})
    const result = await runCheck([ep(s)], options())
    const r = result.endpoints[0]!
    expect(r.connection.tls?.version).toBe('TLSv1')
    expect(codesOf(r)).toContain('legacy-tls-version')
  })

  it('judges each host name on its own over one chain, and a server with another chain anew', async () => {
    const wildcard = createChain({dnsNames: ['*.example.test'], label: 'RunCheck wildcard'})
    const shared = await start({cert: wildcard.serverChainPem, key: wildcard.leaf.keyPem})
    const own = await start()
    const roots = options({extraRoots: [pki.root.der, wildcard.root.der]})
    const hosts = ['imap.example.test', 'mail.example.org', 'smtp.example.test', 'IMAP.example.test']
    const result = await runCheck([...hosts.map((h) => ep(shared, 'imap', 'ssl', h)), ep(own), ep(shared, 'imap', 'ssl', 'mail.example.org')], roots)
    const [covered, uncovered, coveredToo, upper, ownChain, uncoveredAgain] = result.endpoints
    for (const r of [covered, coveredToo, upper]) expect(codesOf(r!)).toEqual(['mozilla-untrusted', 'private-root'])
    expect(codesOf(uncovered!)).toEqual(['hostname-mismatch', 'mozilla-untrusted', 'private-root'])
    expect(uncovered!.findings.find((f) => f.code === 'hostname-mismatch')?.message).toContain('"mail.example.org"')
    expect(uncovered!.status).toBe('error')
    expect(codesOf(uncoveredAgain!)).toEqual(codesOf(uncovered!))
    expect(upper!.findings.find((f) => f.code === 'private-root')?.message).toContain('IMAP.example.test')
    for (const r of result.endpoints.slice(0, 4)) expect(r.trust?.privateRoot?.sha256).toBe(wildcard.root.x509.fingerprint256)
    // The other server's chain (its own leaf and root) is evaluated for itself, not taken from the first.
    expect(ownChain!.certificates[0]!.sha256).toBe(pki.leaf.x509.fingerprint256)
    expect(ownChain!.trust?.privateRoot?.sha256).toBe(pki.root.x509.fingerprint256)
    expect(codesOf(ownChain!)).toEqual(['mozilla-untrusted', 'private-root'])
  })

  it('applies --resolve to targets and judges as of --at', async () => {
    const s = await start()
    const result = await runCheck([{target: {host: HOST, port: s.port, protocol: 'imap', security: 'ssl'}, settingsSources: []}], options({resolve: ResolveMap.parse([`${HOST}:${s.port}:127.0.0.1`]), now: new Date('2099-06-01T00:00:00Z')}))
    expect(result.checkedAt).toBe('2099-06-01T00:00:00.000Z')
    expect(result.endpoints[0]!.endpoint.address).toBe('127.0.0.1')
    expect(s.servernames).toContain(HOST)
    expect(codesOf(result.endpoints[0]!)).toContain('expired')
  })
})

describe('checkSettings', () => {
  it("trusts the settings' CA files, applies their pins and points findings at the settings", async () => {
    const s = await start()
    writeFileSync(join(dir, 'root.pem'), pki.root.pem)
    const file = join(dir, 'settings.yaml')
    writeFileSync(
      file,
      `version: 1
organization: {name: Example, identifier: com.example.mail}
trust:
  caFiles: [root.pem]
  pins: ["${'AB:'.repeat(31)}AB"]
domains:
  - domain: example.test
    incoming: {protocol: imap, host: ${HOST}, port: ${s.port}, security: ssl}
    outgoing: {host: ${HOST}, port: ${s.port}, security: starttls}
`,
    )
    const {settings} = loadSettings(file)
    const result = await checkSettings(settings!, options({extraRoots: [], resolve: ResolveMap.parse([`${HOST}:${s.port}:127.0.0.1`])}))
    const imap = result.endpoints.find((r) => r.endpoint.protocol === 'imap')!
    expect(imap.trust?.privateRoot?.sha256).toBe(pki.root.x509.fingerprint256)
    expect(codesOf(imap)).toContain('pin-mismatch')
    const pin = imap.findings.find((f) => f.code === 'pin-mismatch')!
    expect(pin.source).toMatchObject({file, line: 8})
    // The outgoing entry points SMTP STARTTLS at an implicit-TLS IMAP server: no plaintext greeting.
    const smtp = result.endpoints.find((r) => r.endpoint.protocol === 'smtp')!
    expect(codesOf(smtp)).toContain('tls-mode-mismatch')
    // It points at the port value written on the outgoing line.
    const outgoingLine = `    outgoing: {host: ${HOST}, port: ${s.port}, security: starttls}`
    expect(smtp.settingsSources).toEqual([{domain: 'example.test', role: 'outgoing', file, line: 9, column: outgoingLine.indexOf(String(s.port)) + 1}])
  })

  it('judges each authentication the settings use on a shared server, pointing at its authentication line', async () => {
    const imap = await start({protocol: 'imap', mode: 'implicit', authAfterTls: ['PLAIN']})
    const smtp = await start({protocol: 'smtp', mode: 'implicit', authAfterTls: ['PLAIN', 'LOGIN']})
    writeFileSync(join(dir, 'root.pem'), pki.root.pem)
    const file = join(dir, 'auth.yaml')
    writeFileSync(
      file,
      `version: 1
organization: {name: Example, identifier: com.example.mail}
trust: {caFiles: [root.pem]}
domains:
  - domain: example.test
    incoming: {protocol: imap, host: ${HOST}, port: ${imap.port}, security: ssl}
    outgoing: {host: ${HOST}, port: ${smtp.port}, security: ssl}
  - domain: example.org
    incoming:
      protocol: imap
      host: ${HOST}
      port: ${imap.port}
      authentication: crammd5
    outgoing: {host: ${HOST}, port: ${smtp.port}, security: ssl, authentication: ntlm}
`,
    )
    const {settings} = loadSettings(file)
    const resolve = ResolveMap.parse([`${HOST}:${imap.port}:127.0.0.1`, `${HOST}:${smtp.port}:127.0.0.1`])
    const result = await checkSettings(settings!, options({extraRoots: [], resolve}))
    const unsupported = result.findings.filter((f) => f.code === 'auth-mechanism-unsupported')
    // One per endpoint: the password accounts of example.test are fine, example.org's CRAM-MD5 and NTLM are not.
    expect(unsupported.map((f) => [f.endpoint?.protocol, f.source?.line])).toEqual([
      ['imap', 13],
      ['smtp', 14],
    ])
    expect(unsupported[0]!.message).toMatch(/CRAM-MD5/)
    expect(unsupported[1]!.message).toMatch(/NTLM/)
    expect(unsupported[0]!.fix).toMatch(/authentication: password/)
    expect(result.endpoints.map((r) => r.status)).toEqual(['error', 'error'])
  })
})
