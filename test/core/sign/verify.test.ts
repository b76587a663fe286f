import {createHash, sign} from 'node:crypto'
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {OID} from '../../../src/core/asn1/oids.js'
import {explicit, implicitConstructed, integer, NULL, octetString, oid, sequence, setOf, tlv} from '../../../src/core/asn1/writer.js'
import {loadSigningIdentity, type SigningIdentity} from '../../../src/core/sign/identity.js'
import {profileSigner} from '../../../src/core/sign/profile-signer.js'
import {issuerAndSerial} from '../../../src/core/x509/fields.js'
import {CmsError, looksLikeCms, verifyCms} from '../../../src/core/sign/verify.js'
import {makeSigningPki, openssl, opensslVerify, requireOpenssl, signingSettingsFor, type SigningPki} from '../../helpers/signing-fixtures.js'

/**
 * A SignedData like build's, plus a signingTime attribute (which build never writes): UTCTime for
 * 1950–2049, GeneralizedTime otherwise (RFC 5652 §11.3), written here with the ASN.1 writer.
 */
function signedWithSigningTime(content: Buffer, identity: SigningIdentity, when: Date): Buffer {
  const digits = when.toISOString().slice(0, 19).replace(/[-:T]/g, '')
  const year = when.getUTCFullYear()
  const time = year >= 1950 && year < 2050 ? tlv(0x17, Buffer.from(`${digits.slice(2)}Z`)) : tlv(0x18, Buffer.from(`${digits}Z`))
  const sha256 = sequence(oid(OID.sha256))
  const attributes = setOf(
    sequence(oid(OID.contentType), setOf(oid(OID.data))),
    sequence(oid(OID.messageDigest), setOf(octetString(createHash('sha256').update(content).digest()))),
    sequence(oid(OID.signingTime), setOf(time)),
  )
  const ec = identity.privateKey.asymmetricKeyType === 'ec'
  const signature = sign('sha256', attributes, ec ? {key: identity.privateKey, dsaEncoding: 'der'} : identity.privateKey)
  const signerInfo = sequence(
    integer(1),
    issuerAndSerial(identity.certificate),
    sha256,
    Buffer.concat([Buffer.from([0xa0]), attributes.subarray(1)]),
    ec ? sequence(oid(OID.ecdsaWithSHA256)) : sequence(oid(OID.rsaEncryption), NULL),
    octetString(signature),
  )
  const certificates = implicitConstructed(0, identity.certificate, ...identity.chain)
  const signedData = sequence(integer(1), setOf(sha256), sequence(oid(OID.data), explicit(0, octetString(content))), certificates, setOf(signerInfo))
  return sequence(oid(OID.signedData), explicit(0, signedData))
}

const PROFILE = Buffer.from('<?xml version="1.0" encoding="UTF-8"?>\n<plist version="1.0"><dict><key>PayloadType</key><string>Configuration</string></dict></plist>\n')

for (const keyType of ['rsa', 'ec'] as const) {
  describe(`verifyCms (${keyType.toUpperCase()})`, () => {
    const enabled = requireOpenssl()
    let pki: SigningPki
    let identity: SigningIdentity
    beforeAll(async () => {
      if (!enabled) return
      pki = makeSigningPki({keyType})
      identity = await loadSigningIdentity(signingSettingsFor(pki), {baseDir: pki.dir, env: {}})
    })
    afterAll(() => pki?.cleanup())

    it.runIf(enabled)('verifies its own signatures: content, signer, chain up to the root', () => {
      const result = verifyCms(profileSigner(identity).sign(PROFILE))
      expect(result.content.equals(PROFILE)).toBe(true)
      expect(result.contentType).toBe('1.2.840.113549.1.7.1')
      expect(result.certificates).toHaveLength(3)
      expect(result.signers).toHaveLength(1)
      const [signer] = result.signers
      expect(signer!.signatureValid).toBe(true)
      expect(signer!.digestValid).toBe(true)
      expect(signer!.problem).toBeUndefined()
      expect(signer!.certificate?.info.commonName).toBe('Test Profile Signer')
      expect(signer!.chain.map((c) => c.info.commonName)).toEqual(['Test Signing Intermediate', 'Test Signing Root'])
    })

    it.runIf(enabled)('reads signingTime as UTCTime and GeneralizedTime', () => {
      for (const when of ['2031-05-06T07:08:09.000Z', '2051-12-31T23:59:58.000Z']) {
        const result = verifyCms(signedWithSigningTime(PROFILE, identity, new Date(when)))
        expect(result.signers[0]!.signingTime?.toISOString()).toBe(when)
        expect(result.signers[0]!.signatureValid).toBe(true)
      }
    })

    it.runIf(enabled)('verifies what openssl smime -sign -nodetach writes (BER, indefinite lengths, signingTime)', () => {
      const content = join(pki.dir, 'content.xml')
      writeFileSync(content, PROFILE)
      const der = openssl(['smime', '-sign', '-nodetach', '-binary', '-outform', 'der', '-in', content, '-signer', pki.signerCert, '-inkey', pki.signerKey, '-certfile', pki.intermediateCert])
      const result = verifyCms(der)
      expect(result.content.equals(PROFILE)).toBe(true)
      expect(result.signers[0]!.signatureValid).toBe(true)
      expect(result.signers[0]!.digestValid).toBe(true)
      expect(result.signers[0]!.signingTime).toBeInstanceOf(Date)
      expect(Math.abs(result.signers[0]!.signingTime!.getTime() - Date.now())).toBeLessThan(120_000)
      expect(result.signers[0]!.chain.map((c) => c.info.commonName)).toEqual(['Test Signing Intermediate'])
    })

    it.runIf(enabled)('verifies what streaming signers write: openssl cms/smime -sign -stream (constructed, indefinite-length eContent)', () => {
      const content = join(pki.dir, 'content.xml')
      // Larger than one segment, so the content really is split into several OCTET STRINGs.
      const big = Buffer.concat([PROFILE, Buffer.alloc(10_000, '<!-- padding -->')])
      writeFileSync(content, big)
      for (const tool of ['cms', 'smime']) {
        const der = openssl([tool, '-sign', '-stream', '-nodetach', '-binary', '-outform', 'DER', '-in', content, '-signer', pki.signerCert, '-inkey', pki.signerKey, '-certfile', pki.intermediateCert])
        // The eContent [0] and its OCTET STRING are both indefinite-length and constructed (0x24).
        expect(der.includes(Buffer.from([0xa0, 0x80, 0x24, 0x80])), tool).toBe(true)
        const result = verifyCms(der)
        expect(result.content.equals(big), tool).toBe(true)
        expect(result.detached).toBe(false)
        expect(result.signers[0]!.digestValid, tool).toBe(true)
        expect(result.signers[0]!.signatureValid, tool).toBe(true)
        expect(result.signers[0]!.problem).toBeUndefined()
        expect(result.signers[0]!.certificate?.info.commonName).toBe('Test Profile Signer')
        // Tampering with one segment is seen, as openssl sees it.
        const tampered = Buffer.from(der)
        tampered[tampered.indexOf(Buffer.from('padding'))] = 'P'.charCodeAt(0)
        expect(verifyCms(tampered).signers[0]!.digestValid).toBe(false)
        expect(opensslVerify(pki, tampered).ok).toBe(false)
      }
    })

    it.runIf(enabled)('verifies openssl cms -sign with a subject key identifier and PEM wrapping', () => {
      const content = join(pki.dir, 'content.xml')
      writeFileSync(content, PROFILE)
      const pem = openssl(['cms', '-sign', '-nodetach', '-binary', '-keyid', '-outform', 'PEM', '-in', content, '-signer', pki.signerCert, '-inkey', pki.signerKey, '-md', 'sha384'])
      expect(looksLikeCms(pem)).toBe(true)
      const result = verifyCms(pem)
      expect(result.signers[0]!.certificate?.info.commonName).toBe('Test Profile Signer')
      expect(result.signers[0]!.signatureValid).toBe(true)
      expect(result.signers[0]!.digestValid).toBe(true)
      expect(result.signers[0]!.digestAlgorithm).toBe('2.16.840.1.101.3.4.2.2')
    })

    it.runIf(enabled)('a tampered content fails the digest check, as openssl also says', () => {
      const der = Buffer.from(profileSigner(identity).sign(PROFILE))
      der[der.indexOf(Buffer.from('Configuration'))] = 'X'.charCodeAt(0)
      const result = verifyCms(der)
      expect(result.signers[0]!.digestValid).toBe(false)
      expect(result.signers[0]!.problem).toMatch(/changed after signing/)
      expect(opensslVerify(pki, der).ok).toBe(false)
    })

    it.runIf(enabled)('a damaged signature fails the signature check, as openssl also says', () => {
      const der = Buffer.from(profileSigner(identity).sign(PROFILE))
      // The signature value is the last OCTET STRING: flip a byte near the end.
      der[der.length - 5]! ^= 0x01
      const result = verifyCms(der)
      expect(result.signers[0]!.digestValid).toBe(true)
      expect(result.signers[0]!.signatureValid).toBe(false)
      expect(opensslVerify(pki, der).ok).toBe(false)
    })
  })
}

describe('verifyCms input handling', () => {
  it('refuses what is not CMS with a CmsError', () => {
    expect(() => verifyCms(Buffer.from('<?xml version="1.0"?><plist/>'))).toThrow(CmsError)
    expect(() => verifyCms(Buffer.from([0x30, 0x82, 0x10, 0x00, 0x01]))).toThrow(/malformed CMS structure \(truncated/)
    expect(() => verifyCms(Buffer.from([0x30, 0x80, 0x30, 0x80]))).toThrow(CmsError)
    expect(looksLikeCms(Buffer.from('<?xml version="1.0"?>'))).toBe(false)
    expect(looksLikeCms(Buffer.from('bplist00'))).toBe(false)
  })

  it('refuses a CMS that is not SignedData', () => {
    const enabled = requireOpenssl()
    if (!enabled) return
    const pki = makeSigningPki()
    try {
      const content = join(pki.dir, 'c.txt')
      writeFileSync(content, 'secret')
      const enveloped = openssl(['cms', '-encrypt', '-outform', 'DER', '-in', content, pki.signerCert])
      expect(() => verifyCms(enveloped)).toThrow(/not SignedData/)
    } finally {
      pki.cleanup()
    }
  })
})
