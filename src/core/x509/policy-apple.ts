/**
 * Apple's rules for TLS server certificates (support articles HT210176 and HT211025), in the form
 * Apple's Security framework applies them (SecPolicyServer.c: SecPolicyCheckValidityPeriodMaximums,
 * SecPolicyCheckServerAuthEKU, strong key sizes, no weak hashes).
 */
import {type CertificateInfo, EKU_ANY, EKU_SERVER_AUTH} from './certificate.js'

const DAY_MS = 86_400_000
const HOUR_MS = 3_600_000

/** 1 July 2016, 1 March 2018, 1 September 2020 (00:00 UTC): the public-root validity tiers. */
export const JUL_2016 = Date.UTC(2016, 6, 1)
export const MAR_2018 = Date.UTC(2018, 2, 1)
export const SEP_2020 = Date.UTC(2020, 8, 1)
/**
 * "Issued after 1 July 2019" (HT210176). Apple's code compares notBefore > 583628400 (CFAbsoluteTime),
 * which is 30 June 2019 23:00 UTC; we use the same instant so the verdict matches devices.
 */
export const JUL_2019 = Date.UTC(2019, 5, 30, 23)

export interface ValidityLimit {
  /** Maximum validity in days as users know the rule ("398 days"). */
  days: number
  /** Maximum notAfter − notBefore in ms, including Apple's slip (1 hour for the older rules). */
  maxMs: number
  /** Which rule applies, for messages. */
  rule: string
}

/**
 * The validity limit Apple applies to a server certificate, or undefined when none does.
 * `publicRoot`: the chain ends at a root in Apple's trust store. `leafIsAnchor`: the server
 * certificate itself is a trust anchor the user installed (Apple applies no maximum then).
 */
export function validityLimit(notBefore: Date, publicRoot: boolean, leafIsAnchor = false): ValidityLimit | undefined {
  const nb = notBefore.getTime()
  if (publicRoot) {
    if (nb < JUL_2016) return {days: 5 * 365 + 2, maxMs: (5 * 365 + 2) * DAY_MS + HOUR_MS, rule: 'public-root certificates issued before 1 July 2016: at most 60 months'}
    if (nb < MAR_2018) return {days: 3 * 365 + 2 * 31 + 30 + 1, maxMs: (3 * 365 + 2 * 31 + 30 + 1) * DAY_MS + HOUR_MS, rule: 'public-root certificates issued before 1 March 2018: at most 39 months'}
    if (nb < SEP_2020) return {days: 825, maxMs: 825 * DAY_MS + HOUR_MS, rule: 'public-root certificates issued before 1 September 2020: at most 825 days'}
    return {days: 398, maxMs: 398 * DAY_MS, rule: 'public-root certificates issued on or after 1 September 2020: at most 398 days (HT211025)'}
  }
  if (leafIsAnchor) return undefined
  if (nb > JUL_2019) return {days: 825, maxMs: 825 * DAY_MS + HOUR_MS, rule: 'certificates issued after 1 July 2019: at most 825 days (HT210176); certificates from private roots you install get 825, not 398'}
  return undefined
}

/** Exact validity length in ms (notAfter − notBefore). */
export function validityMs(info: Pick<CertificateInfo, 'notBefore' | 'notAfter'>): number {
  return new Date(info.notAfter).getTime() - new Date(info.notBefore).getTime()
}

/** Whether the leaf must carry the serverAuth EKU: always under a public root, otherwise when issued after 1 July 2019. */
export function requiresServerAuthEku(leaf: Pick<CertificateInfo, 'notBefore'>, publicRoot: boolean): boolean {
  return publicRoot || new Date(leaf.notBefore).getTime() > JUL_2019
}

/** The leaf's EKU extension is present and lists id-kp-serverAuth (anyExtendedKeyUsage does not count). */
export function hasServerAuthEku(info: Pick<CertificateInfo, 'extendedKeyUsage'>): boolean {
  return !!info.extendedKeyUsage?.includes(EKU_SERVER_AUTH)
}

/**
 * Apple's Certificate Transparency policy (support.apple.com/103214) covers certificates from
 * public roots issued after 15 October 2018; the tiers changed for certificates issued from
 * 21 April 2021.
 */
export const CT_FROM = Date.UTC(2018, 9, 15)
export const CT_TIERS_2021 = Date.UTC(2021, 3, 21)

/** Lifetime as Apple's CT policy counts it: notBefore through notAfter inclusive, any part of a day a day. */
export function ctLifetimeDays(info: Pick<CertificateInfo, 'notBefore' | 'notAfter'>): number {
  return Math.ceil((validityMs(info) + 1000) / DAY_MS)
}

/** Whole calendar months from `a` to `b` (for the pre-2021 tiers, stated in months). */
function monthsBetween(a: Date, b: Date): number {
  let months = (b.getUTCFullYear() - a.getUTCFullYear()) * 12 + (b.getUTCMonth() - a.getUTCMonth())
  if (b.getUTCDate() < a.getUTCDate()) months -= 1
  return months
}

/**
 * How many embedded SCTs from distinct logs Apple requires of a certificate from a public root, or
 * undefined when the policy does not apply (issued on or before 15 October 2018).
 */
export function requiredEmbeddedScts(info: Pick<CertificateInfo, 'notBefore' | 'notAfter'>): {count: number; rule: string} | undefined {
  const notBefore = new Date(info.notBefore)
  if (notBefore.getTime() <= CT_FROM) return undefined
  if (notBefore.getTime() >= CT_TIERS_2021) {
    const days = ctLifetimeDays(info)
    return days <= 180 ? {count: 2, rule: 'a lifetime of 180 days or less needs 2'} : {count: 3, rule: 'a lifetime of 181 to 398 days needs 3'}
  }
  const months = monthsBetween(notBefore, new Date(info.notAfter))
  if (months < 15) return {count: 2, rule: 'a lifetime under 15 months needs 2'}
  if (months < 27) return {count: 3, rule: 'a lifetime of 15 to 27 months needs 3'}
  if (months < 39) return {count: 4, rule: 'a lifetime of 27 to 39 months needs 4'}
  return {count: 5, rule: 'a lifetime over 39 months needs 5'}
}

/** For an intermediate under a public root: an EKU extension, if present, must allow serverAuth (or any). */
export function intermediateEkuAllowsServerAuth(info: Pick<CertificateInfo, 'extendedKeyUsage'>): boolean {
  const eku = info.extendedKeyUsage
  return !eku || eku.length === 0 || eku.includes(EKU_SERVER_AUTH) || eku.includes(EKU_ANY)
}

/** RSA below 2048 bits, or EC below 256 bits. */
export function isWeakKey(info: Pick<CertificateInfo, 'keyType' | 'keyBits'>): boolean {
  if (info.keyBits === undefined) return false
  if (info.keyType === 'rsa' || info.keyType === 'rsa-pss' || info.keyType === 'dsa') return info.keyBits < 2048
  if (info.keyType === 'ec') return info.keyBits < 256
  return false
}

/** Signed with SHA-1 or MD5. */
export function isWeakSignature(info: Pick<CertificateInfo, 'signatureHash' | 'signatureAlgorithm'>): boolean {
  return info.signatureHash === 'SHA-1' || info.signatureHash === 'MD5' || /md2|md4/i.test(info.signatureAlgorithm)
}

/** "RSA 1024", "EC 224 (secp224r1)". */
export function describeKey(info: Pick<CertificateInfo, 'keyType' | 'keyBits' | 'curve'>): string {
  const type = info.keyType === 'ec' ? 'EC' : info.keyType.toUpperCase()
  return `${type}${info.keyBits ? ` ${info.keyBits}-bit` : ''}${info.curve ? ` (${info.curve})` : ''}`
}
