import {X509Certificate} from 'node:crypto'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'

import {parse} from 'plist'
import {describe, expect, it} from 'vitest'

import {validateConfiguration} from '../../../src/core/apple/schemas.js'
import {domainAccount, userAccount} from '../../../src/core/generate/account.js'
import {buildOutputs, caCertificates} from '../../../src/core/generate/build.js'
import {domainProfileIds, userProfileIds} from '../../../src/core/generate/ids.js'
import {buildMobileconfig, profileObject} from '../../../src/core/generate/mobileconfig.js'
import {buildPlistXml} from '../../../src/core/generate/plist-xml.js'
import {loadCaFiles} from '../../../src/core/settings/ca-files.js'
import {useSsl} from '../../../src/core/mail/protocol.js'
import {HAVE_PYTHON, missing, normalizePlistJs, plistlibParse} from './tools.js'
import {FIXTURES, baseSettings, loadFixture} from './settings-fixture.js'
import type {SettingsDoc} from './settings-fixture.js'

const HOSTILE = `Ümlaut & <tag> "quoted" 'single' ]]> 😀 שלום עולם \u202Eevil`

function settingsWith(patch: (doc: SettingsDoc) => void) {
  const doc = baseSettings() as SettingsDoc
  patch(doc)
  return loadFixture(doc)
}

function meta(settings: ReturnType<typeof loadFixture>) {
  const p = settings.profile
  return {organization: settings.organization.name, displayName: p.displayName, description: p.description, consentText: p.consentText, removalAllowed: p.removalAllowed, targetDevice: p.targetDevice}
}

function payloadsOf(profile: Record<string, unknown>): Array<Record<string, unknown>> {
  return profile.PayloadContent as Array<Record<string, unknown>>
}

describe('mobileconfig', () => {
  const settings = settingsWith((d) => {
    d.trust = {caFiles: ['root-ca.pem', 'intermediate-ca.pem']}
    d.profile.consentText = 'Please accept.'
    d.profile.removalAllowed = false
    d.profile.targetDevice = 'ios'
  })
  const domain = settings.domains[0]!
  const user = settings.users.at(0)!
  const built = buildOutputs(settings, {only: ['mobileconfig']})
  const domainFile = built.files.find((f) => f.path === 'example.com/example.com.mobileconfig')!
  const userFile = built.files.find((f) => f.path === 'example.com/users/alice@example.com.mobileconfig')!

  it('writes an XML plist with Apple’s DOCTYPE and integer PayloadVersion', () => {
    const text = domainFile.bytes.toString('utf8')
    expect(text.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">\n<plist version="1.0">')).toBe(true)
    expect(text).not.toContain('<real>')
    expect(text.match(/<key>PayloadVersion<\/key>\s*<integer>1<\/integer>/g)).toHaveLength(4)
  })

  it.skipIf(missing(HAVE_PYTHON))('parses identically with Python plistlib and the plist library, field by field', () => {
    for (const f of [domainFile, userFile]) {
      const py = plistlibParse(f.bytes) as Record<string, unknown>
      const js = normalizePlistJs(parse(f.bytes.toString('utf8')))
      expect(py).toEqual(js)
      expect(py.PayloadVersion).toEqual({$int: 1})
      expect(py.TargetDeviceType).toEqual({$int: 1})
    }
  })

  it('has the top-level Configuration keys from the settings', () => {
    const p = parse(domainFile.bytes.toString('utf8')) as Record<string, unknown>
    expect(p.PayloadType).toBe('Configuration')
    expect(p.PayloadIdentifier).toBe(`${domain.identifier}.profile`)
    expect(p.PayloadUUID).toBe(domainFile.payloadUuid)
    expect(p.PayloadDisplayName).toBe('Example Mail')
    expect(p.PayloadDescription).toBe('Mail for Example staff.')
    expect(p.PayloadOrganization).toBe('Example Org')
    expect(p.PayloadRemovalDisallowed).toBe(true)
    expect(p.ConsentText).toEqual({default: 'Please accept.'})
    expect(p.TargetDeviceType).toBe(1)
    expect(Object.keys(p)).toEqual([...Object.keys(p)].sort())
  })

  it('holds the mail account with the settings’ servers, and the user’s address and name in a user profile', () => {
    const generic = payloadsOf(parse(domainFile.bytes.toString('utf8')) as Record<string, unknown>).find((x) => x.PayloadType === 'com.apple.mail.managed')!
    expect(generic).toMatchObject({
      EmailAccountType: 'EmailTypeIMAP',
      EmailAccountDescription: 'Example Mail',
      IncomingMailServerHostName: 'imap.example.com',
      IncomingMailServerPortNumber: 993,
      IncomingMailServerUseSSL: true,
      IncomingMailServerAuthentication: 'EmailAuthPassword',
      OutgoingMailServerHostName: 'smtp.example.com',
      OutgoingMailServerPortNumber: 465,
      OutgoingMailServerUseSSL: true,
      OutgoingMailServerAuthentication: 'EmailAuthPassword',
      OutgoingPasswordSameAsIncomingPassword: true,
    })
    // Generic: the device asks for address and user name.
    expect(generic.EmailAddress).toBeUndefined()
    expect(generic.IncomingMailServerUsername).toBeUndefined()
    const personal = payloadsOf(parse(userFile.bytes.toString('utf8')) as Record<string, unknown>).find((x) => x.PayloadType === 'com.apple.mail.managed')!
    expect(personal).toMatchObject({EmailAddress: 'alice@example.com', EmailAccountName: 'Alice Example', IncomingMailServerUsername: 'alice@example.com', OutgoingMailServerUsername: 'alice@example.com'})
  })

  it('never writes a password key', () => {
    for (const f of built.files) expect(f.bytes.toString('utf8')).not.toMatch(/Password<\/key>\s*<string>/)
  })

  it('chooses com.apple.security.root for a self-signed root and com.apple.security.pkcs1 otherwise, with the DER bytes', () => {
    const certs = payloadsOf(parse(domainFile.bytes.toString('utf8')) as Record<string, unknown>).filter((x) => String(x.PayloadType).startsWith('com.apple.security.'))
    expect(certs.map((c) => [c.PayloadType, c.PayloadCertificateFileName])).toEqual([
      ['com.apple.security.root', 'root-ca.pem'],
      ['com.apple.security.pkcs1', 'intermediate-ca.pem'],
    ])
    const rootDer = new X509Certificate(readFileSync(join(FIXTURES, 'root-ca.pem'))).raw
    expect(Buffer.from(certs[0]!.PayloadContent as Uint8Array).equals(rootDer)).toBe(true)
  })

  it('gives every payload its own identifier and UUID', () => {
    const p = parse(userFile.bytes.toString('utf8')) as Record<string, unknown>
    const ids = [p.PayloadIdentifier, ...payloadsOf(p).map((x) => x.PayloadIdentifier)]
    const uuids = [p.PayloadUUID, ...payloadsOf(p).map((x) => x.PayloadUUID)]
    expect(new Set(ids).size).toBe(ids.length)
    expect(new Set(uuids).size).toBe(uuids.length)
    for (const id of ids) expect(id).toMatch(/^[a-z0-9-]+(\.[a-z0-9-]+)+$/)
  })

  it("validates against Apple's converted schema", () => {
    for (const f of built.files) expect(validateConfiguration(parse(f.bytes.toString('utf8')) as Record<string, unknown>)).toEqual([])
  })

  it('is byte-identical when built twice', () => {
    const again = buildOutputs(settings, {only: ['mobileconfig']})
    expect(again.files.map((f) => f.bytes.toString('base64'))).toEqual(built.files.map((f) => f.bytes.toString('base64')))
  })

  it('keeps profile and payload identifiers when unrelated settings change (reinstall replaces)', () => {
    const changed = settingsWith((d) => {
      d.profile.description = 'Changed text'
      d.domains[0].incoming.host = 'mail.example.com'
    })
    const a = buildMobileconfig(userAccount(domain, user), userProfileIds(domain.identifier, user.address), [], meta(settings))
    const b = buildMobileconfig(userAccount(changed.domains[0]!, changed.users.at(0)!), userProfileIds(changed.domains[0]!.identifier, user.address), [], meta(changed))
    expect(a.payloadUuid).toBe(b.payloadUuid)
    expect(a.bytes.equals(b.bytes)).toBe(false)
  })
})

describe('…UseSSL for STARTTLS and implicit TLS', () => {
  it('is true for implicit TLS and for STARTTLS (the port tells Mail which), false only without TLS', () => {
    expect(useSsl('ssl')).toBe(true)
    expect(useSsl('starttls')).toBe(true)
    expect(useSsl('none')).toBe(false)
  })

  it.skipIf(missing(HAVE_PYTHON))('writes UseSSL true with ports 143 and 587 for STARTTLS', () => {
    const s = settingsWith((d) => {
      d.domains[0].incoming = {protocol: 'imap', host: 'imap.example.com', port: 143, security: 'starttls'}
      d.domains[0].outgoing = {host: 'smtp.example.com', port: 587, security: 'starttls'}
    })
    const built = buildMobileconfig(domainAccount(s.domains[0]!), domainProfileIds(s.domains[0]!.identifier), [], meta(s))
    const mail = (plistlibParse(built.bytes) as {PayloadContent: Array<Record<string, unknown>>}).PayloadContent[0]!
    expect(mail.IncomingMailServerPortNumber).toEqual({$int: 143})
    expect(mail.IncomingMailServerUseSSL).toBe(true)
    expect(mail.OutgoingMailServerPortNumber).toEqual({$int: 587})
    expect(mail.OutgoingMailServerUseSSL).toBe(true)
  })

  it('writes POP accounts as EmailTypePOP and maps authentication names', () => {
    const s = settingsWith((d) => {
      d.domains[0].incoming = {protocol: 'pop3', host: 'pop.example.com', security: 'ssl', authentication: 'crammd5'}
      d.domains[0].outgoing = {host: 'smtp.example.com', security: 'ssl', authentication: 'ntlm'}
    })
    const built = buildMobileconfig(domainAccount(s.domains[0]!), domainProfileIds(s.domains[0]!.identifier), [], meta(s))
    const mail = payloadsOf(built.profile)[0]!
    expect(mail).toMatchObject({EmailAccountType: 'EmailTypePOP', IncomingMailServerPortNumber: 995, IncomingMailServerAuthentication: 'EmailAuthCRAMMD5', OutgoingMailServerAuthentication: 'EmailAuthNTLM'})
    expect(mail.PayloadIdentifier).toMatch(/\.account\.pop3$/)
  })
})

describe('hostile values', () => {
  const s = settingsWith((d) => {
    d.organization.name = HOSTILE
    d.profile.displayName = HOSTILE
    d.profile.description = `${HOSTILE}\nsecond line`
    d.profile.consentText = HOSTILE
    d.domains[0].displayName = HOSTILE
    d.users = [{address: 'zoë.o\'brien+x@example.com', name: HOSTILE, login: 'a&b<c>'}]
  })
  const built = buildOutputs(s, {only: ['mobileconfig']})

  it('are escaped by the plist library, not left raw', () => {
    const text = built.files[0]!.bytes.toString('utf8')
    expect(text).toContain('&amp; &lt;tag&gt;')
    expect(text).not.toContain('<tag>')
  })

  it.skipIf(missing(HAVE_PYTHON))('round-trip exactly through plistlib', () => {
    const userFile = built.files.find((f) => f.user !== null)!
    const py = plistlibParse(userFile.bytes) as SettingsDoc
    expect(py.PayloadOrganization).toBe(HOSTILE)
    expect(py.PayloadDisplayName).toBe(HOSTILE)
    expect(py.PayloadDescription).toBe(`${HOSTILE}\nsecond line`)
    expect(py.ConsentText).toEqual({default: HOSTILE})
    const mail = py.PayloadContent.find((x: Record<string, unknown>) => x.PayloadType === 'com.apple.mail.managed')
    expect(mail.EmailAccountName).toBe(HOSTILE)
    expect(mail.EmailAccountDescription).toBe(HOSTILE)
    expect(mail.EmailAddress).toBe("zoë.o'brien+x@example.com")
    expect(mail.IncomingMailServerUsername).toBe('a&b<c>')
  })
})

describe('profiles written from the template of their certificates and metadata', () => {
  const s = settingsWith((d) => {
    d.trust = {caFiles: ['root-ca.pem', 'intermediate-ca.pem']}
    d.organization.name = HOSTILE
    d.profile.consentText = HOSTILE
    d.users = [
      {address: 'alice@example.com', name: HOSTILE, login: 'a&b<c>'},
      {address: 'bob@example.com'},
      {address: 'carol@example.com', name: ''},
    ]
  })
  const certificates = caCertificates(loadCaFiles(s), [])
  const whole = (account: ReturnType<typeof domainAccount>, ids: ReturnType<typeof domainProfileIds>, m: ReturnType<typeof meta>) => Buffer.from(buildPlistXml(profileObject(account, ids, certificates, m), 'profile'), 'utf8')

  it('are byte for byte what writing the whole profile gives, for the domain and every user', () => {
    expect(certificates).toHaveLength(2)
    const m = meta(s)
    const domain = s.domains[0]!
    const accounts = [{account: domainAccount(domain), ids: domainProfileIds(domain.identifier)}, ...s.users.map((u) => ({account: userAccount(domain, u), ids: userProfileIds(domain.identifier, u.address)}))]
    for (const {account, ids} of accounts) expect(buildMobileconfig(account, ids, certificates, m).bytes.equals(whole(account, ids, m))).toBe(true)
  })

  it('follow a change of metadata with the same certificate list (no stale template)', () => {
    const domain = s.domains[0]!
    const account = domainAccount(domain)
    const ids = domainProfileIds(domain.identifier)
    const first = buildMobileconfig(account, ids, certificates, meta(s))
    const other = {...meta(s), organization: 'Other Org', targetDevice: 'macos' as const, removalAllowed: true, description: undefined}
    const second = buildMobileconfig(account, ids, certificates, other)
    expect(second.bytes.equals(whole(account, ids, other))).toBe(true)
    expect(second.bytes.equals(first.bytes)).toBe(false)
    expect(buildMobileconfig(account, ids, certificates.slice(0, 1), other).bytes.equals(Buffer.from(buildPlistXml(profileObject(account, ids, certificates.slice(0, 1), other), 'profile')))).toBe(true)
  })

  it('refuse a user value XML cannot carry with the same error as before', () => {
    const domain = s.domains[0]!
    const bad = userAccount(domain, {...s.users.at(0)!, name: 'bad\u0007name'})
    const ids = userProfileIds(domain.identifier, bad.emailAddress!)
    buildMobileconfig(domainAccount(domain), domainProfileIds(domain.identifier), certificates, meta(s))
    expect(() => buildMobileconfig(bad, ids, certificates, meta(s))).toThrow(/profile\.PayloadContent\[2\]\.EmailAccountName holds U\+0007/)
  })
})
