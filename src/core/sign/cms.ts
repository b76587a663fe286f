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
import {createHash, sign} from 'node:crypto'

import {OID} from '../asn1/oids.js'
import {explicit, implicitConstructed, integer, NULL, octetString, oid, sequence, setOf, tlv} from '../asn1/writer.js'
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

/** A signer for one identity: encodes the certificate set and signer identifier once. */
export function createCmsSigner(identity: SigningIdentity): CmsSigner {
  const p = prepare(identity)
  return (content: Buffer): Buffer => {
    const digest = createHash('sha256').update(content).digest()
    // The signature covers the attributes encoded as a SET OF (tag 0x31), carried as [0] IMPLICIT.
    const signedAttributes = setOf(p.contentTypeAttribute, sequence(oid(OID.messageDigest), setOf(octetString(digest))))
    const signature = p.signAttributes(signedAttributes)
    const signedAttributesImplicit = Buffer.concat([Buffer.from([0xa0]), signedAttributes.subarray(1)])
    const signerInfo = sequence(p.signerPrefix, signedAttributesImplicit, p.signatureAlgorithm, octetString(signature))
    const encapsulated = sequence(oid(OID.data), explicit(0, octetString(content)))
    const signedData = sequence(p.version, p.digestAlgorithms, encapsulated, p.certificates, tlv(0x31, signerInfo))
    return sequence(p.contentInfoOid, explicit(0, signedData))
  }
}
