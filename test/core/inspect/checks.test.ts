// The profile checks added for profiles from other tools (issue 9 item 12) and the linear <real>
// check (issue 11 item 9), each on a small profile written for the case.
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, describe, expect, it} from 'vitest'

import {profileCheckInput} from '../../../src/core/check/profile-input.js'
import {inspectProfile, inspectProfiles} from '../../../src/core/inspect/index.js'
import {runCli} from '../../helpers/cli.js'
import {makeSigningPki, openssl, requireOpenssl} from '../../helpers/signing-fixtures.js'

const dir = mkdtempSync(join(tmpdir(), 'mailprofile-inspect-checks-'))
afterAll(() => rmSync(dir, {recursive: true, force: true}))
const codes = (findings: Array<{code: string}>) => findings.map((f) => f.code).sort()
const fixture = (name: string) => new URL(`../../fixtures/inspect/${name}`, import.meta.url).pathname

let n = 0
/** Writes a profile whose PayloadContent holds `payloads` (XML fragments) and whose top level adds `top`. */
function profile(payloads: string[], top = '', uuid = '6B2F1C0A-9E8D-4C7B-A6F5-E4D3C2B1A098'): string {
  const path = join(dir, `p${n++}.mobileconfig`)
  writeFileSync(
    path,
    `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0"><dict>
<key>PayloadContent</key><array>${payloads.join('\n')}</array>
<key>PayloadDisplayName</key><string>Example Mail</string>
<key>PayloadIdentifier</key><string>net.example.mail</string>
<key>PayloadType</key><string>Configuration</string>
<key>PayloadUUID</key><string>${uuid}</string>
${top || '<key>PayloadVersion</key><integer>1</integer>'}
</dict></plist>
`,
  )
  return path
}

let u = 0
const nextUuid = () => `7A4C1B8E-2F3D-4E5A-9B6C-${String(++u).padStart(12, '0')}`

function mail(keys: Record<string, string> = {}, uuid = nextUuid()): string {
  const base: Record<string, string> = {
    EmailAccountType: '<string>EmailTypeIMAP</string>',
    EmailAddress: '<string>anna@example.net</string>',
    IncomingMailServerAuthentication: '<string>EmailAuthPassword</string>',
    IncomingMailServerHostName: '<string>imap.example.net</string>',
    IncomingMailServerPortNumber: '<integer>993</integer>',
    IncomingMailServerUseSSL: '<true/>',
    OutgoingMailServerAuthentication: '<string>EmailAuthPassword</string>',
    OutgoingMailServerHostName: '<string>smtp.example.net</string>',
    OutgoingMailServerPortNumber: '<integer>465</integer>',
    OutgoingMailServerUseSSL: '<true/>',
    PayloadIdentifier: `<string>net.example.mail.account${uuid.slice(-4)}</string>`,
    PayloadType: '<string>com.apple.mail.managed</string>',
    PayloadUUID: `<string>${uuid}</string>`,
    PayloadVersion: '<integer>1</integer>',
    ...keys,
  }
  return `<dict>${Object.entries(base)
    .filter(([, v]) => v !== '')
    .map(([k, v]) => `<key>${k}</key>${v}`)
    .join('')}</dict>`
}

describe('…UseSSL false', () => {
  it('on a STARTTLS port (143, 110, 587) is starttls-not-required, not security-none: TLS optional, STARTTLS strippable', async () => {
    const r = await inspectProfile(profile([mail({IncomingMailServerPortNumber: '<integer>143</integer>', IncomingMailServerUseSSL: '<false/>', OutgoingMailServerPortNumber: '<integer>587</integer>', OutgoingMailServerUseSSL: '<false/>'})]))
    expect(codes(r.findings)).toEqual(['starttls-not-required', 'starttls-not-required', 'unsigned-profile'])
    const message = r.findings.find((f) => f.code === 'starttls-not-required')!.message
    expect(message).toContain('IncomingMailServerUseSSL false')
    expect(message).toContain('strip STARTTLS')
    expect(r.findings.find((f) => f.code === 'starttls-not-required')!.severity).toBe('warning')
    const pop = await inspectProfile(profile([mail({EmailAccountType: '<string>EmailTypePOP</string>', IncomingMailServerPortNumber: '<integer>110</integer>', IncomingMailServerUseSSL: '<false/>'})]))
    expect(codes(pop.findings)).toEqual(['starttls-not-required', 'unsigned-profile'])
  })

  it('without a port is the default STARTTLS port, so the same', async () => {
    const r = await inspectProfile(profile([mail({IncomingMailServerPortNumber: '', IncomingMailServerUseSSL: '<false/>'})]))
    expect(codes(r.findings)).toEqual(['starttls-not-required', 'unsigned-profile'])
    expect(r.payloads[0]!.details).toContain('imap.example.net (STARTTLS not required)')
  })

  it('elsewhere is still security-none (and on an implicit-TLS port also a mismatch)', async () => {
    expect(codes((await inspectProfile(profile([mail({IncomingMailServerPortNumber: '<integer>2143</integer>', IncomingMailServerUseSSL: '<false/>'})]))).findings)).toEqual(['security-none', 'unsigned-profile'])
    expect(codes((await inspectProfile(profile([mail({IncomingMailServerUseSSL: '<false/>'})]))).findings)).toEqual(['port-security-mismatch', 'security-none', 'unsigned-profile'])
  })

  it('check probes such a server with STARTTLS', () => {
    const input = profileCheckInput(profile([mail({OutgoingMailServerPortNumber: '<integer>587</integer>', OutgoingMailServerUseSSL: '<false/>'})]))
    expect(input.settings.domains[0]!.outgoing).toMatchObject({port: 587, security: 'starttls'})
  })
})

describe('identifiers', () => {
  it('lint\'s reverse-DNS rule applies to the profile\'s and the payloads\' PayloadIdentifier; whitespace is named', async () => {
    const r = await inspectProfile(profile([mail({PayloadIdentifier: '<string>\n   net.example.mail.imap</string>'})], '<key>PayloadVersion</key><integer>1</integer>'))
    expect(codes(r.findings)).toEqual(['identifier-not-reverse-dns', 'unsigned-profile'])
    expect(r.findings.find((f) => f.code === 'identifier-not-reverse-dns')!.message).toContain('PayloadIdentifier "\\n   net.example.mail.imap" is not a reverse-DNS identifier (it contains whitespace')
    const single = await inspectProfile(profile([mail({PayloadIdentifier: '<string>automx2-0f1e</string>'})]))
    expect(single.findings.find((f) => f.code === 'identifier-not-reverse-dns')!.message).toContain('PayloadContent[0] (com.apple.mail.managed) PayloadIdentifier "automx2-0f1e"')
  })
})

describe('empty account values', () => {
  it('an empty EmailAddress, user name or password is reported once each; missing keys are not', async () => {
    const r = await inspectProfile(profile([mail({EmailAddress: '<string></string>', IncomingMailServerUsername: '<string> </string>', IncomingPassword: '<string/>'})]))
    expect(codes(r.findings)).toEqual(['payload-empty-value', 'payload-empty-value', 'payload-empty-value', 'unsigned-profile'])
    expect(r.findings.map((f) => f.message).join('\n')).toContain('key IncomingMailServerUsername is present but empty where a user name belongs')
    expect(codes((await inspectProfile(profile([mail({EmailAddress: ''})]))).findings)).toEqual(['unsigned-profile'])
  })
})

describe('schema findings', () => {
  it('a <string> PayloadVersion is one payload-wrong-type, not also payload-invalid-value', async () => {
    const r = await inspectProfile(profile([mail()], '<key>PayloadVersion</key><string>1</string>'))
    expect(codes(r.findings)).toEqual(['payload-wrong-type', 'unsigned-profile'])
    expect(r.findings.find((f) => f.code === 'payload-wrong-type')!.message).toContain('top-level key PayloadVersion must be <integer>')
  })

  it('a <real> port in CalDAV and CardDAV payloads is payload-wrong-type', async () => {
    const dav = (type: string, prefix: string) =>
      `<dict><key>PayloadType</key><string>${type}</string><key>PayloadIdentifier</key><string>net.example.${prefix}</string><key>PayloadUUID</key><string>${nextUuid()}</string><key>PayloadVersion</key><integer>1</integer><key>${prefix}HostName</key><string>dav.example.net</string><key>${prefix}Port</key><real>443</real><key>${prefix}UseSSL</key><true/></dict>`
    const r = await inspectProfile(profile([dav('com.apple.caldav.account', 'CalDAV'), dav('com.apple.carddav.account', 'CardDAV')]))
    expect(codes(r.findings)).toEqual(['payload-wrong-type', 'payload-wrong-type', 'unsigned-profile'])
    expect(r.findings.map((f) => f.message).join('\n')).toContain('PayloadContent[1] (com.apple.carddav.account) key CardDAVPort is a <real>')
  })

  it('<real> values are checked in linear time: 5,000 payloads with a <real> PayloadVersion (was over 60 s)', async () => {
    const payloads = Array.from({length: 5000}, () => mail({PayloadVersion: '<real>1</real>'}))
    const path = profile(payloads)
    const started = performance.now()
    const r = await inspectProfile(path)
    const seconds = (performance.now() - started) / 1000
    expect(r.findings.filter((f) => f.code === 'payload-wrong-type')).toHaveLength(5000)
    // A generous bound on a shared machine; quadratic behaviour takes more than a minute here.
    expect(seconds).toBeLessThan(20)
  }, 60_000)
})

describe('certificate payloads', () => {
  it('unreadable DER is described without naming the PEM parser', async () => {
    const cert = (content: string) => `<dict><key>PayloadType</key><string>com.apple.security.root</string><key>PayloadIdentifier</key><string>net.example.root</string><key>PayloadUUID</key><string>${nextUuid()}</string><key>PayloadVersion</key><integer>1</integer><key>PayloadContent</key><data>${content}</data></dict>`
    const truncated = await inspectProfile(profile([cert(Buffer.from([0x30, 0x82, 0x03, 0x00, 0x02, 0x01]).toString('base64'))]))
    const message = truncated.findings.find((f) => f.code === 'payload-certificate-invalid')!.message
    expect(message).toContain('it starts like DER but is not a valid X.509 certificate')
    expect(message).not.toMatch(/PEM routines|no start line/)
    const other = await inspectProfile(profile([cert(Buffer.from('not a certificate').toString('base64'))]))
    expect(other.findings.find((f) => f.code === 'payload-certificate-invalid')!.message).toContain('neither DER')
  })
})

describe('certificate payloads in PEM', () => {
  const pemPayload = (text: string) => `<dict><key>PayloadType</key><string>com.apple.security.pem</string><key>PayloadIdentifier</key><string>net.example.pem</string><key>PayloadUUID</key><string>${nextUuid()}</string><key>PayloadVersion</key><integer>1</integer><key>PayloadContent</key><data>${Buffer.from(text).toString('base64')}</data></dict>`

  it('reads the first PEM block whatever its label, and says so when its base64 is not a certificate', async () => {
    const der = Buffer.from(JSON.parse(readFileSync(new URL('../../../data/apple-trust-store/trust-store.json', import.meta.url), 'utf8')).roots[0].der as string, 'base64')
    const body = der.toString('base64').replace(/(.{64})/g, '$1\n')
    for (const label of ['CERTIFICATE', 'TRUSTED CERTIFICATE', 'X509 CERTIFICATE']) {
      const r = await inspectProfile(profile([pemPayload(`text before\n-----BEGIN ${label}-----\n${body}\n-----END ${label}-----\n`)]))
      expect(codes(r.findings), label).not.toContain('payload-certificate-invalid')
    }
    const bad = await inspectProfile(profile([pemPayload('-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n')]))
    expect(bad.findings.find((f) => f.code === 'payload-certificate-invalid')!.message).toContain('PEM text whose base64 is not a valid DER certificate')
  })

  // Issue 11: a lazy regular expression took about 75 s on 50,000 BEGIN lines without an END (6 s
  // for 20,000, growing with the square). The whole inspect process must now end well inside 20 s;
  // before, it was killed there and the test failed.
  it('50,000 BEGIN lines without an END: inspect answers in one JSON document, well inside its time limit', async () => {
    const path = profile([pemPayload('-----BEGIN CERTIFICATE-----\n'.repeat(50_000))])
    const r = await runCli(['inspect', path, '--json'], {timeoutMs: 20_000})
    expect(r.stderr).toBe('')
    const doc = JSON.parse(r.stdout) as {findings: Array<{code: string; message: string}>}
    // No END, so no PEM block: the bytes are judged as DER, as before.
    expect(doc.findings.find((f) => f.code === 'payload-certificate-invalid')!.message).toContain('neither DER')
    expect(r.code).toBe(1)
  }, 60_000)
})

describe('profiles inspected together', () => {
  it('a PayloadUUID used by two profiles is payload-uuid-reused (once per reused UUID); the same file twice is not', async () => {
    const shared = nextUuid()
    const a = profile([mail({}, shared)], '', 'AAAAAAAA-9E8D-4C7B-A6F5-E4D3C2B1A098')
    const b = profile([mail({}, shared)], '', 'BBBBBBBB-9E8D-4C7B-A6F5-E4D3C2B1A098')
    const r = await inspectProfiles([a, b, a])
    const reused = r.findings.filter((f) => f.code === 'payload-uuid-reused')
    expect(reused).toHaveLength(1)
    expect(reused[0]!.source).toEqual({file: b})
    expect(reused[0]!.message).toContain(`PayloadContent[0] (com.apple.mail.managed) has the PayloadUUID ${shared}, already used by PayloadContent[0] (com.apple.mail.managed) of ${a}`)
    expect(r.files).toEqual([a, b, a].map((file) => ({file, ok: true})))
    expect((await inspectProfiles([a, profile([mail()], '', 'CCCCCCCC-9E8D-4C7B-A6F5-E4D3C2B1A098')])).findings.map((f) => f.code)).not.toContain('payload-uuid-reused')
  })

  it('unreadable files are input errors; the rest is inspected', async () => {
    const r = await inspectProfiles([fixture('malformed.mobileconfig'), fixture('configurator-clean.mobileconfig')])
    expect(r.inputErrors).toHaveLength(1)
    expect(r.files.map((f) => f.ok)).toEqual([false, true])
    expect(r.profiles).toHaveLength(1)
  })
})

describe('SHA-1 signatures', () => {
  const enabled = requireOpenssl()
  it.runIf(enabled)('a profile signed with a SHA-1 digest (openssl cms -md sha1) is signature-sha1', async () => {
    const pki = makeSigningPki()
    try {
      const signed = join(pki.dir, 'sha1.mobileconfig')
      openssl(['cms', '-sign', '-nodetach', '-binary', '-md', 'sha1', '-outform', 'DER', '-in', fixture('configurator-clean.mobileconfig'), '-signer', pki.signerCert, '-inkey', pki.signerKey, '-out', signed])
      const r = await inspectProfile(signed, {trustedRoots: [Buffer.from(openssl(['x509', '-in', pki.rootCert, '-outform', 'DER']))]})
      expect(r.signature).toMatchObject({digestAlgorithm: 'SHA-1', signatureValid: true, digestValid: true})
      expect(codes(r.findings)).toContain('signature-sha1')
      const sha256 = join(pki.dir, 'sha256.mobileconfig')
      openssl(['cms', '-sign', '-nodetach', '-binary', '-md', 'sha256', '-outform', 'DER', '-in', fixture('configurator-clean.mobileconfig'), '-signer', pki.signerCert, '-inkey', pki.signerKey, '-out', sha256])
      expect(codes((await inspectProfile(sha256)).findings)).not.toContain('signature-sha1')
      expect(readFileSync(signed).length).toBeGreaterThan(0)
    } finally {
      pki.cleanup()
    }
  })
})
