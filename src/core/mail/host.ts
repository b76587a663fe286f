/**
 * Host names as clients use them: the one place that strips IPv6 brackets and a trailing dot,
 * tells IP literals from names (`ipLiteralVersion`, node:net's `isIP`) and turns internationalized names into their
 * A-label (punycode) form (node:url `domainToASCII`). Comparison keys, SNI names, identifiers,
 * zone-file names and certificate matching all start here.
 */
import {domainToASCII, domainToUnicode} from 'node:url'

import type {Protocol, Security} from './protocol.js'

/** The name without surrounding spaces, IPv6 brackets or one trailing dot, as written otherwise. */
export function bareHost(host: string): string {
  let h = host.trim()
  if (h.startsWith('[') && h.endsWith(']')) h = h.slice(1, -1)
  if (h.endsWith('.')) h = h.slice(0, -1)
  return h
}

/**
 * node:net's `isIP` (4, 6 or 0), asked only of strings that can be an IP literal: every IPv6
 * literal holds a ':' and an IPv4 literal only digits and dots. The first `isIPv6` call in a
 * process compiles a large regular expression (10–25 ms, a tenth of lint's start-up), which a
 * plain host name never needs. node:net itself is loaded on that first call too: it loads the
 * socket and stream modules with it (about 8 ms of a start-up), and a lint of host names never
 * needs them.
 */
export function ipLiteralVersion(text: string): 0 | 4 | 6 {
  if (text.includes(':')) return net().isIP(text) as 0 | 4 | 6
  return /^[\d.]+$/.test(text) && net().isIPv4(text) ? 4 : 0
}

const net = (): typeof import('node:net') => process.getBuiltinModule('node:net')

/** 4 or 6 for an IP literal (IPv6 possibly in brackets), 0 for anything else. */
export function ipVersion(host: string): 0 | 4 | 6 {
  const h = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host
  return ipLiteralVersion(h)
}

/** Names converted per process; past this many the memo starts over (a check asks for each host several times). */
const A_LABEL_MEMO_LIMIT = 8192
const aLabels = new Map<string, string>()

/** A DNS name (nothing stripped) in lower-case A-label form; '' when it has none (an invalid IDN). */
export function toALabels(name: string): string {
  let ascii = aLabels.get(name)
  if (ascii === undefined) {
    ascii = aLabelsOf(name)
    if (aLabels.size >= A_LABEL_MEMO_LIMIT) aLabels.clear()
    aLabels.set(name, ascii)
  }
  return ascii
}

function aLabelsOf(name: string): string {
  const ascii = domainToASCII(name).toLowerCase()
  // Node 24's URL parser passes an undecodable A-label (`xn--a`) through unchanged where Node 20
  // and 22 refuse it: a real A-label always decodes to something else, so one that does not is
  // refused here on every version.
  for (const label of ascii.split('.')) if (label.startsWith('xn--') && domainToUnicode(label).toLowerCase() === label) return ''
  return ascii
}

/**
 * The host in lower-case A-label form, or '' when an internationalized name has no A-label form.
 * IP literals come back lower-case without brackets.
 */
export function asciiHost(host: string): string {
  const h = bareHost(host)
  if (ipLiteralVersion(h)) return h.toLowerCase()
  return toALabels(h)
}

/** The host as compared (certificates, de-duplication, domains): lower case, A-labels, no brackets or trailing dot. */
export function normalizeHost(host: string): string {
  return asciiHost(host) || bareHost(host).toLowerCase()
}

/**
 * The host as a client connects to it and names it in SNI: no IPv6 brackets, no trailing dot, an
 * internationalized name in its A-label form; a plain ASCII name keeps the case it was written in
 * (it is what reports show).
 */
export function connectHost(host: string): string {
  const h = bareHost(host)
  if (ipLiteralVersion(h) || /^[\x21-\x7e]*$/.test(h)) return h
  return toALabels(h) || h
}

/** `host:port`, with IPv6 literals in brackets. */
export function hostPort(host: string, port: number): string {
  const h = host.replace(/^\[(.*)\]$/, '$1')
  return h.includes(':') ? `[${h}]:${port}` : `${h}:${port}`
}

/** One (host, port, protocol, TLS mode) as a map key: endpoints that differ only in host spelling are one. */
export function endpointKey(e: {host: string; port: number; protocol?: Protocol | string; security?: Security | string}): string {
  return `${normalizeHost(e.host)}|${e.port}|${e.protocol}|${e.security}`
}
