import {describe, expect, it} from 'vitest'

import {absoluteName, buildDnsZone} from '../../../src/core/generate/dns.js'
import {baseSettings, loadFixture} from './settings-fixture.js'
import type {SettingsDoc} from './settings-fixture.js'

function zone(patch: (d: SettingsDoc) => void = () => {}): string {
  const d = baseSettings() as SettingsDoc
  patch(d)
  return buildDnsZone(loadFixture(d).domains[0]!).toString('utf8')
}

function srv(text: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const line of text.split('\n')) {
    const m = /^(\S+)\s+3600 IN SRV (\d+ \d+ \d+ \S+)$/.exec(line)
    if (m) out[m[1]!] = m[2]!
  }
  return out
}

describe('DNS zone snippet', () => {
  it('publishes implicit-TLS services and marks the others as not offered (target ".")', () => {
    expect(srv(zone())).toEqual({
      '_imaps._tcp.example.com.': '0 1 993 imap.example.com.',
      '_imap._tcp.example.com.': '0 0 0 .',
      '_pop3s._tcp.example.com.': '0 0 0 .',
      '_pop3._tcp.example.com.': '0 0 0 .',
      '_submissions._tcp.example.com.': '0 1 465 smtp.example.com.',
      '_submission._tcp.example.com.': '0 0 0 .',
      '_autodiscover._tcp.example.com.': '0 1 443 autodiscover.example.com.',
    })
  })

  it('publishes STARTTLS services under _imap/_pop3/_submission', () => {
    const records = srv(
      zone((d) => {
        d.domains[0].incoming = {protocol: 'pop3', host: 'pop.example.com', security: 'starttls'}
        d.domains[0].outgoing = {host: 'smtp.example.com', security: 'starttls'}
      }),
    )
    expect(records['_pop3._tcp.example.com.']).toBe('10 1 110 pop.example.com.')
    expect(records['_pop3s._tcp.example.com.']).toBe('0 0 0 .')
    expect(records['_imaps._tcp.example.com.']).toBe('0 0 0 .')
    expect(records['_submission._tcp.example.com.']).toBe('10 1 587 smtp.example.com.')
    expect(records['_submissions._tcp.example.com.']).toBe('0 0 0 .')
  })

  it('names the autoconfig and autodiscover hosts', () => {
    const text = zone()
    expect(text).toContain('autoconfig.example.com.')
    expect(text).toContain('autodiscover.example.com.')
    for (const line of text.split('\n')) expect(line === '' || line.startsWith(';') || /^_\S+\s+3600 IN SRV /.test(line)).toBe(true)
  })

  it('writes IDNs as punycode and refuses names a zone file cannot hold', () => {
    expect(absoluteName('mail.bücher.example', 'host')).toBe('mail.xn--bcher-kva.example.')
    expect(() => absoluteName('imap.example.com\n@ IN A 1.2.3.4', 'incoming.host')).toThrow(/incoming\.host/)
    expect(() => absoluteName('bad host', 'incoming.host')).toThrow()
  })
})
