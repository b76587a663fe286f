/**
 * The OID table: every object identifier the tool writes or interprets, by name (`OID`), and what
 * the algorithm ones mean (`ALGORITHMS`: the name devices and OpenSSL show, the hash, the key
 * kind). Certificates (x509), CMS signing and verification (sign) and inspect's report all read
 * from here.
 */
export const OID = {
  // CMS content types and attributes (RFC 5652).
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',
  // Digests.
  sha1: '1.3.14.3.2.26',
  sha256: '2.16.840.1.101.3.4.2.1',
  sha384: '2.16.840.1.101.3.4.2.2',
  sha512: '2.16.840.1.101.3.4.2.3',
  // Keys and signatures (RFC 8017, RFC 5758, RFC 8410).
  rsaEncryption: '1.2.840.113549.1.1.1',
  md5WithRSA: '1.2.840.113549.1.1.4',
  sha1WithRSA: '1.2.840.113549.1.1.5',
  rsassaPss: '1.2.840.113549.1.1.10',
  sha256WithRSA: '1.2.840.113549.1.1.11',
  sha384WithRSA: '1.2.840.113549.1.1.12',
  sha512WithRSA: '1.2.840.113549.1.1.13',
  ecPublicKey: '1.2.840.10045.2.1',
  ecdsaWithSHA1: '1.2.840.10045.4.1',
  ecdsaWithSHA256: '1.2.840.10045.4.3.2',
  ecdsaWithSHA384: '1.2.840.10045.4.3.3',
  ecdsaWithSHA512: '1.2.840.10045.4.3.4',
  ed25519: '1.3.101.112',
  ed448: '1.3.101.113',
  // Certificate extensions (RFC 5280, RFC 6962).
  subjectKeyIdentifier: '2.5.29.14',
  extKeyUsage: '2.5.29.37',
  sctList: '1.3.6.1.4.1.11129.2.4.2',
  // Extended key usages.
  serverAuth: '1.3.6.1.5.5.7.3.1',
  anyExtendedKeyUsage: '2.5.29.37.0',
  // PKCS#12 bag types (RFC 7292).
  keyBag: '1.2.840.113549.1.12.10.1.1',
  pkcs8ShroudedKeyBag: '1.2.840.113549.1.12.10.1.2',
  certBag: '1.2.840.113549.1.12.10.1.3',
} as const

export interface AlgorithmInfo {
  /** A digest, a signature algorithm (certificates, SignerInfo), or a key type (a CMS SignerInfo may name one instead). */
  kind: 'digest' | 'signature' | 'key'
  /** The name OpenSSL and devices show ("sha256WithRSAEncryption", "SHA-256"). */
  name: string
  /**
   * The hash, as reported ("SHA-256"; "PSS" when the parameters name it, "none" for EdDSA).
   * For a digest OID, the digest itself.
   */
  hash?: string
  /** node:crypto's name of that hash ("sha256"), when it fixes one node can compute. */
  nodeHash?: string
  /** The key kind a signature algorithm needs. */
  key?: 'rsa' | 'ec' | 'ed25519' | 'ed448'
}

export const ALGORITHMS: Readonly<Record<string, AlgorithmInfo>> = {
  [OID.sha1]: {kind: 'digest', name: 'SHA-1', hash: 'SHA-1', nodeHash: 'sha1'},
  [OID.sha256]: {kind: 'digest', name: 'SHA-256', hash: 'SHA-256', nodeHash: 'sha256'},
  [OID.sha384]: {kind: 'digest', name: 'SHA-384', hash: 'SHA-384', nodeHash: 'sha384'},
  [OID.sha512]: {kind: 'digest', name: 'SHA-512', hash: 'SHA-512', nodeHash: 'sha512'},
  [OID.rsaEncryption]: {kind: 'key', name: 'rsaEncryption', key: 'rsa'},
  [OID.md5WithRSA]: {kind: 'signature', name: 'md5WithRSAEncryption', hash: 'MD5', key: 'rsa'},
  [OID.sha1WithRSA]: {kind: 'signature', name: 'sha1WithRSAEncryption', hash: 'SHA-1', nodeHash: 'sha1', key: 'rsa'},
  [OID.sha256WithRSA]: {kind: 'signature', name: 'sha256WithRSAEncryption', hash: 'SHA-256', nodeHash: 'sha256', key: 'rsa'},
  [OID.sha384WithRSA]: {kind: 'signature', name: 'sha384WithRSAEncryption', hash: 'SHA-384', nodeHash: 'sha384', key: 'rsa'},
  [OID.sha512WithRSA]: {kind: 'signature', name: 'sha512WithRSAEncryption', hash: 'SHA-512', nodeHash: 'sha512', key: 'rsa'},
  [OID.rsassaPss]: {kind: 'signature', name: 'RSASSA-PSS', hash: 'PSS'},
  [OID.ecPublicKey]: {kind: 'key', name: 'id-ecPublicKey', key: 'ec'},
  [OID.ecdsaWithSHA1]: {kind: 'signature', name: 'ecdsa-with-SHA1', hash: 'SHA-1', nodeHash: 'sha1', key: 'ec'},
  [OID.ecdsaWithSHA256]: {kind: 'signature', name: 'ecdsa-with-SHA256', hash: 'SHA-256', nodeHash: 'sha256', key: 'ec'},
  [OID.ecdsaWithSHA384]: {kind: 'signature', name: 'ecdsa-with-SHA384', hash: 'SHA-384', nodeHash: 'sha384', key: 'ec'},
  [OID.ecdsaWithSHA512]: {kind: 'signature', name: 'ecdsa-with-SHA512', hash: 'SHA-512', nodeHash: 'sha512', key: 'ec'},
  [OID.ed25519]: {kind: 'signature', name: 'Ed25519', hash: 'none', key: 'ed25519'},
  [OID.ed448]: {kind: 'signature', name: 'Ed448', hash: 'none', key: 'ed448'},
}

/** The name of an algorithm OID, or the OID itself when the table does not know it. */
export function algorithmName(oid: string): string {
  return ALGORITHMS[oid]?.name ?? oid
}
