/**
 * CMS SignedData (RFC 5652) for .mobileconfig profiles: DER, content attached (eContentType
 * id-data), SHA-256, signed attributes (contentType and messageDigest; no signingTime, so that
 * the output depends on the content and the identity only), the signer's certificate and chain
 * included, the signer named by issuer and serial number. RSA (PKCS#1 v1.5, `rsaEncryption`) or ECDSA (`ecdsa-with-SHA256`) through node:crypto.
 *
 * RSA PKCS#1 v1.5 signatures are deterministic, and ECDSA ones on P-256, P-384 and P-521 are
 * made deterministic with RFC 6979 nonces (ecdsa-deterministic.ts), so the same profile signed
 * with the same identity gives the same bytes. (Other curves fall back to
 * node:crypto's randomized ECDSA: valid, but different on every run.)
 *
 * Everything that does not depend on the content (certificate set, signer identifier,
 * algorithm identifiers) is encoded once per identity; per signature there is one SHA-256,
 * one private-key operation and a few small buffers.
 */
import {hash, sign} from 'node:crypto'

import {OID} from '../asn1/oids.js'
import {implicitConstructed, integer, NULL, octetString, oid, sequence, setOf} from '../asn1/writer.js'
import {issuerAndSerial} from '../x509/fields.js'
import {createDeterministicEcdsaSigner, supportsDeterministicEcdsa} from './ecdsa-deterministic.js'
import type {SigningIdentity} from './identity.js'

/** Signs a content; the returned function reuses the identity's precomputed encodings. */
export type CmsSigner = (content: Buffer) => Buffer

interface Prepared {
  version: Buffer
  digestAlgorithms: Buffer
  certificates: Buffer
  signerPrefix: Buffer
  signatureAlgorithm: Buffer
  contentTypeAttribute: Buffer
  contentInfoOid: Buffer
  /** The signature over the DER-encoded signed attributes. */
  signAttributes: (bytes: Buffer) => Buffer
}

function prepare(identity: SigningIdentity): Prepared {
  const keyType = identity.privateKey.asymmetricKeyType
  if (keyType !== 'rsa' && keyType !== 'ec') throw new Error(`cannot sign with a ${keyType ?? 'unknown'} key; RSA or ECDSA only`)
  const sha256 = sequence(oid(OID.sha256))
  return {
    version: integer(1),
    digestAlgorithms: setOf(sha256),
    certificates: implicitConstructed(0, ...[identity.certificate, ...identity.chain].sort(Buffer.compare)),
    // SignerInfo: version 1 (issuerAndSerialNumber), sid, digestAlgorithm.
    signerPrefix: Buffer.concat([integer(1), issuerAndSerial(identity.certificate), sha256]),
    signatureAlgorithm: keyType === 'rsa' ? sequence(oid(OID.rsaEncryption), NULL) : sequence(oid(OID.ecdsaWithSHA256)),
    contentTypeAttribute: sequence(oid(OID.contentType), setOf(oid(OID.data))),
    contentInfoOid: oid(OID.signedData),
    signAttributes:
      keyType === 'rsa'
        ? (bytes) => sign('sha256', bytes, identity.privateKey)
        : supportsDeterministicEcdsa(identity.privateKey)
          ? createDeterministicEcdsaSigner(identity.privateKey)
          : (bytes) => sign('sha256', bytes, {key: identity.privateKey, dsaEncoding: 'der'}),
  }
}

/** Bytes of a DER header (tag and definite length) for a value of `n` bytes. */
function headerSize(n: number): number {
  return n < 0x80 ? 2 : n < 0x100 ? 3 : n < 0x10000 ? 4 : n < 0x1000000 ? 5 : 6
}

/** Writes a DER header (tag, shortest definite length) at `at`; returns the offset after it. */
function putHeader(out: Buffer, at: number, tag: number, n: number): number {
  out[at++] = tag
  if (n < 0x80) {
    out[at++] = n
    return at
  }
  const size = headerSize(n) - 2
  out[at++] = 0x80 | size
  for (let i = size - 1; i >= 0; i--) out[at++] = Math.floor(n / 2 ** (8 * i)) & 0xff
  return at
}

/**
 * The signed attributes for a SHA-256 digest: a fixed prefix and the 32 digest bytes. The SET OF
 * order (by encoding) does not depend on the digest: the two attributes already differ in their
 * length octets, so the prefix made from any digest serves for all (checked with two).
 */
function signedAttributesPrefix(p: Prepared): Buffer {
  const attributes = (digest: Buffer): Buffer => setOf(p.contentTypeAttribute, sequence(oid(OID.messageDigest), setOf(octetString(digest))))
  const low = attributes(Buffer.alloc(32, 0x00))
  const high = attributes(Buffer.alloc(32, 0xff))
  const prefix = low.subarray(0, low.length - 32)
  if (!prefix.equals(high.subarray(0, high.length - 32)) || !low.subarray(low.length - 32).equals(Buffer.alloc(32, 0x00))) throw new Error('mailprofile bug: the signed attributes do not end with the digest')
  return Buffer.from(prefix)
}

/**
 * A signer for one identity: encodes the certificate set, the signer identifier and the signed
 * attributes' fixed part once. Per signature: one SHA-256 of the content, the signature over the
 * attributes, and one output buffer whose lengths are computed first, so the content is copied once.
 */
export function createCmsSigner(identity: SigningIdentity): CmsSigner {
  const p = prepare(identity)
  const attributesPrefix = signedAttributesPrefix(p)
  const dataOid = oid(OID.data)
  return (content: Buffer): Buffer => {
    // The signature covers the attributes encoded as a SET OF (tag 0x31), carried as [0] IMPLICIT.
    const signedAttributes = Buffer.allocUnsafe(attributesPrefix.length + 32)
    attributesPrefix.copy(signedAttributes, 0)
    hash('sha256', content, 'buffer').copy(signedAttributes, attributesPrefix.length)
    const signature = p.signAttributes(signedAttributes)
    // ContentInfo { signedData, [0] SignedData { version, digestAlgorithms, encapContentInfo { data, [0] OCTET STRING content }, [0] certificates, SET { SignerInfo { prefix, [0] attributes, signatureAlgorithm, OCTET STRING signature } } } }
    const contentOctets = headerSize(content.length) + content.length
    const explicitContent = headerSize(contentOctets) + contentOctets
    const encapsulatedInner = dataOid.length + explicitContent
    const encapsulated = headerSize(encapsulatedInner) + encapsulatedInner
    const signatureOctets = headerSize(signature.length) + signature.length
    const signerInfoInner = p.signerPrefix.length + signedAttributes.length + p.signatureAlgorithm.length + signatureOctets
    const signerInfo = headerSize(signerInfoInner) + signerInfoInner
    const signerInfos = headerSize(signerInfo) + signerInfo
    const signedDataInner = p.version.length + p.digestAlgorithms.length + encapsulated + p.certificates.length + signerInfos
    const signedData = headerSize(signedDataInner) + signedDataInner
    const explicitSignedData = headerSize(signedData) + signedData
    const contentInfoInner = p.contentInfoOid.length + explicitSignedData
    const out = Buffer.allocUnsafe(headerSize(contentInfoInner) + contentInfoInner)
    let at = putHeader(out, 0, 0x30, contentInfoInner)
    at += p.contentInfoOid.copy(out, at)
    at = putHeader(out, at, 0xa0, signedData)
    at = putHeader(out, at, 0x30, signedDataInner)
    at += p.version.copy(out, at)
    at += p.digestAlgorithms.copy(out, at)
    at = putHeader(out, at, 0x30, encapsulatedInner)
    at += dataOid.copy(out, at)
    at = putHeader(out, at, 0xa0, contentOctets)
    at = putHeader(out, at, 0x04, content.length)
    at += content.copy(out, at)
    at += p.certificates.copy(out, at)
    at = putHeader(out, at, 0x31, signerInfo)
    at = putHeader(out, at, 0x30, signerInfoInner)
    at += p.signerPrefix.copy(out, at)
    out[at] = 0xa0
    at += signedAttributes.copy(out, at + 1, 1) + 1
    at += p.signatureAlgorithm.copy(out, at)
    at = putHeader(out, at, 0x04, signature.length)
    at += signature.copy(out, at)
    if (at !== out.length) throw new Error('mailprofile bug: CMS lengths do not add up')
    return out
  }
}
