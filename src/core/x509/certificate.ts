import {X509Certificate} from 'node:crypto'

import {ALGORITHMS, OID} from '../asn1/oids.js'
import {ChainMemo} from './chain-memo.js'
import {canonicalNameKey, embeddedSctLogIds, extendedKeyUsageOf, signatureAlgorithmOf, tbsNames} from './fields.js'
import {commonNameOf} from './names.js'
import {validityDays} from './validity.js'

export const EKU_SERVER_AUTH = OID.serverAuth
export const EKU_ANY = OID.anyExtendedKeyUsage

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
  /** Canonical comparison keys of the issuer and subject names (see fields.ts canonicalNameKey). */
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

/**
 * Certificates parsed in this process, recognised byte for byte: the same certificate often comes
 * from two files (the root in trust.caFiles and again in the signing chain), and OpenSSL 3.0 (Node
 * 20) takes 0.3–0.8 ms to parse one. A parsed certificate is never modified, so one value serves both.
 */
const parsedMemo = new ChainMemo<ParsedCertificate>(256)

/**
 * Parses one DER certificate (once per distinct certificate in a process). Throws an Error with a
 * readable message when it is not a certificate.
 */
export function parseCertificate(der: Buffer): ParsedCertificate {
  return parsedMemo.getOrAdd([der], () => decodeCertificate(der))
}

function decodeCertificate(der: Buffer): ParsedCertificate {
  const x509 = new X509Certificate(der)
  const oid = signatureAlgorithmOf(der)
  const known = ALGORITHMS[oid]
  const alg = known?.kind === 'signature' ? {name: known.name, hash: known.hash ?? 'unknown'} : {name: oid, hash: 'unknown'}
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
    issuerKey = canonicalNameKey(names.issuer)
    subjectKey = canonicalNameKey(names.subject)
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
