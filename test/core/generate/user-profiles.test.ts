// The per-user template writer against the whole path it stands for: buildMobileconfig (the whole
// profile object, written whole) plus validateConfiguration (Apple's schemas over all of it).
import {readFileSync} from 'node:fs'
import {join} from 'node:path'

import fc from 'fast-check'
import {describe, expect, it} from 'vitest'

import {validateConfiguration} from '../../../src/core/apple/schemas.js'
import {userAccount} from '../../../src/core/generate/account.js'
import {buildOutputs, caCertificates} from '../../../src/core/generate/build.js'
import {userProfileIds} from '../../../src/core/generate/ids.js'
import {buildMobileconfig, type ProfileMetadata} from '../../../src/core/generate/mobileconfig.js'
import {USER_MAIL_KEYS, userProfileWriter, type UserProfile} from '../../../src/core/generate/user-profiles.js'
import {findXmlInvalidCharacter} from '../../../src/core/generate/xml-text.js'
import {loadCaFiles} from '../../../src/core/settings/ca-files.js'
import type {DomainSettings, UserSettings} from '../../../src/core/settings/model.js'
import {ROOT} from '../../helpers/cli.js'
import {baseSettings, loadFixture, type SettingsDoc} from './settings-fixture.js'

const HOSTILE = `Ümlaut & <tag> "quoted" 'single' ]]> 😀 שלום עולם \u202Eevil`

function settingsWith(patch: (doc: SettingsDoc) => void) {
  const doc = baseSettings() as SettingsDoc
  patch(doc)
  return loadFixture(doc)
}

function metaOf(settings: ReturnType<typeof loadFixture>): ProfileMetadata {
  const p = settings.profile
  return {organization: settings.organization.name, displayName: p.displayName, description: p.description, consentText: p.consentText, removalAllowed: p.removalAllowed, targetDevice: p.targetDevice}
}

/** What the whole path gives for a user: the bytes and identifiers, or the schema issues. */
function wholePath(domain: DomainSettings, user: UserSettings, certificates: ReturnType<typeof caCertificates>, meta: ProfileMetadata): UserProfile {
  const built = buildMobileconfig(userAccount(domain, user), userProfileIds(domain.identifier, user.address), certificates, meta)
  const issues = validateConfiguration(built.profile)
  if (issues.length > 0) return {issues}
  return {bytes: built.bytes, payloadIdentifier: built.payloadIdentifier, payloadUuid: built.payloadUuid}
}

const xmlChar = fc.oneof(fc.constantFrom('&', '<', '>', '"', "'", ' ', '\n', '\t', ']]>', '😀', 'é', 'Ü', '\u202E', '.', '+', '-', '_', 'A', 'z', '%EMAILADDRESS%'), fc.string({unit: 'binary', maxLength: 3}).filter((s) => findXmlInvalidCharacter(s) === undefined))
const xmlString = fc.array(xmlChar, {maxLength: 8}).map((parts) => parts.join(''))
const localPart = fc.array(fc.constantFrom('a', 'b', 'Z', '0', '.', '+', '-', '_', 'ë', '&', "'"), {minLength: 1, maxLength: 10}).map((p) => p.join(''))
const user = fc.record({local: localPart, name: fc.option(xmlString, {nil: undefined}), login: fc.option(xmlString, {nil: undefined})})

describe('per-user profiles from a domain template', () => {
  const variants = [
    (d: SettingsDoc) => {
      d.trust = {caFiles: ['root-ca.pem', 'intermediate-ca.pem']}
      d.organization.name = HOSTILE
      d.profile.consentText = HOSTILE
    },
    (d: SettingsDoc) => {
      d.domains[0].incoming = {protocol: 'pop3', host: 'pop.example.com', port: 995, security: 'ssl', username: '%EMAILLOCALPART%'}
      d.domains[0].outgoing = {host: 'smtp.example.com', port: 587, security: 'starttls', authentication: 'none'}
      d.profile.targetDevice = 'macos'
    },
    (d: SettingsDoc) => {
      d.trust = {caFiles: ['root-ca.pem']}
      d.domains[0].incoming.username = 'shared-login'
      d.domains[0].outgoing.username = '%EMAILDOMAIN%\\%EMAILLOCALPART%'
      d.profile.removalAllowed = false
    },
  ]

  for (const [n, patch] of variants.entries()) {
    it(`give the bytes and identifiers of the whole path, user after user (settings ${n + 1})`, () => {
      const s = settingsWith(patch)
      const domain = s.domains[0]!
      const certificates = caCertificates(loadCaFiles(s), [])
      const meta = metaOf(s)
      fc.assert(
        fc.property(fc.array(user, {minLength: 1, maxLength: 12}), (users) => {
          const write = userProfileWriter(certificates, meta)
          for (const u of users) {
            const settingsUser: UserSettings = {address: `${u.local}@example.com`, name: u.name, login: u.login, source: {file: s.file}}
            const ours = write(userAccount(domain, settingsUser), userProfileIds(domain.identifier, settingsUser.address))
            const theirs = wholePath(domain, settingsUser, certificates, meta)
            expect('bytes' in ours).toBe(true)
            if (!('bytes' in ours) || !('bytes' in theirs)) throw new Error('unexpected schema issues')
            expect(ours.bytes.equals(theirs.bytes)).toBe(true)
            expect([ours.payloadIdentifier, ours.payloadUuid]).toEqual([theirs.payloadIdentifier, theirs.payloadUuid])
          }
        }),
        {numRuns: 60},
      )
    })
  }

  it('still catch a bad per-user value with Apple\'s schema, after the template was made', () => {
    const s = settingsWith(variants[0]!)
    const domain = s.domains[0]!
    const certificates = caCertificates(loadCaFiles(s), [])
    const meta = metaOf(s)
    const write = userProfileWriter(certificates, meta)
    const good: UserSettings = {address: 'alice@example.com', name: 'Alice', source: {file: s.file}}
    // A name that is not a string (nothing in the CSV reader gives one; a bug elsewhere could).
    const bad = {address: 'bob@example.com', name: 42, source: {file: s.file}} as unknown as UserSettings
    expect('bytes' in write(userAccount(domain, good), userProfileIds(domain.identifier, good.address))).toBe(true)
    const ours = write(userAccount(domain, bad), userProfileIds(domain.identifier, bad.address))
    const theirs = wholePath(domain, bad, certificates, meta)
    expect(ours).toEqual(theirs)
    expect(ours).toEqual({issues: [{path: '/PayloadContent/2/EmailAccountName', keyword: 'type', message: 'must be <string>'}]})
    // …and through buildOutputs, as the finding build reports.
    const built = buildOutputs({...s, users: [good, bad]}, {only: ['mobileconfig']})
    expect(built.files).toEqual([])
    expect(built.findings.filter((f) => f.code === 'apple-schema-violation').map((f) => f.message)).toEqual(['example.com/users/bob@example.com.mobileconfig: /PayloadContent/2/EmailAccountName must be <string> (Apple\'s schema).'])
  })

  it('refuse a user value XML cannot carry with the error of the whole path', () => {
    const s = settingsWith(variants[0]!)
    const domain = s.domains[0]!
    const certificates = caCertificates(loadCaFiles(s), [])
    const write = userProfileWriter(certificates, metaOf(s))
    write(userAccount(domain, {address: 'alice@example.com', source: {file: s.file}}), userProfileIds(domain.identifier, 'alice@example.com'))
    const bad = userAccount(domain, {address: 'bob@example.com', name: 'bad\u0007name', source: {file: s.file}})
    expect(() => write(bad, userProfileIds(domain.identifier, 'bob@example.com'))).toThrow(/profile\.PayloadContent\[2\]\.EmailAccountName holds U\+0007/)
  })

  it('rely only on what Apple\'s schemas say of the values they do not validate per user', () => {
    // Per user, the mail payload is validated whole; the profile's and the certificate payloads'
    // PayloadIdentifier and PayloadUUID are not: their schemas must ask nothing but a string of them,
    // and nothing at a schema's top level may tie one key to another.
    for (const type of ['TopLevel', 'com.apple.security.root', 'com.apple.security.pkcs1', 'com.apple.mail.managed']) {
      const schema = JSON.parse(readFileSync(join(ROOT, 'schemas', 'apple', `${type}.json`), 'utf8')) as Record<string, unknown>
      expect(Object.keys(schema).sort()).toEqual(['$id', '$schema', 'additionalProperties', 'description', 'properties', 'required', 'title', 'type', 'x-payloadType'])
      const properties = schema.properties as Record<string, Record<string, unknown>>
      for (const key of ['PayloadIdentifier', 'PayloadUUID']) {
        const {description: _d, title: _t, ...rule} = properties[key]!
        expect(rule).toEqual({type: 'string'})
      }
    }
    expect(USER_MAIL_KEYS).toContain('EmailAccountName')
  })
})
