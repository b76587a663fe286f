/**
 * Server identity (RFC 6125 as Apple applies it): the host name must be in the certificate's
 * subjectAltName; the subject CN is ignored (iOS 13 / macOS 10.15 and later). Matching is the
 * platform's (`X509Certificate.checkHost` / `checkIP`, i.e. OpenSSL's X509_check_host/_ip) with
 * the flags that make it Apple's rule:
 * - `subject: 'never'`: the CN never counts, even on a certificate without SAN;
 * - `partialWildcards: false`, `multiLabelWildcards: false`: `*` only as the whole left-most label,
 *   matching exactly one label (`*.com` and `m*.example.com` match nothing);
 * - DNS names compare case-insensitively in A-label (punycode) form; the host may end with a dot;
 * - an IP address host matches only iPAddress entries, compared as bytes (`::1` = `0:0:…:1`).
 * Deliberate: a SAN entry written with a trailing dot (`DNS:mail.example.com.`) covers nothing.
 * OpenSSL does not match it, the CA/Browser Forum forbids such names, and a false "covered" is
 * worse than a false alarm; `hostname-mismatch` then says the entry has a trailing dot.
 */
import type {X509Certificate} from 'node:crypto'

import {ipLiteralVersion, normalizeHost} from '../mail/host.js'
import type {CertificateInfo} from './certificate.js'

const CHECK_HOST = {subject: 'never', wildcards: true, partialWildcards: false, multiLabelWildcards: false, singleLabelSubdomains: false} as const

/** Host as the certificate is compared with: no brackets or trailing dot, lower case, A-labels (src/core/mail/host.ts). */
export const normalizeHostName = normalizeHost

/** Whether the certificate's subjectAltName covers the host (a DNS name, or an IP address). */
export function certificateCoversHost(x509: X509Certificate, host: string): boolean {
  const h = normalizeHostName(host)
  if (!h) return false
  if (ipLiteralVersion(h)) return x509.checkIP(h) !== undefined
  // An empty label is no host name; OpenSSL would read a leading dot as "any subdomain of".
  if (h.startsWith('.') || h.includes('..')) return false
  return x509.checkHost(h, CHECK_HOST) !== undefined
}

/** SAN DNS entries written with a trailing dot: they match no host (see the module comment). */
export function trailingDotNames(info: Pick<CertificateInfo, 'dnsNames'>): string[] {
  return info.dnsNames.filter((n) => n.length > 1 && n.endsWith('.'))
}

/** The names the certificate covers, as a user would type them (DNS names, then IP addresses). */
export function coveredNames(info: Pick<CertificateInfo, 'dnsNames' | 'ipAddresses'>): string[] {
  return [...info.dnsNames, ...info.ipAddresses]
}

/** A dNSName from a certificate in comparable form, keeping a leading `*.` as is. */
function normalizePattern(pattern: string): string {
  const p = pattern.trim().replace(/\.$/, '')
  if (p.startsWith('*.')) return `*.${normalizeHostName(p.slice(2))}`
  return p.includes('*') ? p.toLowerCase() : normalizeHostName(p)
}

const MAIL_LABELS = new Set(['mail', 'imap', 'imaps', 'smtp', 'smtps', 'pop', 'pop3', 'pop3s', 'mx', 'submission'])

/**
 * A host name the certificate covers that the settings could use instead (the shared-hosting case:
 * settings say mail.customer.com, the certificate covers server12.host.com). Prefers a name with the
 * same first label as the host, then a mail-like name, then the first name; for wildcard-only
 * certificates, the host's first label under the wildcard's domain.
 */
export function suggestHostName(info: Pick<CertificateInfo, 'dnsNames' | 'ipAddresses'>, host: string): string | undefined {
  const h = normalizeHostName(host)
  const firstLabel = ipLiteralVersion(h) ? 'mail' : h.split('.')[0]!
  const exact = info.dnsNames.map(normalizePattern).filter((n) => n && !n.includes('*'))
  if (exact.length) {
    return exact.find((n) => n.split('.')[0] === firstLabel) ?? exact.find((n) => MAIL_LABELS.has(n.split('.')[0]!)) ?? exact[0]
  }
  const wildcard = info.dnsNames.map(normalizePattern).find((n) => n.startsWith('*.') && n.indexOf('*', 1) === -1 && n.slice(2).includes('.'))
  if (wildcard) return `${firstLabel}.${wildcard.slice(2)}`
  return ipLiteralVersion(h) ? undefined : info.ipAddresses[0]
}
