import {describe, expect, it} from 'vitest'

import {domainAccount} from '../../../src/core/generate/account.js'
import {buildAutoconfig} from '../../../src/core/generate/autoconfig.js'
import {HAVE_XMLLINT, missing, xmllintRelaxng, xmllintXpath} from './tools.js'
import {baseSettings, loadFixture} from './settings-fixture.js'
import type {SettingsDoc} from './settings-fixture.js'

const HOSTILE = `Ümlaut & <tag> "quoted" 'single' ]]> 😀 שלום \u202E`

function autoconfigFor(patch: (d: SettingsDoc) => void): Buffer {
  const d = baseSettings() as SettingsDoc
  patch(d)
  const s = loadFixture(d)
  return buildAutoconfig(domainAccount(s.domains[0]!))
}

describe.skipIf(missing(HAVE_XMLLINT))('Thunderbird autoconfig', () => {
  const cases: Array<[string, (d: SettingsDoc) => void]> = [
    ['IMAP 993 + SMTP 465', () => {}],
    ['IMAP 143 STARTTLS + SMTP 587 STARTTLS, local-part logins', (d) => {
      d.domains[0].incoming = {protocol: 'imap', host: 'imap.example.com', port: 143, security: 'starttls', username: '%EMAILLOCALPART%'}
      d.domains[0].outgoing = {host: 'smtp.example.com', port: 587, security: 'starttls', username: '%EMAILLOCALPART%'}
    }],
    ['POP3 with CRAM-MD5, hostile display name', (d) => {
      d.domains[0].displayName = HOSTILE
      d.domains[0].incoming = {protocol: 'pop3', host: 'pop.example.com', security: 'ssl', authentication: 'crammd5'}
    }],
  ]

  for (const [name, patch] of cases) {
    it(`validates against Mozilla's RELAX NG grammar: ${name}`, () => {
      const r = xmllintRelaxng(autoconfigFor(patch))
      expect(r.output).toContain('validates')
      expect(r.ok).toBe(true)
    })
  }

  it('the grammar check can fail (a document without emailProvider id is rejected)', () => {
    const r = xmllintRelaxng(Buffer.from('<?xml version="1.0"?><clientConfig version="1.1"><emailProvider><domain>x</domain></emailProvider></clientConfig>'))
    expect(r.ok).toBe(false)
  })

  it('carries the servers, socketType, authentication and username placeholders', () => {
    const bytes = autoconfigFor(cases[1]![1])
    const x = (p: string) => xmllintXpath(bytes, `string(${p})`)
    expect(x('/clientConfig/@version')).toBe('1.1')
    expect(x('/clientConfig/emailProvider/@id')).toBe('example.com')
    expect(x('/clientConfig/emailProvider/domain')).toBe('example.com')
    expect(x('/clientConfig/emailProvider/incomingServer/@type')).toBe('imap')
    expect(x('/clientConfig/emailProvider/incomingServer/hostname')).toBe('imap.example.com')
    expect(x('/clientConfig/emailProvider/incomingServer/port')).toBe('143')
    expect(x('/clientConfig/emailProvider/incomingServer/socketType')).toBe('STARTTLS')
    expect(x('/clientConfig/emailProvider/incomingServer/authentication')).toBe('password-cleartext')
    expect(x('/clientConfig/emailProvider/incomingServer/username')).toBe('%EMAILLOCALPART%')
    expect(x('/clientConfig/emailProvider/outgoingServer/@type')).toBe('smtp')
    expect(x('/clientConfig/emailProvider/outgoingServer/port')).toBe('587')
    expect(x('/clientConfig/emailProvider/outgoingServer/socketType')).toBe('STARTTLS')
    const ssl = autoconfigFor(cases[2]![1])
    expect(xmllintXpath(ssl, 'string(/clientConfig/emailProvider/incomingServer/socketType)')).toBe('SSL')
    expect(xmllintXpath(ssl, 'string(/clientConfig/emailProvider/incomingServer/authentication)')).toBe('password-encrypted')
    expect(xmllintXpath(ssl, 'string(/clientConfig/emailProvider/incomingServer/username)')).toBe('%EMAILADDRESS%')
  })

  it('round-trips a hostile display name exactly', () => {
    expect(xmllintXpath(autoconfigFor(cases[2]![1]), 'string(/clientConfig/emailProvider/displayName)')).toBe(HOSTILE)
  })
})
