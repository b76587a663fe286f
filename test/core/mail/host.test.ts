import {isIP} from 'node:net'

import fc from 'fast-check'
import {describe, expect, it} from 'vitest'

import {asciiHost, bareHost, connectHost, endpointKey, ipLiteralVersion, ipVersion, normalizeHost} from '../../../src/core/mail/host.js'

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

  it('answers as node:net isIP does, without asking it about names that cannot be IP literals', () => {
    const samples = ['192.0.2.1', '255.255.255.255', '256.1.1.1', '1.2.3', '01.2.3.4', '::', '::1', 'fe80::1%eth0', '::ffff:192.0.2.1', '2001:db8::1', '[::1]', '1:2:3:4:5:6:7:8', '0x7f.1', '١٢٣.1.1.1', '1.2.3.4.', ' 1.2.3.4', 'face:b00c', 'mail.example.com', '']
    for (const s of samples) expect(ipLiteralVersion(s), s).toBe(isIP(s))
    const ipish = fc.stringMatching(/^[0-9a-fA-F:.%[\]]{0,45}$/)
    fc.assert(fc.property(fc.oneof(fc.ipV4(), fc.ipV4Extended(), fc.ipV6(), ipish, fc.string(), fc.domain()), (s) => ipLiteralVersion(s) === isIP(s)), {numRuns: 3000})
  })

  it('makes one endpoint key for spellings of the same endpoint', () => {
    expect(endpointKey({host: 'MAIL.example.com.', port: 993, protocol: 'imap', security: 'ssl'})).toBe(endpointKey({host: 'mail.example.com', port: 993, protocol: 'imap', security: 'ssl'}))
  })
})
