import {describe, expect, it} from 'vitest'

import {validateDeclaration} from '../../../src/core/apple/schemas.js'
import {domainAccount, userAccount} from '../../../src/core/generate/account.js'
import {ACTIVATION_TYPE, CREDENTIAL_ASSET_TYPE, IDENTITY_ASSET_TYPE, MAIL_DECLARATION_TYPE, declarationSet, mailDeclaration, serializeDeclaration} from '../../../src/core/generate/ddm.js'
import {baseSettings, loadFixture} from './settings-fixture.js'
import type {SettingsDoc} from './settings-fixture.js'

describe('DDM com.apple.configuration.account.mail', () => {
  const d = baseSettings() as SettingsDoc
  d.domains[0].outgoing = {host: 'smtp.example.com', port: 587, security: 'starttls', authentication: 'none'}
  const s = loadFixture(d)
  const generic = mailDeclaration(domainAccount(s.domains[0]!), 'com.example.mail.com.example.profile.account.imap')
  const personal = mailDeclaration(userAccount(s.domains[0]!, s.users.at(0)!), 'com.example.mail.com.example.user.alice.account.imap')

  it("validates against Apple's converted account.mail schema", () => {
    expect(validateDeclaration(generic)).toEqual([])
    expect(validateDeclaration(personal)).toEqual([])
  })

  it('holds the servers with Apple’s names, and credential references only where the server authenticates', () => {
    expect(generic.Type).toBe(MAIL_DECLARATION_TYPE)
    const payload = generic.Payload as Record<string, Record<string, unknown>>
    expect(payload.IncomingServer).toEqual({
      AuthenticationCredentialsAssetReference: 'com.example.mail.com.example.profile.account.imap.credentials',
      AuthenticationMethod: 'Password',
      HostName: 'imap.example.com',
      Port: 993,
      ServerType: 'IMAP',
    })
    expect(payload.OutgoingServer).toEqual({AuthenticationMethod: 'None', HostName: 'smtp.example.com', Port: 587})
    expect(payload.UserIdentityAssetReference).toBeUndefined()
    expect((personal.Payload as Record<string, unknown>).UserIdentityAssetReference).toBe('com.example.mail.com.example.user.alice.account.imap.identity')
  })

  it('has a ServerToken that is stable for the same content and changes with it', () => {
    expect(mailDeclaration(domainAccount(s.domains[0]!), 'com.example.mail.com.example.profile.account.imap')).toEqual(generic)
    const d2 = baseSettings() as SettingsDoc
    d2.domains[0].incoming.host = 'imap2.example.com'
    d2.domains[0].outgoing = {host: 'smtp.example.com', port: 587, security: 'starttls', authentication: 'none'}
    const other = mailDeclaration(domainAccount(loadFixture(d2).domains[0]!), 'com.example.mail.com.example.profile.account.imap')
    expect(other.ServerToken).not.toBe(generic.ServerToken)
    expect(other.Identifier).toBe(generic.Identifier)
  })

  it('serializes as JSON that parses back to the same declaration', () => {
    expect(JSON.parse(serializeDeclaration(personal).toString('utf8'))).toEqual(personal)
  })
})

describe('DDM declaration sets: the assets the configuration references and the activation that applies it', () => {
  const s = loadFixture(baseSettings() as SettingsDoc)
  const id = 'com.example.mail.com.example.user.alice.account.imap'
  const set = declarationSet(userAccount(s.domains[0]!, s.users.at(0)!), id)
  const byType = (type: string) => set.find((f) => f.declaration.Type === type)!

  it("every declaration validates against Apple's schema for its type (assets and activation included)", () => {
    expect(set.map((f) => f.declaration.Type)).toEqual([MAIL_DECLARATION_TYPE, CREDENTIAL_ASSET_TYPE, IDENTITY_ASSET_TYPE, ACTIVATION_TYPE])
    for (const f of set) expect(validateDeclaration(f.declaration), String(f.declaration.Type)).toEqual([])
    // The schemas do check: a credential asset without its Reference, an activation without configurations fail.
    expect(validateDeclaration({...byType(CREDENTIAL_ASSET_TYPE).declaration, Payload: {}}).map((i) => i.keyword)).toEqual(['required'])
    expect(validateDeclaration({...byType(ACTIVATION_TYPE).declaration, Payload: {StandardConfigurations: 'x'}}).map((i) => i.keyword)).toEqual(['type'])
  })

  it('every asset the configuration references is in the set, and the activation names the configuration', () => {
    const config = byType(MAIL_DECLARATION_TYPE).declaration.Payload as Record<string, Record<string, unknown> | string>
    const references = [(config.IncomingServer as Record<string, unknown>).AuthenticationCredentialsAssetReference, (config.OutgoingServer as Record<string, unknown>).AuthenticationCredentialsAssetReference, config.UserIdentityAssetReference]
    const identifiers = new Set(set.map((f) => f.declaration.Identifier))
    for (const r of references.filter(Boolean)) expect(identifiers).toContain(r)
    expect(byType(ACTIVATION_TYPE).declaration.Payload).toEqual({StandardConfigurations: [id]})
    expect(byType(IDENTITY_ASSET_TYPE).declaration.Payload).toMatchObject({EmailAddress: s.users.at(0)!.address})
    expect(set.map((f) => f.suffix)).toEqual(['', '.credentials', '.identity', '.activation'])
  })

  it('the credential asset points at data the MDM serves (a placeholder URL that never resolves), fetched with MDM authentication; no password anywhere', () => {
    const payload = byType(CREDENTIAL_ASSET_TYPE).declaration.Payload as {Reference: {DataURL: string}; Authentication: {Type: string}}
    expect(payload.Reference.DataURL.startsWith('https://mdm.invalid/')).toBe(true)
    expect(payload.Authentication.Type).toBe('MDM')
    expect(JSON.stringify(set)).not.toMatch(/"Password"\s*:/)
  })

  it('a generic account has no identity asset; servers without authentication need no credential asset', () => {
    expect(declarationSet(domainAccount(s.domains[0]!), 'x.y').map((f) => f.suffix)).toEqual(['', '.credentials', '.activation'])
    const d = baseSettings() as SettingsDoc
    d.domains[0].incoming.authentication = 'none'
    d.domains[0].outgoing = {host: 'smtp.example.com', port: 587, security: 'starttls', authentication: 'none'}
    const none = declarationSet(domainAccount(loadFixture(d).domains[0]!), 'x.y')
    expect(none.map((f) => f.suffix)).toEqual(['', '.activation'])
    for (const f of none) expect(validateDeclaration(f.declaration)).toEqual([])
  })
})
