import {describe, expect, it} from 'vitest'
import {parse} from 'yaml'

import {InputError} from '../../../src/core/errors.js'
import {domainProfileIds, userProfileIds} from '../../../src/core/mail/identifiers.js'
import {normalizeSettings} from '../../../src/core/settings/model.js'
import {defaultIdentifier, scaffoldSettings} from '../../../src/core/settings/scaffold.js'

describe('scaffoldSettings (mailprofile init)', () => {
  it('defaults to IMAP 993 and submission 465 on implicit TLS, login with the full address', () => {
    const data = parse(scaffoldSettings({domain: 'example.com'}))
    expect(data).toEqual({
      version: 1,
      organization: {name: 'example.com', identifier: 'com.example'},
      profile: {displayName: 'example.com Mail', removalAllowed: true},
      domains: [
        {
          domain: 'example.com',
          identifier: 'com.example.mail',
          incoming: {protocol: 'imap', host: 'imap.example.com', port: 993, security: 'ssl', username: '%EMAILADDRESS%'},
          outgoing: {host: 'smtp.example.com', port: 465, security: 'ssl', authentication: 'password'},
        },
      ],
    })
  })

  it('STARTTLS ports and POP3 when asked, and the hosts given', () => {
    const data = parse(scaffoldSettings({domain: 'example.org', protocol: 'pop3', security: 'starttls', incomingHost: 'mail.example.org', outgoingHost: 'mail.example.org'}))
    expect(data.domains[0].incoming).toMatchObject({protocol: 'pop3', host: 'mail.example.org', port: 110, security: 'starttls'})
    expect(data.domains[0].outgoing).toMatchObject({host: 'mail.example.org', port: 587, security: 'starttls'})
  })

  it('carries any organization name exactly, through the YAML library', () => {
    const name = 'Müller & Söhne "GmbH" <#1>: 🚀 \u05e9\u05dc\u05d5\u05dd'
    const text = scaffoldSettings({domain: 'example.com', organization: name})
    expect(parse(text).organization.name).toBe(name)
    expect(parse(text).profile.displayName).toBe(`${name} Mail`)
  })

  it('comments above the keys, and the editor schema line when given', () => {
    const text = scaffoldSettings({domain: 'example.com', schemaPath: 'node_modules/mailprofile/schemas/mailprofile.schema.json'})
    expect(text.split('\n')[0]).toBe('# yaml-language-server: $schema=node_modules/mailprofile/schemas/mailprofile.schema.json')
    expect(text).toMatch(/# 993 = IMAP over implicit TLS \(RFC 8314\); with STARTTLS it would be 143\.\n\s+port: 993\n/)
    expect(text).toMatch(/"Recipient Rejected By Server"\.\n\s+authentication: password\n/)
  })

  it('derives an ASCII reverse-DNS identifier, punycode for an internationalized domain', () => {
    expect(defaultIdentifier('mail.example.co.uk')).toBe('uk.co.example.mail.mail')
    expect(defaultIdentifier('bücher.example')).toBe('example.xn--bcher-kva.mail')
  })

  it('writes the domain in lower case, and identifiers that do not repeat the domain (issue 9 item 13)', async () => {
    const data = parse(scaffoldSettings({domain: 'YourCompany.TEST'}))
    expect(data.domains[0].domain).toBe('yourcompany.test')
    expect(data.domains[0].incoming.host).toBe('imap.yourcompany.test')
    expect(data.domains[0].identifier).toBe('test.yourcompany.mail')
    expect(data.organization.identifier).toBe('test.yourcompany')
    // What build derives from it: the user's profile is <base>.user.<name>, not <base>.test.yourcompany.user.<name>.
    const settings = normalizeSettings({...data, users: [{address: 'bob@yourcompany.test'}]}, 'mail.yaml', '.', () => ({file: 'mail.yaml'}))
    expect(userProfileIds(settings.domains[0]!.identifier, 'bob@yourcompany.test').profile).toBe('test.yourcompany.mail.user.bob')
    expect(domainProfileIds(settings.domains[0]!.identifier).profile).toBe('test.yourcompany.mail.profile')
  })

  it('uses --identifier as the base, keeping the organization identifier distinct from it', () => {
    expect(parse(scaffoldSettings({domain: 'example.com', identifier: 'com.acme.mail'})).domains[0].identifier).toBe('com.acme.mail')
    const same = parse(scaffoldSettings({domain: 'example.com', identifier: 'com.example'}))
    expect(same.domains[0].identifier).toBe('com.example')
    expect(same.organization.identifier).not.toBe('com.example')
  })

  it.each([['not a domain'], ['https://example.com'], ['localhost'], ['192.0.2.1'], ['']])('refuses the domain %j with an InputError', (domain) => {
    expect(() => scaffoldSettings({domain})).toThrow(InputError)
  })

  it('refuses a host name with a port in it, naming the flag', () => {
    expect(() => scaffoldSettings({domain: 'example.com', incomingHost: 'imap.example.com:993'})).toThrow(/--incoming-host "imap\.example\.com:993" is not usable/)
  })
})
