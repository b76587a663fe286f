import {describe, expect, it} from 'vitest'

import {compareEndpointCertificates} from '../../../src/core/x509/compare.js'
import {parseCertificate} from '../../../src/core/x509/certificate.js'
import {createCertificate} from '../../helpers/pki.js'

const renewed = parseCertificate(createCertificate({dnsNames: ['mail.example.com'], notBefore: new Date(Date.UTC(2025, 5, 1)), validityDays: 90}).der).info
const old = parseCertificate(createCertificate({dnsNames: ['mail.example.com'], notBefore: new Date(Date.UTC(2025, 2, 1)), validityDays: 90}).der).info

describe('compareEndpointCertificates (certificate-differs)', () => {
  it('flags the port still serving the older certificate', () => {
    const findings = compareEndpointCertificates([
      {host: 'mail.example.com', port: 993, leafSha256: renewed.sha256, notAfter: renewed.notAfter, protocol: 'imap', security: 'ssl'},
      {host: 'mail.example.com', port: 995, leafSha256: old.sha256, notAfter: old.notAfter, protocol: 'pop3', security: 'ssl'},
      {host: 'mail.example.com', port: 465, leafSha256: renewed.sha256.replaceAll(':', '').toLowerCase(), notAfter: renewed.notAfter},
    ])
    expect(findings.map((f) => [f.code, f.severity, f.endpoint])).toEqual([
      ['certificate-differs', 'warning', {host: 'mail.example.com', port: 995, protocol: 'pop3', security: 'ssl'}],
    ])
    expect(findings[0]!.message).toContain('on port 995')
    expect(findings[0]!.message).toContain('ports 993, 465')
    expect(findings[0]!.message).toContain(old.sha256)
  })

  it('without dates, the certificate most ports serve counts as intended', () => {
    const findings = compareEndpointCertificates([
      {host: 'mail.example.com', port: 993, leafSha256: old.sha256},
      {host: 'MAIL.example.com.', port: 587, leafSha256: renewed.sha256},
      {host: 'mail.example.com', port: 465, leafSha256: renewed.sha256},
    ])
    expect(findings.map((f) => [f.code, f.endpoint?.port])).toEqual([['certificate-differs', 993]])
  })

  it('no finding for one certificate everywhere, for different hosts, or for failed probes', () => {
    expect(
      compareEndpointCertificates([
        {host: 'mail.example.com', port: 993, leafSha256: renewed.sha256},
        {host: 'mail.example.com', port: 465, leafSha256: renewed.sha256},
        {host: 'smtp.example.com', port: 465, leafSha256: old.sha256},
        {host: 'mail.example.com', port: 995},
      ]),
    ).toEqual([])
  })
})
