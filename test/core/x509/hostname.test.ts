import {describe, expect, it} from 'vitest'

import {parseCertificate} from '../../../src/core/x509/certificate.js'
import {certificateCoversHost, normalizeHostName, suggestHostName, trailingDotNames} from '../../../src/core/x509/hostname.js'
import {createCertificate} from '../../helpers/pki.js'

/** Whether a certificate whose only SAN entry is `pattern` covers `host`. */
function sanCovers(pattern: string, host: string): boolean {
  return certificateCoversHost(createCertificate({dnsNames: [pattern], key: {slot: 'hostname'}}).x509, host)
}

describe('one dNSName against a host (RFC 6125 as Apple applies it, on X509Certificate.checkHost)', () => {
  const table: Array<[pattern: string, host: string, matches: boolean]> = [
    ['mail.example.com', 'mail.example.com', true],
    ['mail.example.com', 'MAIL.Example.COM', true],
    ['MAIL.EXAMPLE.COM', 'mail.example.com', true],
    ['mail.example.com', 'mail.example.com.', true],
    // Deliberate (README, hostname.ts): a SAN entry written with a trailing dot covers nothing.
    ['mail.example.com.', 'mail.example.com', false],
    ['mail.example.com.', 'mail.example.com.', false],
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
    expect(sanCovers(pattern, host)).toBe(matches)
  })

  it('the CN never counts, not even on a certificate without SAN', () => {
    const cnOnly = createCertificate({subject: {commonName: 'mail.example.com'}, key: {slot: 'hostname'}})
    expect(certificateCoversHost(cnOnly.x509, 'mail.example.com')).toBe(false)
  })

  it('trailing-dot SAN entries are named, so the mismatch can say why', () => {
    expect(trailingDotNames({dnsNames: ['mail.example.com.', 'imap.example.com']})).toEqual(['mail.example.com.'])
  })
})

describe('certificateCoversHost on real certificates', () => {
  const cert = parseCertificate(
    createCertificate({
      dnsNames: ['mail.example.com', '*.mx.example.com', 'xn--bcher-kva.example'],
      ipAddresses: ['192.0.2.7', '2001:db8::1'],
    }).der,
  ).x509
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
    const dnsOnly = parseCertificate(createCertificate({dnsNames: ['192.0.2.7']}).der).x509
    expect(certificateCoversHost(dnsOnly, '192.0.2.7')).toBe(false)
    const ipOnly = parseCertificate(createCertificate({ipAddresses: ['192.0.2.7']}).der).x509
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

  it('compares IP addresses as bytes, whatever the text form', () => {
    const v6 = createCertificate({ipAddresses: ['::1', '10.0.0.1'], key: {slot: 'hostname'}}).x509
    for (const host of ['::1', '0:0:0:0:0:0:0:1', '[::1]', '0::0:1', '10.0.0.1']) expect(certificateCoversHost(v6, host), host).toBe(true)
    expect(certificateCoversHost(v6, '10.0.0.2')).toBe(false)
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
