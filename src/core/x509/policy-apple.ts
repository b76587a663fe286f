/**
 * Apple's rules for TLS server certificates (support articles HT210176 and HT211025), in the form
 * Apple's Security framework applies them (SecPolicyServer.c: SecPolicyCheckServerAuthEKU, strong
 * key sizes, no weak hashes, Certificate Transparency). The validity-period maximums live with the
 * other date rules in validity.ts.
 */
import {type CertificateInfo, EKU_ANY, EKU_SERVER_AUTH} from './certificate.js'
import {DAY_MS, JUL_2019, validityMs} from './validity.js'

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
