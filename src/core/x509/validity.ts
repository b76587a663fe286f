/**
 * Validity windows, the one place dates of certificates are judged:
 * - where an instant (now, or --at) falls in a certificate's notBefore…notAfter window, against
 *   a warning period in days (--warn-days): `validityAt`;
 * - the longest validity Apple allows a TLS server certificate (HT210176, HT211025), in the form
 *   Apple's Security framework applies it (SecPolicyCheckValidityPeriodMaximums): `validityLimit`.
 */

export const DAY_MS = 86_400_000
const HOUR_MS = 3_600_000

/** The two dates of a certificate's validity (ISO 8601), as CertificateInfo (certificate.ts) holds them. */
type Dated = {notBefore: string; notAfter: string}

export type ValidityStatus = 'expired' | 'not-yet-valid' | 'expires-soon' | 'valid'

export interface ValidityWindow {
  status: ValidityStatus
  notBefore: Date
  notAfter: Date
  /** Whole days from the instant to notAfter (negative once expired). */
  daysLeft: number
}

/**
 * Where `at` falls in the certificate's validity: expired after notAfter, not yet valid before
 * notBefore, expiring soon when fewer than `warnDays` whole days remain.
 */
export function validityAt(info: Dated, at: Date, warnDays = 0): ValidityWindow {
  const notBefore = new Date(info.notBefore)
  const notAfter = new Date(info.notAfter)
  const t = at.getTime()
  const daysLeft = Math.floor((notAfter.getTime() - t) / DAY_MS)
  const status: ValidityStatus = t > notAfter.getTime() ? 'expired' : t < notBefore.getTime() ? 'not-yet-valid' : daysLeft < warnDays ? 'expires-soon' : 'valid'
  return {status, notBefore, notAfter, daysLeft}
}

/** True when `at` lies within notBefore…notAfter (inclusive). */
export function isWithinValidity(info: Dated, at: Date): boolean {
  const s = validityAt(info, at).status
  return s === 'valid' || s === 'expires-soon'
}

/** "2026-03-01": the UTC calendar day of an instant or ISO string, as messages show dates. */
export function isoDay(date: string | Date): string {
  return (typeof date === 'string' ? date : date.toISOString()).slice(0, 10)
}

/** Exact validity length in ms (notAfter − notBefore). */
export function validityMs(info: Dated): number {
  return new Date(info.notAfter).getTime() - new Date(info.notBefore).getTime()
}

/** Validity period in whole days (notAfter − notBefore), as CertificateInfo.validityDays reports it. */
export function validityDays(info: Dated): number {
  return Math.round(validityMs(info) / DAY_MS)
}

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
