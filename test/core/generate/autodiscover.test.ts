import {XMLParser} from 'fast-xml-parser'
import {describe, expect, it} from 'vitest'

import {domainAccount, userAccount} from '../../../src/core/generate/account.js'
import {AUTODISCOVER_RESPONSE_NS, OUTLOOK_RESPONSE_NS, buildAutodiscover, buildAutodiscoverError, encryptionOf} from '../../../src/core/generate/autodiscover.js'
import {buildXml} from '../../../src/core/generate/xml-builder.js'
import {HAVE_XMLLINT, missing, xmllintXpath} from './tools.js'
import {baseSettings, loadFixture} from './settings-fixture.js'
import type {SettingsDoc} from './settings-fixture.js'

const parser = new XMLParser({ignoreAttributes: false, attributeNamePrefix: '@_', parseTagValue: false, isArray: (name) => name === 'Protocol'})

function settings(patch: (d: SettingsDoc) => void = () => {}) {
  const d = baseSettings() as SettingsDoc
  patch(d)
  return loadFixture(d)
}

describe('Autodiscover (POX)', () => {
  const s = settings((d) => {
    d.domains[0].incoming = {protocol: 'imap', host: 'imap.example.com', port: 993, security: 'ssl'}
    d.domains[0].outgoing = {host: 'smtp.example.com', port: 587, security: 'starttls', username: '%EMAILLOCALPART%'}
    d.users = [{address: 'alice@example.com', name: 'Alice Example', login: 'alice01'}]
  })

  it('has the response and Outlook namespaces and one Account with AccountType email and Action settings', () => {
    const doc = parser.parse(buildAutodiscover(domainAccount(s.domains[0]!)).toString('utf8'))
    expect(doc['?xml']).toEqual({'@_version': '1.0', '@_encoding': 'utf-8'})
    expect(doc.Autodiscover['@_xmlns']).toBe(AUTODISCOVER_RESPONSE_NS)
    expect(AUTODISCOVER_RESPONSE_NS).toBe('http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006')
    expect(doc.Autodiscover.Response['@_xmlns']).toBe(OUTLOOK_RESPONSE_NS)
    expect(OUTLOOK_RESPONSE_NS).toBe('http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a')
    expect(doc.Autodiscover.Response.Account.AccountType).toBe('email')
    expect(doc.Autodiscover.Response.Account.Action).toBe('settings')
  })

  it('writes IMAP with Encryption SSL (implicit TLS) and SMTP with Encryption TLS (STARTTLS), element by element', () => {
    const doc = parser.parse(buildAutodiscover(domainAccount(s.domains[0]!)).toString('utf8'))
    const [imap, smtp] = doc.Autodiscover.Response.Account.Protocol
    expect(imap).toEqual({Type: 'IMAP', Server: 'imap.example.com', Port: '993', DomainRequired: 'off', SPA: 'off', SSL: 'on', Encryption: 'SSL', AuthRequired: 'on'})
    // The domain's file has no LoginName (Outlook then logs in with the address the user typed).
    expect(smtp).toEqual({Type: 'SMTP', Server: 'smtp.example.com', Port: '587', DomainRequired: 'off', SPA: 'off', SSL: 'on', Encryption: 'TLS', AuthRequired: 'on'})
  })

  it('writes the LoginName per user (login, or the template expanded)', () => {
    const u = settings((d) => {
      d.domains[0].outgoing = {host: 'smtp.example.com', port: 587, security: 'starttls', username: '%EMAILLOCALPART%'}
      d.users = [{address: 'bob@example.com'}]
    })
    const doc = parser.parse(buildAutodiscover(userAccount(u.domains[0]!, u.users.at(0)!)).toString('utf8'))
    const [imap, smtp] = doc.Autodiscover.Response.Account.Protocol
    expect(imap.LoginName).toBe('bob@example.com')
    expect(smtp.LoginName).toBe('bob')
    const withLogin = parser.parse(buildAutodiscover(userAccount(s.domains[0]!, s.users.at(0)!)).toString('utf8'))
    expect(withLogin.Autodiscover.Response.Account.Protocol.map((p: {LoginName: string}) => p.LoginName)).toEqual(['alice01', 'alice01'])
    expect(withLogin.Autodiscover.Response.User).toEqual({DisplayName: 'Alice Example'})
  })

  it('maps POP3, NTLM (SPA on) and no authentication', () => {
    const p = settings((d) => {
      d.domains[0].incoming = {protocol: 'pop3', host: 'pop.example.com', security: 'starttls', authentication: 'ntlm'}
      d.domains[0].outgoing = {host: 'smtp.example.com', security: 'ssl', authentication: 'none'}
    })
    const [pop, smtp] = parser.parse(buildAutodiscover(domainAccount(p.domains[0]!)).toString('utf8')).Autodiscover.Response.Account.Protocol
    expect(pop).toMatchObject({Type: 'POP3', Port: '110', SPA: 'on', Encryption: 'TLS', AuthRequired: 'on'})
    expect(smtp).toMatchObject({Type: 'SMTP', Port: '465', SPA: 'off', Encryption: 'SSL', AuthRequired: 'off'})
    expect(encryptionOf('none')).toBe('None')
  })

  it('writes the documented error response (ErrorCode 600, Invalid Request)', () => {
    const doc = parser.parse(buildAutodiscoverError(600).toString('utf8'))
    expect(doc.Autodiscover['@_xmlns']).toBe(AUTODISCOVER_RESPONSE_NS)
    expect(doc.Autodiscover.Response.Error).toEqual({ErrorCode: '600', Message: 'Invalid Request', DebugData: ''})
  })
})

describe('XML escaping (fast-xml-parser XMLBuilder)', () => {
  const hostile = `a & b < c > d " e ' f ]]> g 😀 שלום`
  const bytes = buildXml({Root: {'@_attr': hostile, Text: hostile}}, 'test')

  it('escapes & < > " \' in text and attributes', () => {
    const text = bytes.toString('utf8')
    expect(text).toContain('a &amp; b &lt; c &gt; d &quot; e &apos; f ]]&gt; g')
    expect(text).not.toContain('b < c')
  })

  it('round-trips through fast-xml-parser', () => {
    const doc = new XMLParser({ignoreAttributes: false, attributeNamePrefix: '@_', parseTagValue: false}).parse(bytes.toString('utf8'))
    expect(doc.Root.Text).toBe(hostile)
    expect(doc.Root['@_attr']).toBe(hostile)
  })

  it.skipIf(missing(HAVE_XMLLINT))('round-trips through xmllint (libxml2)', () => {
    expect(xmllintXpath(bytes, 'string(/Root/Text)')).toBe(hostile)
    expect(xmllintXpath(bytes, 'string(/Root/@attr)')).toBe(hostile)
  })

  it('refuses characters XML 1.0 cannot carry, naming the field', () => {
    expect(() => buildXml({Root: {Name: 'a\u0001b'}}, 'autodiscover')).toThrow(/autodiscover\.Root\.Name holds U\+0001/)
  })
})
