import {X509Certificate} from 'node:crypto'

import {canonicalNameKey, children, decodeOid, embeddedSctLogIds, extendedKeyUsageOf, readTlv, tbsNames} from './der.js'
import {commonNameOf} from './names.js'
import {validityDays} from './validity.js'

/** Signature algorithm OIDs → names and their hash. */
const SIGNATURE_ALGORITHMS: Record<string, {name: string; hash: string}> = {
  '1.2.840.113549.1.1.4': {name: 'md5WithRSAEncryption', hash: 'MD5'},
  '1.2.840.113549.1.1.5': {name: 'sha1WithRSAEncryption', hash: 'SHA-1'},
  '1.2.840.113549.1.1.11': {name: 'sha256WithRSAEncryption', hash: 'SHA-256'},
  '1.2.840.113549.1.1.12': {name: 'sha384WithRSAEncryption', hash: 'SHA-384'},
  '1.2.840.113549.1.1.13': {name: 'sha512WithRSAEncryption', hash: 'SHA-512'},
  '1.2.840.113549.1.1.10': {name: 'RSASSA-PSS', hash: 'PSS'},
  '1.2.840.10045.4.1': {name: 'ecdsa-with-SHA1', hash: 'SHA-1'},
  '1.2.840.10045.4.3.2': {name: 'ecdsa-with-SHA256', hash: 'SHA-256'},
  '1.2.840.10045.4.3.3': {name: 'ecdsa-with-SHA384', hash: 'SHA-384'},
  '1.2.840.10045.4.3.4': {name: 'ecdsa-with-SHA512', hash: 'SHA-512'},
  '1.3.101.112': {name: 'Ed25519', hash: 'none'},
  '1.3.101.113': {name: 'Ed448', hash: 'none'},
}

export const EKU_SERVER_AUTH = '1.3.6.1.5.5.7.3.1'
export const EKU_CODE_SIGNING = '1.3.6.1.5.5.7.3.3'
export const EKU_EMAIL_PROTECTION = '1.3.6.1.5.5.7.3.4'
export const EKU_ANY = '2.5.29.37.0'

/** Everything the tool reports or judges about one certificate. Dates are ISO strings. */
export interface CertificateInfo {
  subject: string
  issuer: string
  /** Common name of the subject, when present. */
  commonName?: string
  /** DNS names from the subjectAltName extension (empty when none). */
  dnsNames: string[]
  /** IP addresses from the subjectAltName extension. */
  ipAddresses: string[]
  /** Whether a subjectAltName extension is present at all. */
  hasSan: boolean
  notBefore: string
  notAfter: string
  /** Validity period in whole days (notAfter − notBefore). */
  validityDays: number
  serialNumber: string
  /** "rsa", "ec", "ed25519", … */
  keyType: string
  /** RSA modulus length or EC curve size, in bits. */
  keyBits?: number
  /** EC named curve, e.g. "prime256v1". */
  curve?: string
  signatureAlgorithm: string
  signatureAlgorithmOid: string
  /** Hash used by the signature ("SHA-256", "SHA-1", …). */
  signatureHash: string
  /** SHA-256 fingerprint, upper-case hex with colons (as devices and browsers show it). */
  sha256: string
  /** basicConstraints cA=TRUE. */
  isCA: boolean
  /** issuer == subject and the certificate verifies with its own key. */
  selfSigned: boolean
  /** Extended key usage OIDs; undefined when the extension is absent. */
  extendedKeyUsage?: string[]
  /** Authority Information Access "CA Issuers" URLs: where the issuer's certificate can be downloaded. */
  caIssuers?: string[]
  /**
   * Certificate Transparency: the Signed Certificate Timestamps embedded in the certificate and
   * from how many distinct logs; undefined when it embeds none (or the list cannot be read).
   */
  embeddedScts?: {count: number; logs: number}
}

export interface ParsedCertificate {
  der: Buffer
  x509: X509Certificate
  info: CertificateInfo
  /** Canonical comparison keys of the issuer and subject names (see der.ts canonicalNameKey). */
  issuerKey: string
  subjectKey: string
}

/** "CA Issuers - URI:http://…" lines of Node's infoAccess string. */
function caIssuersOf(infoAccess: string | undefined): string[] | undefined {
  if (!infoAccess) return undefined
  const urls = [...infoAccess.matchAll(/^CA Issuers - URI:(.+)$/gm)].map((m) => m[1]!.trim())
  return urls.length ? urls : undefined
}

const CURVE_BITS: Record<string, number> = {prime192v1: 192, prime239v1: 239, prime256v1: 256, secp224r1: 224, secp384r1: 384, secp521r1: 521, secp256k1: 256}

/** Field size of a named curve: from the table, else the number in its name (secp160r1, brainpoolP512r1, …). */
function curveBits(curve: string): number | undefined {
  return CURVE_BITS[curve] ?? (/(\d{3})/.exec(curve) ? Number(/(\d{3})/.exec(curve)![1]) : undefined)
}

/** Splits Node's subjectAltName string ("DNS:a, DNS:b, IP Address:1.2.3.4"; values with commas come JSON-quoted). */
export function parseSubjectAltName(san: string | undefined): {dns: string[]; ip: string[]} {
  const dns: string[] = []
  const ip: string[] = []
  if (!san) return {dns, ip}
  const re = /(DNS|IP Address|email|URI|othername|DirName|Registered ID):("(?:[^"\\]|\\.)*"|[^,]*)(?:,\s*|$)/g
  for (const m of san.matchAll(re)) {
    let value = m[2]!.trim()
    if (value.startsWith('"')) {
      try {
        value = JSON.parse(value) as string
      } catch {
        value = value.slice(1, -1)
      }
    }
    if (m[1] === 'DNS') dns.push(value)
    else if (m[1] === 'IP Address') ip.push(value)
  }
  return {dns, ip}
}

function signatureAlgorithmOf(der: Uint8Array): string {
  // Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm AlgorithmIdentifier, signatureValue }
  const cert = readTlv(der, 0)
  const [, algId] = children(der, cert)
  if (!algId) throw new Error('DER: no signatureAlgorithm')
  const [oid] = children(der, algId)
  if (!oid) throw new Error('DER: empty AlgorithmIdentifier')
  return decodeOid(der, oid)
}

/** EKU OIDs from the DER; Node's own list if the extension cannot be read that way. */
function ekuOf(der: Buffer, x509: X509Certificate): string[] | undefined {
  try {
    return extendedKeyUsageOf(der)
  } catch {
    const node = x509 as unknown as {extKeyUsage?: string[]; keyUsage?: string[]}
    return node.extKeyUsage ?? node.keyUsage
  }
}

function sctsOf(der: Buffer): CertificateInfo['embeddedScts'] {
  try {
    const ids = embeddedSctLogIds(der)
    return ids && ids.length > 0 ? {count: ids.length, logs: new Set(ids).size} : undefined
  } catch {
    return undefined
  }
}

/** Parses one DER certificate. Throws an Error with a readable message when it is not a certificate. */
export function parseCertificate(der: Buffer): ParsedCertificate {
  const x509 = new X509Certificate(der)
  const oid = signatureAlgorithmOf(der)
  const alg = SIGNATURE_ALGORITHMS[oid] ?? {name: oid, hash: 'unknown'}
  const key = x509.publicKey
  const details = key.asymmetricKeyDetails ?? {}
  const keyType = key.asymmetricKeyType ?? 'unknown'
  const keyBits = keyType === 'rsa' || keyType === 'rsa-pss' || keyType === 'dsa' ? details.modulusLength : details.namedCurve ? curveBits(details.namedCurve) : keyType === 'ed25519' ? 256 : undefined
  const san = parseSubjectAltName(x509.subjectAltName)
  const notBefore = new Date(x509.validFrom)
  const notAfter = new Date(x509.validTo)
  let selfSigned = false
  if (x509.subject === x509.issuer) {
    try {
      selfSigned = x509.verify(key)
    } catch {
      selfSigned = false
    }
  }
  const info: CertificateInfo = {
    subject: x509.subject.replaceAll('\n', ', '),
    issuer: x509.issuer.replaceAll('\n', ', '),
    commonName: commonNameOf(x509.subject),
    dnsNames: san.dns,
    ipAddresses: san.ip,
    hasSan: x509.subjectAltName !== undefined,
    notBefore: notBefore.toISOString(),
    notAfter: notAfter.toISOString(),
    validityDays: validityDays({notBefore: notBefore.toISOString(), notAfter: notAfter.toISOString()}),
    serialNumber: x509.serialNumber,
    keyType,
    keyBits,
    curve: details.namedCurve,
    signatureAlgorithm: alg.name,
    signatureAlgorithmOid: oid,
    signatureHash: alg.hash,
    sha256: x509.fingerprint256,
    isCA: x509.ca,
    selfSigned,
    extendedKeyUsage: ekuOf(der, x509),
    caIssuers: caIssuersOf(x509.infoAccess),
    embeddedScts: sctsOf(der),
  }
  let issuerKey: string
  let subjectKey: string
  try {
    const names = tbsNames(der)
    issuerKey = canonicalNameKey(der, names.issuer)
    subjectKey = canonicalNameKey(der, names.subject)
  } catch {
    // Names our small reader cannot decode: fall back to OpenSSL's one-line form.
    issuerKey = x509.issuer.toLowerCase()
    subjectKey = x509.subject.toLowerCase()
  }
  return {der, x509, info, issuerKey, subjectKey}
}

const issuedByMemo = new WeakMap<ParsedCertificate, WeakMap<ParsedCertificate, boolean>>()

/** True when `issuer` issued `cert` (names match and the signature verifies). Remembered per pair. */
export function isIssuedBy(cert: ParsedCertificate, issuer: ParsedCertificate): boolean {
  if (cert.issuerKey !== issuer.subjectKey && !cert.x509.checkIssued(issuer.x509)) return false
  let memo = issuedByMemo.get(cert)
  const known = memo?.get(issuer)
  if (known !== undefined) return known
  let result: boolean
  try {
    result = cert.x509.verify(issuer.x509.publicKey)
  } catch {
    result = false
  }
  if (!memo) issuedByMemo.set(cert, (memo = new WeakMap()))
  memo.set(issuer, result)
  return result
}
