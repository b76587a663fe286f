/** Object identifiers used by CMS SignedData (RFC 5652, RFC 5754, RFC 5758). */
export const OID = {
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',
  sha1: '1.3.14.3.2.26',
  sha256: '2.16.840.1.101.3.4.2.1',
  sha384: '2.16.840.1.101.3.4.2.2',
  sha512: '2.16.840.1.101.3.4.2.3',
  rsaEncryption: '1.2.840.113549.1.1.1',
  sha1WithRSA: '1.2.840.113549.1.1.5',
  sha256WithRSA: '1.2.840.113549.1.1.11',
  sha384WithRSA: '1.2.840.113549.1.1.12',
  sha512WithRSA: '1.2.840.113549.1.1.13',
  ecdsaWithSHA1: '1.2.840.10045.4.1',
  ecdsaWithSHA256: '1.2.840.10045.4.3.2',
  ecdsaWithSHA384: '1.2.840.10045.4.3.3',
  ecdsaWithSHA512: '1.2.840.10045.4.3.4',
  ecPublicKey: '1.2.840.10045.2.1',
} as const

/** Digest algorithm OID → node:crypto hash name. */
export const DIGEST_NAMES: Record<string, string> = {
  [OID.sha1]: 'sha1',
  [OID.sha256]: 'sha256',
  [OID.sha384]: 'sha384',
  [OID.sha512]: 'sha512',
}

/** Signature algorithm OID → key kind and the hash it fixes (undefined: the digestAlgorithm's). */
export const SIGNATURE_ALGORITHMS: Record<string, {key: 'rsa' | 'ec'; hash?: string}> = {
  [OID.rsaEncryption]: {key: 'rsa'},
  [OID.sha1WithRSA]: {key: 'rsa', hash: 'sha1'},
  [OID.sha256WithRSA]: {key: 'rsa', hash: 'sha256'},
  [OID.sha384WithRSA]: {key: 'rsa', hash: 'sha384'},
  [OID.sha512WithRSA]: {key: 'rsa', hash: 'sha512'},
  [OID.ecPublicKey]: {key: 'ec'},
  [OID.ecdsaWithSHA1]: {key: 'ec', hash: 'sha1'},
  [OID.ecdsaWithSHA256]: {key: 'ec', hash: 'sha256'},
  [OID.ecdsaWithSHA384]: {key: 'ec', hash: 'sha384'},
  [OID.ecdsaWithSHA512]: {key: 'ec', hash: 'sha512'},
}
