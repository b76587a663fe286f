import {X509Certificate} from 'node:crypto'
import {readFileSync} from 'node:fs'
import {fileURLToPath} from 'node:url'

import {describe, expect, it} from 'vitest'

import {canonicalNameKey, extendedKeyUsageOf, readTlv, tbsNames} from '../../../src/core/x509/der.js'
import {createCertificate} from '../../helpers/pki.js'

const store = JSON.parse(readFileSync(fileURLToPath(new URL('../../../data/apple-trust-store/trust-store.json', import.meta.url)), 'utf8')) as {
  roots: Array<{der: string}>
  removed: Array<{der: string}>
}

/** A Name with one CN attribute whose value has the given string tag. */
function nameDer(tag: number, value: string): Buffer {
  const v = Buffer.from(value, tag === 0x1e ? 'utf16le' : 'utf8')
  if (tag === 0x1e) v.swap16()
  const tlv = (t: number, body: Buffer) => Buffer.concat([Buffer.from([t, body.length]), body])
  const atv = tlv(0x30, Buffer.concat([tlv(0x06, Buffer.from([0x55, 0x04, 0x03])), tlv(tag, v)]))
  return tlv(0x30, tlv(0x31, atv))
}

describe('der', () => {
  it('reads extendedKeyUsage like Node does, on every Apple root and removed root', () => {
    // Node 20 names the list keyUsage; other versions may call it extKeyUsage.
    const nodeEku = (x: X509Certificate) => (x as unknown as {extKeyUsage?: string[]}).extKeyUsage ?? x.keyUsage
    let withEku = 0
    for (const entry of [...store.roots, ...store.removed]) {
      const der = Buffer.from(entry.der, 'base64')
      const ours = extendedKeyUsageOf(der)
      if (ours) withEku++
      expect(ours).toEqual(nodeEku(new X509Certificate(der)))
    }
    expect(withEku).toBeGreaterThan(0)
  })

  it('reads extendedKeyUsage of generated certificates, and undefined when absent', () => {
    expect(extendedKeyUsageOf(createCertificate({dnsNames: ['a.example'], extendedKeyUsage: ['serverAuth', 'clientAuth']}).der)).toEqual(['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2'])
    expect(extendedKeyUsageOf(createCertificate({dnsNames: ['a.example'], extendedKeyUsage: null}).der)).toBeUndefined()
  })

  it('compares names across string types and case, like OpenSSL\'s canonical form', () => {
    const key = (buf: Buffer) => canonicalNameKey(buf, readTlv(buf, 0))
    expect(key(nameDer(0x13, 'Example  CA'))).toBe(key(nameDer(0x0c, 'example ca')))
    expect(key(nameDer(0x1e, 'Example CA'))).toBe(key(nameDer(0x0c, 'Example CA')))
    expect(key(nameDer(0x0c, 'Example CA'))).not.toBe(key(nameDer(0x0c, 'Example CA 2')))
  })

  it('finds issuer and subject in a certificate', () => {
    const cert = createCertificate({subject: {commonName: 'Subject Name'}, dnsNames: ['a.example']})
    const names = tbsNames(cert.der)
    expect(canonicalNameKey(cert.der, names.subject)).toBe(canonicalNameKey(cert.der, names.issuer))
    expect(canonicalNameKey(cert.der, names.subject)).toContain('"subject name"')
  })
})
