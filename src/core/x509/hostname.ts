/**
 * Server identity (RFC 6125 as Apple applies it): the host name must be in the certificate's
 * subjectAltName; the subject CN is ignored (iOS 13 / macOS 10.15 and later).
 * - DNS names compare case-insensitively, in A-label (punycode) form, ignoring one trailing dot.
 * - `*` is allowed only as the whole left-most label and matches exactly one label; it needs at
 *   least two labels after it (`*.com` matches nothing) and never matches an IP address.
 * - An IP address host matches only iPAddress entries, compared as bytes (so `::1` = `0:0:…:1`).
 */
import {isIP} from 'node:net'
import {domainToASCII} from 'node:url'

import type {CertificateInfo} from './certificate.js'

/** Host as the certificate is compared with: no brackets or trailing dot, lower case, A-labels. */
export function normalizeHostName(host: string): string {
  let h = host.trim()
  if (h.startsWith('[') && h.endsWith(']')) h = h.slice(1, -1)
  if (h.endsWith('.')) h = h.slice(0, -1)
  if (isIP(h)) return h.toLowerCase()
  const ascii = domainToASCII(h)
  return (ascii || h).toLowerCase()
}

/** IPv4 or IPv6 text → bytes, or undefined when it is not an address. */
export function ipBytes(text: string): number[] | undefined {
  const t = text.trim().replace(/^\[|\]$/g, '')
  const kind = isIP(t)
  if (kind === 4) return t.split('.').map(Number)
  if (kind !== 6) return undefined
  let head = t
  let v4: number[] = []
  const lastColon = t.lastIndexOf(':')
  if (t.slice(lastColon + 1).includes('.')) {
    v4 = t.slice(lastColon + 1).split('.').map(Number)
    head = t.slice(0, lastColon + 1) + '0:0'
  }
  const [left, right] = head.includes('::') ? head.split('::') : [head, undefined]
  const groups = (s: string | undefined) => (s ? s.split(':').filter((g) => g !== '') : [])
  const l = groups(left)
  const r = groups(right)
  const fill = right === undefined ? [] : Array<string>(8 - l.length - r.length).fill('0')
  const all = [...l, ...fill, ...r].map((g) => parseInt(g, 16))
  const bytes = all.flatMap((g) => [g >> 8, g & 0xff])
  if (v4.length === 4) bytes.splice(12, 4, ...v4)
  return bytes
}

function sameIp(a: string, b: string): boolean {
  const x = ipBytes(a)
  const y = ipBytes(b)
  return !!x && !!y && x.length === y.length && x.every((v, i) => v === y[i])
}

/** Normalizes a dNSName from a certificate, keeping a leading `*.` as is. */
function normalizePattern(pattern: string): string {
  const p = pattern.trim().replace(/\.$/, '')
  if (p.startsWith('*.')) return `*.${normalizeHostName(p.slice(2))}`
  return p.includes('*') ? p.toLowerCase() : normalizeHostName(p)
}

/** Whether one dNSName from the certificate covers `host` (both are normalized here). */
export function dnsNameMatches(pattern: string, host: string): boolean {
  const h = normalizeHostName(host)
  if (isIP(h)) return false
  const p = normalizePattern(pattern)
  if (!p || !h) return false
  if (!p.includes('*')) return p === h
  if (!p.startsWith('*.') || p.indexOf('*', 1) !== -1) return false
  const rest = p.slice(2)
  if (!rest.includes('.')) return false
  const dot = h.indexOf('.')
  return dot > 0 && h.slice(dot + 1) === rest
}

/** Whether the certificate's subjectAltName covers the host (DNS name or IP address). */
export function certificateCoversHost(info: Pick<CertificateInfo, 'dnsNames' | 'ipAddresses'>, host: string): boolean {
  const h = normalizeHostName(host)
  if (isIP(h)) return info.ipAddresses.some((ip) => sameIp(ip, h))
  return info.dnsNames.some((name) => dnsNameMatches(name, h))
}

/** The names the certificate covers, as a user would type them (DNS names, then IP addresses). */
export function coveredNames(info: Pick<CertificateInfo, 'dnsNames' | 'ipAddresses'>): string[] {
  return [...info.dnsNames, ...info.ipAddresses]
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
  const firstLabel = isIP(h) ? 'mail' : h.split('.')[0]!
  const exact = info.dnsNames.map(normalizePattern).filter((n) => n && !n.includes('*'))
  if (exact.length) {
    return exact.find((n) => n.split('.')[0] === firstLabel) ?? exact.find((n) => MAIL_LABELS.has(n.split('.')[0]!)) ?? exact[0]
  }
  const wildcard = info.dnsNames.map(normalizePattern).find((n) => n.startsWith('*.') && n.indexOf('*', 1) === -1 && n.slice(2).includes('.'))
  if (wildcard) return `${firstLabel}.${wildcard.slice(2)}`
  return isIP(h) ? undefined : info.ipAddresses[0]
}
