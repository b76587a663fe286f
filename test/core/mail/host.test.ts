import {describe, expect, it} from 'vitest'

import {asciiHost, bareHost, connectHost, endpointKey, ipVersion, normalizeHost} from '../../../src/core/mail/host.js'

describe('host names', () => {
  it('normalizes for comparison: case, trailing dot, brackets, IDN to A-labels', () => {
    expect(normalizeHost(' Mail.Example.COM. ')).toBe('mail.example.com')
    expect(normalizeHost('[2001:DB8::1]')).toBe('2001:db8::1')
    expect(normalizeHost('Bücher.Example')).toBe('xn--bcher-kva.example')
    expect(bareHost('[::1]')).toBe('::1')
  })

  it('keeps an ASCII name as written for connecting (SNI and reports), A-labels for IDNs', () => {
    expect(connectHost('Mail.Example.com.')).toBe('Mail.Example.com')
    expect(connectHost('mail.bücher.example')).toBe('mail.xn--bcher-kva.example')
  })

  it('says which names have no A-label form', () => {
    expect(asciiHost('xn--a.example')).toBe('')
    expect(normalizeHost('xn--a.example')).toBe('xn--a.example')
  })

  it('recognizes IP literals with node:net', () => {
    expect(['192.0.2.1', '01.2.3.4', '[2001:db8::1]', '::ffff:192.0.2.1', '1:2:3:4:5:6:7:8:9', 'mail.example.com'].map(ipVersion)).toEqual([4, 0, 6, 6, 0, 0])
  })

  it('makes one endpoint key for spellings of the same endpoint', () => {
    expect(endpointKey({host: 'MAIL.example.com.', port: 993, protocol: 'imap', security: 'ssl'})).toBe(endpointKey({host: 'mail.example.com', port: 993, protocol: 'imap', security: 'ssl'}))
  })
})
