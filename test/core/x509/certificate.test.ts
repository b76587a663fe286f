import {describe, expect, it} from 'vitest'

import {parseCertificate} from '../../../src/core/x509/certificate.js'
import {createCertificate} from '../../helpers/pki.js'

describe('parseCertificate', () => {
  it('parses a certificate once per process, recognised by its bytes, and tells certificates of the same shape apart', () => {
    const a = createCertificate({subject: {commonName: 'a.example.com'}, dnsNames: ['a.example.com']})
    const b = createCertificate({subject: {commonName: 'b.example.com'}, dnsNames: ['b.example.com']})
    expect(b.der.length).toBe(a.der.length)
    const first = parseCertificate(a.der)
    // A fresh copy of the same bytes (the root read from trust.caFiles and again from the signing chain): the same value.
    expect(parseCertificate(Buffer.from(a.der))).toBe(first)
    const other = parseCertificate(Buffer.from(b.der))
    expect(other).not.toBe(first)
    expect(other.info.dnsNames).toEqual(['b.example.com'])
    expect(first.info.dnsNames).toEqual(['a.example.com'])
    expect(first.info.sha256).toBe(a.x509.fingerprint256)
  })

  it('remembers no failure: damaged bytes throw every time', () => {
    const damaged = Buffer.from(createCertificate().der.subarray(0, 100))
    expect(() => parseCertificate(damaged)).toThrow()
    expect(() => parseCertificate(Buffer.from(damaged))).toThrow()
  })
})
