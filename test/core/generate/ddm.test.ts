import {describe, expect, it} from 'vitest'

import {validateDeclaration} from '../../../src/core/apple/schemas.js'
import {domainAccount, userAccount} from '../../../src/core/generate/account.js'
import {MAIL_DECLARATION_TYPE, mailDeclaration, serializeDeclaration} from '../../../src/core/generate/ddm.js'
import {baseSettings, loadFixture} from './settings-fixture.js'
import type {SettingsDoc} from './settings-fixture.js'

describe('DDM com.apple.configuration.account.mail', () => {
  const d = baseSettings() as SettingsDoc
  d.domains[0].outgoing = {host: 'smtp.example.com', port: 587, security: 'starttls', authentication: 'none'}
  const s = loadFixture(d)
  const generic = mailDeclaration(domainAccount(s.domains[0]!), 'com.example.mail.com.example.profile.account.imap')
  const personal = mailDeclaration(userAccount(s.domains[0]!, s.users[0]!), 'com.example.mail.com.example.user.alice.account.imap')

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
