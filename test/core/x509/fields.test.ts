import {spawnSync} from 'node:child_process'
import {X509Certificate, createHash} from 'node:crypto'
import {readFileSync} from 'node:fs'
import {fileURLToPath} from 'node:url'

import {describe, expect, it} from 'vitest'

import {parseCertificate} from '../../../src/core/x509/certificate.js'
import {read} from '../../../src/core/asn1/reader.js'
import {canonicalNameKey, embeddedSctLogIds, extendedKeyUsageOf, tbsNames} from '../../../src/core/x509/fields.js'
import {createCertificate, sctListExtensionDer} from '../../helpers/pki.js'

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

describe('certificate fields (x509/fields)', () => {
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

  it('reads the embedded SCT log IDs (RFC 6962 3.3), in order, and undefined without the extension', () => {
    const logId = (name: string) => createHash('sha256').update(name).digest('base64')
    const cert = createCertificate({dnsNames: ['a.example'], embeddedScts: ['log a', 'log b', 'log a']})
    expect(embeddedSctLogIds(cert.der)).toEqual([logId('log a'), logId('log b'), logId('log a')])
    expect(embeddedSctLogIds(createCertificate({dnsNames: ['a.example'], embeddedScts: 0}).der)).toBeUndefined()
    // OpenSSL, an independent reader, sees the same three SCTs.
    if (spawnSync('openssl', ['version']).status === 0) {
      const text = spawnSync('openssl', ['x509', '-inform', 'DER', '-noout', '-text'], {input: cert.der, encoding: 'utf8'}).stdout
      expect(text.match(/Signed Certificate Timestamp:/g)).toHaveLength(3)
    }
  })

  it('refuses a malformed SCT list: parseCertificate then reports none rather than failing', () => {
    const good = createCertificate({dnsNames: ['a.example'], embeddedScts: 1})
    // Cut the last SCT short by patching the list's outer length (2 bytes after the inner OCTET STRING header).
    const der = Buffer.from(good.der)
    const marker = Buffer.from(sctListExtensionDer(['test log 1'], new Date(good.x509.validFrom)))
    const at = der.indexOf(marker.subarray(0, 8))
    expect(at).toBeGreaterThan(0)
    der[at + 3] = der[at + 3]! - 1 // the TLS list length no longer matches
    expect(() => embeddedSctLogIds(der)).toThrow(/SCT list: length does not match/)
    expect(parseCertificate(good.der).info.embeddedScts).toEqual({count: 1, logs: 1})
    expect(parseCertificate(der).info.embeddedScts).toBeUndefined()
  })

  it('compares names across string types and case, like OpenSSL\'s canonical form', () => {
    const key = (buf: Buffer) => canonicalNameKey(read(buf, 0))
    expect(key(nameDer(0x13, 'Example  CA'))).toBe(key(nameDer(0x0c, 'example ca')))
    expect(key(nameDer(0x1e, 'Example CA'))).toBe(key(nameDer(0x0c, 'Example CA')))
    expect(key(nameDer(0x0c, 'Example CA'))).not.toBe(key(nameDer(0x0c, 'Example CA 2')))
  })

  it('finds issuer and subject in a certificate', () => {
    const cert = createCertificate({subject: {commonName: 'Subject Name'}, dnsNames: ['a.example']})
    const names = tbsNames(cert.der)
    expect(canonicalNameKey(names.subject)).toBe(canonicalNameKey(names.issuer))
    expect(canonicalNameKey(names.subject)).toContain('"subject name"')
  })
})
