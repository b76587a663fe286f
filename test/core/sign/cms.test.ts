import {createHash} from 'node:crypto'
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {OID} from '../../../src/core/asn1/oids.js'
import {read} from '../../../src/core/asn1/reader.js'
import {explicit, implicitConstructed, integer, NULL, octetString, oid, sequence, setOf, tlv} from '../../../src/core/asn1/writer.js'
import {createCmsSigner} from '../../../src/core/sign/cms.js'
import {issuerAndSerial} from '../../../src/core/x509/fields.js'
import {loadSigningIdentity, type SigningIdentity} from '../../../src/core/sign/identity.js'
import {profileSigner} from '../../../src/core/sign/profile-signer.js'
import {makeSigningPki, openssl, opensslVerify, requireOpenssl, signingSettingsFor, type SigningPki} from '../../helpers/signing-fixtures.js'

const PROFILE = Buffer.from('<?xml version="1.0" encoding="UTF-8"?>\n<plist version="1.0"><dict><key>PayloadDisplayName</key><string>Ünïcödé &amp; 😀</string></dict></plist>\n')

const settingsFor = signingSettingsFor

/** The signature value: the last OCTET STRING of the DER (the SignerInfo ends with it). */
function signatureOf(der: Buffer): Buffer {
  const signedData = read(der).children[1]!.children[0]!.children
  const signerInfo = signedData[signedData.length - 1]!.children[0]!.children
  return Buffer.from(signerInfo[signerInfo.length - 1]!.value)
}

/** The SignedData built part by part with the ASN.1 writer (how the signer composed it before it wrote one buffer): the oracle. */
function composedCms(identity: SigningIdentity, content: Buffer, signature: Buffer): Buffer {
  const sha256 = sequence(oid(OID.sha256))
  const digest = createHash('sha256').update(content).digest()
  const signedAttributes = setOf(sequence(oid(OID.contentType), setOf(oid(OID.data))), sequence(oid(OID.messageDigest), setOf(octetString(digest))))
  const signatureAlgorithm = identity.privateKey.asymmetricKeyType === 'rsa' ? sequence(oid(OID.rsaEncryption), NULL) : sequence(oid(OID.ecdsaWithSHA256))
  const signerInfo = sequence(integer(1), issuerAndSerial(identity.certificate), sha256, Buffer.concat([Buffer.from([0xa0]), signedAttributes.subarray(1)]), signatureAlgorithm, octetString(signature))
  const certificates = implicitConstructed(0, ...[identity.certificate, ...identity.chain].sort(Buffer.compare))
  const signedData = sequence(integer(1), setOf(sha256), sequence(oid(OID.data), explicit(0, octetString(content))), certificates, tlv(0x31, signerInfo))
  return sequence(oid(OID.signedData), explicit(0, signedData))
}

for (const keyType of ['rsa', 'ec'] as const) {
  describe(`the CMS signer (build's profileSigner) with ${keyType.toUpperCase()}`, () => {
    const enabled = requireOpenssl()
    let pki: SigningPki
    let identity: SigningIdentity
    beforeAll(async () => {
      if (!enabled) return
      pki = makeSigningPki({keyType})
      identity = await loadSigningIdentity(settingsFor(pki), {baseDir: pki.dir, env: {}})
    })
    afterAll(() => pki?.cleanup())

    it.runIf(enabled)('produces DER that openssl cms -verify accepts against the test root, content intact', () => {
      const der = profileSigner(identity).sign(PROFILE)
      const verified = opensslVerify(pki, der)
      expect(verified.stderr).toContain('Verification successful')
      expect(verified.ok).toBe(true)
      expect(verified.content.equals(PROFILE)).toBe(true)
    })

    it.runIf(enabled)('holds the signer and the chain, SHA-256, id-data content (openssl cmsout -print)', () => {
      const der = profileSigner(identity).sign(PROFILE)
      const file = join(pki.dir, 'printed.der')
      writeFileSync(file, der)
      const printed = openssl(['cms', '-cmsout', '-print', '-inform', 'DER', '-in', file]).toString()
      expect(printed).toContain('contentType: pkcs7-signedData')
      expect(printed).toContain('eContentType: pkcs7-data')
      expect(printed).toMatch(/digestAlgorithm:\s*\n\s*algorithm: sha256/)
      expect(printed).toContain('CN=Test Profile Signer')
      expect(printed).toContain('CN=Test Signing Intermediate')
      expect(printed).toContain(keyType === 'rsa' ? 'rsaEncryption' : 'ecdsa-with-SHA256')
      expect(printed).toContain('object: messageDigest')
      expect(printed).not.toContain('signingTime')
      // DER, not BER: openssl re-encodes it to the same bytes.
      const reencoded = openssl(['cms', '-cmsout', '-inform', 'DER', '-outform', 'DER', '-in', file])
      expect(reencoded.equals(der)).toBe(true)
    })

    it.runIf(enabled)('a tampered profile fails openssl verification', () => {
      const der = profileSigner(identity).sign(PROFILE)
      const at = der.indexOf(Buffer.from('PayloadDisplayName'))
      expect(at).toBeGreaterThan(0)
      const tampered = Buffer.from(der)
      tampered[at] = 'Q'.charCodeAt(0)
      const verified = opensslVerify(pki, tampered)
      expect(verified.ok).toBe(false)
      expect(verified.stderr).toMatch(/digest failure|verification failure/i)
    })

    it.runIf(enabled)('a profile signed by an untrusted root fails openssl verification against the test root', async () => {
      const other = makeSigningPki({keyType})
      try {
        const otherIdentity = await loadSigningIdentity(settingsFor(other), {baseDir: other.dir, env: {}})
        const der = profileSigner(otherIdentity).sign(PROFILE)
        expect(opensslVerify(other, der).ok).toBe(true)
        const verified = opensslVerify(pki, der)
        expect(verified.ok).toBe(false)
        expect(verified.stderr).toMatch(/certificate verify error|unable to get local issuer/i)
      } finally {
        other.cleanup()
      }
    })

    it.runIf(enabled)('is deterministic: signing twice gives the same bytes (ECDSA: RFC 6979 nonces), and both verify', () => {
      const a = profileSigner(identity).sign(PROFILE)
      const b = createCmsSigner(identity)(Buffer.from(PROFILE))
      expect(a.equals(b)).toBe(true)
      expect(opensslVerify(pki, b).ok).toBe(true)
      const other = profileSigner(identity).sign(Buffer.concat([PROFILE, Buffer.from(' ')]))
      expect(other.equals(a)).toBe(false)
      expect(opensslVerify(pki, other).ok).toBe(true)
    })

    it.runIf(enabled)('signs an empty and a large (1 MiB) content', () => {
      expect(opensslVerify(pki, profileSigner(identity).sign(Buffer.alloc(0))).ok).toBe(true)
      const big = Buffer.alloc(1024 * 1024, 'a')
      const verified = opensslVerify(pki, profileSigner(identity).sign(big))
      expect(verified.ok).toBe(true)
      expect(verified.content.equals(big)).toBe(true)
    })

    it.runIf(enabled)('assembles the same DER as composing it from the ASN.1 writer, for contents of every length class', () => {
      const signer = createCmsSigner(identity)
      for (const size of [0, 1, 127, 128, 255, 256, 65535, 65536, 70000]) {
        const content = Buffer.alloc(size, 0x5a)
        const der = signer(content)
        expect(der.equals(composedCms(identity, content, signatureOf(der)))).toBe(true)
      }
    })

    it.runIf(enabled)('the certificate set holds exactly the signer, intermediate and root', () => {
      const der = profileSigner(identity).sign(PROFILE)
      const file = join(pki.dir, 'certs.der')
      writeFileSync(file, der)
      const certs = openssl(['pkcs7', '-inform', 'DER', '-in', file, '-print_certs', '-noout']).toString()
      expect(certs.match(/subject=/g)).toHaveLength(3)
    })
  })
}
