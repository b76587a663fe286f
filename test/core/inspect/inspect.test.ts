import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {createRequire} from 'node:module'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {InputError} from '../../../src/core/errors.js'
import {inspectProfile, lintProfileFile} from '../../../src/core/inspect/inspect.js'
import {INSPECT_CODES} from '../../../src/core/inspect/codes.js'
import {allCodes} from '../../../src/core/codes.js'
import {profileSigner} from '../../../src/core/sign/profile-signer.js'
import {loadSigningIdentity, type SigningIdentity} from '../../../src/core/sign/identity.js'
import {certificatesFromBytes} from '../../../src/core/x509/pem.js'
import {makeSigningPki, openssl, opensslVerify, requireOpenssl, type SigningPki} from '../../helpers/signing-fixtures.js'

const fixture = (name: string) => new URL(`../../fixtures/inspect/${name}`, import.meta.url).pathname
const codes = (findings: Array<{code: string}>) => findings.map((f) => f.code).sort()

describe('inspectProfile on unsigned profiles (fixtures modelled on Apple Configurator exports)', () => {
  it('a clean profile: only the unsigned note, payloads listed', async () => {
    const r = await inspectProfile(fixture('configurator-clean.mobileconfig'))
    expect(codes(r.findings)).toEqual(['unsigned-profile'])
    expect(r.signed).toBe(false)
    expect(r.signature).toBeUndefined()
    expect(r.profile).toMatchObject({PayloadDisplayName: 'Example Mail', PayloadUUID: '6B2F1C0A-9E8D-4C7B-A6F5-E4D3C2B1A098', encrypted: false})
    expect(r.payloads.map((p) => [p.PayloadType, p.PayloadUUID])).toEqual([
      ['com.apple.mail.managed', '7A4C1B8E-2F3D-4E5A-9B6C-1D2E3F4A5B6C'],
      ['com.apple.security.root', '0F1E2D3C-4B5A-6978-8796-A5B4C3D2E1F0'],
    ])
    expect(r.payloads[0]!.details).toBe('IMAP imap.example.net:993 (TLS), SMTP smtp.example.net:587 (STARTTLS), juergen@example.net')
    expect(r.payloads[1]!.details).toMatch(/^certificate "Example Mail Provider Root CA \(EXAMPLE ONLY\)", expires 2046-/)
    expect(r.findings[0]!.source).toEqual({file: fixture('configurator-clean.mobileconfig')})
  })

  it('a messy profile: password, unknown key, wrong types (<string> port, <real> version), duplicate UUID, plaintext SMTP on 25', async () => {
    const r = await inspectProfile(fixture('configurator-messy.mobileconfig'))
    expect(codes(r.findings)).toEqual([
      'duplicate-payload-uuid',
      'password-in-profile',
      'payload-unknown-key',
      'payload-wrong-type',
      'payload-wrong-type',
      'security-none',
      'smtp-port-25',
      'unsigned-profile',
    ])
    const by = (code: string) => r.findings.filter((f) => f.code === code).map((f) => f.message).join('\n')
    expect(by('password-in-profile')).toContain('PayloadContent[0] (com.apple.mail.managed "IMAP Account (Example Mail)") key IncomingPassword')
    expect(by('password-in-profile')).not.toContain('Winter2024!')
    expect(by('payload-unknown-key')).toContain('IncomingMailServerUseTLS is not in Apple\'s schema for this payload (did you mean IncomingMailServerUseSSL?)')
    expect(by('payload-wrong-type')).toContain('key IncomingMailServerPortNumber must be <integer>')
    expect(by('payload-wrong-type')).toContain('top-level key PayloadVersion is a <real>')
    expect(by('duplicate-payload-uuid')).toContain('7A4C1B8E-2F3D-4E5A-9B6C-1D2E3F4A5B6C')
    expect(by('security-none')).toContain('smtp.example.net')
  })

  it('duplicate identifiers, a key written twice, a missing required key, a bad enum value, an unchecked payload type', async () => {
    const r = await inspectProfile(fixture('configurator-duplicates.mobileconfig'))
    expect(codes(r.findings)).toEqual(['duplicate-payload-identifier', 'payload-invalid-value', 'payload-missing-key', 'payload-type-unchecked', 'plist-duplicate-key', 'unsigned-profile'])
    const missing = r.findings.find((f) => f.code === 'payload-missing-key')!
    expect(missing.message).toContain('PayloadContent[1] (com.apple.mail.managed "Anna (second)"): missing required key OutgoingMailServerHostName')
    expect(r.findings.find((f) => f.code === 'payload-invalid-value')!.message).toContain('EmailAccountType must be one of "EmailTypeIMAP", "EmailTypePOP"')
  })

  it('certificate payloads: expired (checked at a later "now") and unreadable', async () => {
    const later = await inspectProfile(fixture('configurator-clean.mobileconfig'), {now: new Date('2050-01-01T00:00:00Z')})
    expect(codes(later.findings)).toEqual(['payload-certificate-expired', 'unsigned-profile'])
    expect(later.findings.find((f) => f.code === 'payload-certificate-expired')!.message).toContain('PayloadContent[1] (com.apple.security.root "Example Mail Provider Root CA (EXAMPLE ONLY)"): the certificate "Example Mail Provider Root CA (EXAMPLE ONLY)" expired on 2046-11-23')
    const dir = mkdtempSync(join(tmpdir(), 'mailprofile-inspect-'))
    try {
      const broken = readFileSync(fixture('configurator-clean.mobileconfig'), 'utf8').replace(/<data>[\s\S]*?<\/data>/, '<data>bm90IGEgY2VydGlmaWNhdGU=</data>')
      writeFileSync(join(dir, 'broken.mobileconfig'), broken)
      const r = await inspectProfile(join(dir, 'broken.mobileconfig'))
      expect(codes(r.findings)).toEqual(['payload-certificate-invalid', 'unsigned-profile'])
      expect(r.payloads[1]!.details).toBe('certificate (unreadable)')
    } finally {
      rmSync(dir, {recursive: true, force: true})
    }
  })

  it('encrypted payloads are noted and not linted', async () => {
    const r = await inspectProfile(fixture('encrypted.mobileconfig'))
    expect(codes(r.findings)).toEqual(['profile-encrypted', 'unsigned-profile'])
    expect(r.profile?.encrypted).toBe(true)
  })

  it('a binary plist (plistlib FMT_BINARY of the clean fixture) reads like its XML twin; a newer binary variant is refused with a finding; a non-profile plist with another', async () => {
    const binary = await inspectProfile(fixture('binary.mobileconfig'))
    const xml = await inspectProfile(fixture('configurator-clean.mobileconfig'))
    expect(binary.format).toBe('binary')
    expect(codes(binary.findings)).toEqual(['unsigned-profile'])
    expect(binary.payloads).toEqual(xml.payloads)
    expect(binary.profile).toEqual(xml.profile)
    const newer = await inspectProfile(fixture('bplist16.mobileconfig'))
    expect(codes(newer.findings)).toEqual(['binary-plist-unsupported', 'unsigned-profile'])
    expect(codes((await inspectProfile(fixture('not-a-profile.mobileconfig'))).findings)).toEqual(['profile-top-level-invalid', 'unsigned-profile'])
  })

  it('unusable input is an InputError with the file and position', async () => {
    await expect(inspectProfile(fixture('malformed.mobileconfig'))).rejects.toMatchObject({name: 'InputError', location: {file: fixture('malformed.mobileconfig'), line: 5}})
    await expect(inspectProfile(fixture('does-not-exist.mobileconfig'))).rejects.toThrow(/profile not found/)
    await expect(inspectProfile(new URL('../../fixtures/inspect/', import.meta.url).pathname)).rejects.toThrow(InputError)
  })

  it('lintProfileFile gives the same findings as inspect', async () => {
    const lint = await lintProfileFile(fixture('configurator-messy.mobileconfig'))
    const inspect = await inspectProfile(fixture('configurator-messy.mobileconfig'))
    expect(lint.findings).toEqual(inspect.findings)
  })

  it('inspect codes are unique and not used by another concern', () => {
    const mine = INSPECT_CODES.map((c) => c.code)
    expect(new Set(mine).size).toBe(mine.length)
    const others = allCodes().filter((c) => !INSPECT_CODES.includes(c))
    for (const c of others) expect(mine).not.toContain(c.code)
  })
})

describe('inspectProfile on signed profiles', () => {
  const enabled = requireOpenssl()
  let pki: SigningPki
  let identity: SigningIdentity
  let rootDer: Buffer
  const clean = () => readFileSync(fixture('configurator-clean.mobileconfig'))
  const write = (name: string, bytes: Buffer) => {
    const path = join(pki.dir, name)
    writeFileSync(path, bytes)
    return path
  }
  beforeAll(async () => {
    if (!enabled) return
    pki = makeSigningPki()
    identity = await loadSigningIdentity({certificate: pki.signerCert, key: pki.signerKey, chain: [pki.intermediateCert], source: {file: 's.yaml'}}, {baseDir: pki.dir, env: {}})
    rootDer = certificatesFromBytes(readFileSync(pki.rootCert))[0]!
  })
  afterAll(() => pki?.cleanup())

  it.runIf(enabled)('signed by a private root: "Not Verified" (signer-untrusted); with --trust that root: "Verified", no findings', async () => {
    const path = write('signed.mobileconfig', profileSigner(identity).sign(clean()))
    expect(opensslVerify(pki, readFileSync(path)).ok).toBe(true)
    const r = await inspectProfile(path)
    expect(r.signed).toBe(true)
    expect(codes(r.findings)).toEqual(['signer-untrusted'])
    expect(r.signature).toMatchObject({status: 'Not Verified', signatureValid: true, digestValid: true, chainVerified: false, expired: false, digestAlgorithm: 'SHA-256', signatureAlgorithm: 'rsaEncryption'})
    expect(r.signature!.signer!.subject).toContain('CN=Test Profile Signer')
    expect(r.signature!.chain.map((c) => c.subject)).toEqual(['O=mailprofile tests, CN=Test Signing Intermediate'])
    expect(r.findings[0]!.message).toContain('the issuer of "Test Signing Intermediate" ("O=mailprofile tests, CN=Test Signing Root") is neither in the profile nor in Apple\'s trust store')
    expect(r.payloads).toHaveLength(2)

    const trusted = await inspectProfile(path, {trustedRoots: [rootDer]})
    expect(trusted.findings).toEqual([])
    expect(trusted.signature).toMatchObject({status: 'Verified', chainVerified: true, anchor: {name: 'Test Signing Root', source: 'trusted'}})
  })

  it.runIf(enabled)('a signer expiring within --warn-days: signer-expiring (the test signer is valid for 365 days)', async () => {
    const path = write('expiring.mobileconfig', profileSigner(identity).sign(clean()))
    expect(codes((await inspectProfile(path, {trustedRoots: [rootDer], warnDays: 364})).findings)).toEqual([])
    const r = await inspectProfile(path, {trustedRoots: [rootDer], warnDays: 400})
    expect(codes(r.findings)).toEqual(['signer-expiring'])
    expect(r.findings[0]!.message).toMatch(/expires on \d{4}-\d{2}-\d{2}, in 36[45] days/)
    expect(r.signature?.status).toBe('Verified')
  })

  it.runIf(enabled)('a missing intermediate is named', async () => {
    const bare = {...identity, chain: []}
    const r = await inspectProfile(write('bare.mobileconfig', profileSigner(bare).sign(clean())), {trustedRoots: [rootDer]})
    expect(codes(r.findings)).toEqual(['signer-untrusted'])
    expect(r.findings[0]!.message).toContain('the issuer of "Test Profile Signer" ("O=mailprofile tests, CN=Test Signing Intermediate") is neither in the profile nor in Apple\'s trust store')
  })

  it.runIf(enabled)('a tampered profile: signature-invalid, status Invalid — and openssl agrees', async () => {
    const der = Buffer.from(profileSigner(identity).sign(clean()))
    const at = der.indexOf(Buffer.from('imap.example.net'))
    der.write('imap.examp1e.net', at, 'latin1')
    const path = write('tampered.mobileconfig', der)
    expect(opensslVerify(pki, der).ok).toBe(false)
    const r = await inspectProfile(path, {trustedRoots: [rootDer]})
    expect(codes(r.findings)).toEqual(['signature-invalid'])
    expect(r.signature?.status).toBe('Invalid')
    expect(r.findings[0]!.message).toContain('changed after signing')
    expect(r.payloads[0]!.details).toContain('imap.examp1e.net')
  })

  it.runIf(enabled)('an expired signer: signer-expired, "Not Verified"', async () => {
    const old = makeSigningPki({signerDays: -1})
    try {
      const oldIdentity = await loadSigningIdentity({certificate: old.signerCert, key: old.signerKey, chain: [old.intermediateCert], source: {file: 's.yaml'}}, {baseDir: old.dir, env: {}})
      const path = join(old.dir, 'expired.mobileconfig')
      writeFileSync(path, profileSigner(oldIdentity).sign(clean()))
      const r = await inspectProfile(path, {trustedRoots: certificatesFromBytes(readFileSync(old.rootCert))})
      expect(codes(r.findings)).toEqual(['signer-expired'])
      expect(r.signature).toMatchObject({status: 'Not Verified', expired: true, chainVerified: true, signatureValid: true})
      expect(r.findings[0]!.message).toMatch(/The signing certificate "Test Profile Signer" expired on \d{4}-\d{2}-\d{2}/)
    } finally {
      old.cleanup()
    }
  })

  it.runIf(enabled)('a profile signed by openssl smime (BER, signingTime) is read and verified', async () => {
    const content = write('content.xml', clean())
    const der = openssl(['smime', '-sign', '-nodetach', '-binary', '-outform', 'der', '-in', content, '-signer', pki.signerCert, '-inkey', pki.signerKey, '-certfile', pki.intermediateCert])
    const r = await inspectProfile(write('smime.mobileconfig', der), {trustedRoots: [rootDer]})
    expect(r.findings).toEqual([])
    expect(r.signature?.status).toBe('Verified')
    expect(r.signature?.signingTime).toMatch(/^\d{4}-/)
  })

  it.runIf(enabled)('a profile made and signed by the npm package mobileconfig (jsrsasign): verified, and its clear-text password and optional STARTTLS (secure: false on 143 and 587) reported', async () => {
    const require = createRequire(import.meta.url)
    const mobileconfig = require('mobileconfig') as {getSignedEmailConfig(options: unknown, cb: (err: Error | null, data: Buffer) => void): void}
    const der = await new Promise<Buffer>((resolve, reject) =>
      mobileconfig.getSignedEmailConfig(
        {
          emailAddress: 'anna@example.org',
          organization: 'Example Org',
          identifier: 'org.example.mail',
          displayName: 'Example Org Mail',
          imap: {hostname: 'imap.example.org', port: 143, secure: false, username: 'anna@example.org', password: 'Sommer2025!'},
          smtp: {hostname: 'smtp.example.org', port: 587, secure: false, username: 'anna@example.org', password: 'Sommer2025!'},
          keys: {key: readFileSync(pki.signerKey, 'utf8'), cert: readFileSync(pki.signerCert, 'utf8'), ca: [readFileSync(pki.intermediateCert, 'utf8')]},
        },
        (err, data) => (err ? reject(err) : resolve(data)),
      ),
    )
    const path = write('mobileconfig-npm.mobileconfig', der)
    expect(opensslVerify(pki, der).ok).toBe(true)
    const r = await inspectProfile(path, {trustedRoots: [rootDer]})
    expect(r.signature).toMatchObject({status: 'Verified', signatureValid: true, digestValid: true})
    // It writes the profile's own identifier into the mail payload too.
    // secure: false writes …UseSSL false, which on 143 and 587 leaves STARTTLS to the server's offer: not "none".
    expect(codes(r.findings)).toEqual(['password-in-profile', 'password-in-profile', 'payload-identifier-same-as-profile', 'starttls-not-required', 'starttls-not-required'])
    expect(r.findings.find((f) => f.code === 'starttls-not-required')!.message).toContain('the incoming server imap.example.org:143 has IncomingMailServerUseSSL false')
    expect(r.payloads[0]!.details).toBe('IMAP imap.example.org:143 (STARTTLS not required), SMTP smtp.example.org:587 (STARTTLS not required), anna@example.org')
    expect(r.findings.map((f) => f.message).join('\n')).not.toContain('Sommer2025!')
    expect(r.payloads[0]).toMatchObject({PayloadType: 'com.apple.mail.managed'})
  })

  it.runIf(enabled)('garbage that looks like DER is an InputError', async () => {
    const path = write('garbage.mobileconfig', Buffer.from([0x30, 0x82, 0x01, 0x00, 0x06, 0x09]))
    await expect(inspectProfile(path)).rejects.toThrow(/not a readable signed profile/)
  })
})

describe('UTF-16 profiles with an odd byte count', () => {
  it('FE FF 00 is an InputError, not a RangeError from swap16', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mailprofile-utf16-'))
    try {
      for (const bytes of [[0xfe, 0xff, 0x00], [0xff, 0xfe, 0x3c]]) {
        const file = join(dir, 'odd.mobileconfig')
        writeFileSync(file, Buffer.from(bytes))
        await expect(inspectProfile(file)).rejects.toThrow(expect.objectContaining({name: 'InputError', message: expect.stringMatching(/odd number of bytes/)}))
      }
    } finally {
      rmSync(dir, {recursive: true, force: true})
    }
  })
})
