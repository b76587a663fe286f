import {describe, expect, it} from 'vitest'

import {parseCertificate} from '../../../src/core/x509/certificate.js'
import {certificateCoversHost, dnsNameMatches, ipBytes, normalizeHostName, suggestHostName} from '../../../src/core/x509/hostname.js'
import {createCertificate} from '../../helpers/pki.js'

describe('dnsNameMatches (RFC 6125 as Apple applies it)', () => {
  const table: Array<[pattern: string, host: string, matches: boolean]> = [
    ['mail.example.com', 'mail.example.com', true],
    ['mail.example.com', 'MAIL.Example.COM', true],
    ['MAIL.EXAMPLE.COM', 'mail.example.com', true],
    ['mail.example.com', 'mail.example.com.', true],
    ['mail.example.com.', 'mail.example.com', true],
    ['mail.example.com', 'imap.example.com', false],
    ['mail.example.com', 'example.com', false],
    ['*.example.com', 'mail.example.com', true],
    ['*.example.com', 'MAIL.EXAMPLE.COM.', true],
    ['*.example.com', 'example.com', false],
    ['*.example.com', 'a.b.example.com', false],
    ['*.example.com', '.example.com', false],
    ['*.com', 'example.com', false],
    ['*', 'localhost', false],
    ['m*.example.com', 'mail.example.com', false],
    ['*mail.example.com', 'mail.example.com', false],
    ['mail.*.com', 'mail.example.com', false],
    ['*.*.example.com', 'a.b.example.com', false],
    ['*.example.com', '192.168.1.10', false],
    ['*.168.1.10', '192.168.1.10', false],
    // IDN: compared in A-label form, whichever form the host is typed in.
    ['xn--bcher-kva.example', 'bücher.example', true],
    ['xn--bcher-kva.example', 'BÜCHER.example', true],
    ['xn--bcher-kva.example', 'xn--bcher-kva.example', true],
    ['*.xn--bcher-kva.example', 'mail.bücher.example', true],
    ['xn--bcher-kva.example', 'bucher.example', false],
  ]
  it.each(table)('%s vs %s → %s', (pattern, host, matches) => {
    expect(dnsNameMatches(pattern, host)).toBe(matches)
  })
})

describe('certificateCoversHost on real certificates', () => {
  const cert = parseCertificate(
    createCertificate({
      dnsNames: ['mail.example.com', '*.mx.example.com', 'xn--bcher-kva.example'],
      ipAddresses: ['192.0.2.7', '2001:db8::1'],
    }).der,
  ).info
  const table: Array<[host: string, covered: boolean]> = [
    ['mail.example.com', true],
    ['Mail.Example.com.', true],
    ['a.mx.example.com', true],
    ['mx.example.com', false],
    ['bücher.example', true],
    ['192.0.2.7', true],
    ['192.0.2.8', false],
    ['2001:db8::1', true],
    ['[2001:DB8:0:0:0:0:0:1]', true],
    ['2001:db8::2', false],
    ['other.example.com', false],
  ]
  it.each(table)('%s → %s', (host, covered) => {
    expect(certificateCoversHost(cert, host)).toBe(covered)
  })

  it('an IP host never matches a DNS name, and a DNS host never matches an IP entry', () => {
    const dnsOnly = parseCertificate(createCertificate({dnsNames: ['192.0.2.7']}).der).info
    expect(certificateCoversHost(dnsOnly, '192.0.2.7')).toBe(false)
    const ipOnly = parseCertificate(createCertificate({ipAddresses: ['192.0.2.7']}).der).info
    expect(certificateCoversHost(ipOnly, '192.0.2.7')).toBe(true)
    expect(certificateCoversHost(ipOnly, 'mail.example.com')).toBe(false)
  })
})

describe('helpers', () => {
  it('normalizes host names', () => {
    expect(normalizeHostName('Mail.Example.COM.')).toBe('mail.example.com')
    expect(normalizeHostName('bücher.example')).toBe('xn--bcher-kva.example')
    expect(normalizeHostName('[::1]')).toBe('::1')
  })

  it('reads IPv4 and IPv6 addresses as bytes', () => {
    expect(ipBytes('10.0.0.1')).toEqual([10, 0, 0, 1])
    expect(ipBytes('::1')).toEqual([...Array(15).fill(0), 1])
    expect(ipBytes('0:0:0:0:0:0:0:1')).toEqual(ipBytes('::1'))
    expect(ipBytes('::ffff:192.0.2.1')).toEqual([...Array(10).fill(0), 255, 255, 192, 0, 2, 1])
    expect(ipBytes('mail.example.com')).toBeUndefined()
  })

  it('suggests the name to use instead (shared hosting)', () => {
    const shared = {dnsNames: ['server12.host.com', 'www.server12.host.com'], ipAddresses: []}
    expect(suggestHostName(shared, 'mail.customer.com')).toBe('server12.host.com')
    expect(suggestHostName({dnsNames: ['www.example.com', 'mail.example.com'], ipAddresses: []}, 'mail.example.org')).toBe('mail.example.com')
    expect(suggestHostName({dnsNames: ['www.example.com', 'smtp.example.com'], ipAddresses: []}, 'x.example.org')).toBe('smtp.example.com')
    expect(suggestHostName({dnsNames: ['*.host.com'], ipAddresses: []}, 'mail.customer.com')).toBe('mail.host.com')
    expect(suggestHostName({dnsNames: ['mail.example.com'], ipAddresses: []}, '192.0.2.7')).toBe('mail.example.com')
  })
})
