/**
 * SHA-256 certificate fingerprints, the one place they are computed, written and compared:
 * - the colon form devices and browsers show ("AB:CD:…", what `openssl x509 -fingerprint -sha256`
 *   prints and CertificateInfo.sha256 holds);
 * - the bare form the trust store files and pins are compared in (64 upper-case hex digits);
 * - pins as users write them (colons optional, `sha256:`/`SHA256/` prefix, any case).
 */
import {sha256Hex} from '../util/hash.js'

/** The bare fingerprint of `der`: 64 upper-case hex digits of its SHA-256. */
export function bareSha256(der: Uint8Array): string {
  return sha256Hex(der).toUpperCase()
}

/** "AB:CD:…" from 64 hex digits (any case, colons already there or not). */
export function colonFingerprint(hex: string): string {
  return bareFingerprint(hex).replace(/(..)(?!$)/g, '$1:')
}

/** 64 upper-case hex digits from a fingerprint written with or without colons. */
export function bareFingerprint(fingerprint: string): string {
  return fingerprint.replaceAll(':', '').toUpperCase()
}

/** "AB:CD:…" of the SHA-256 of `der` (the same as X509Certificate.fingerprint256). */
export function sha256Fingerprint(der: Uint8Array): string {
  return colonFingerprint(bareSha256(der))
}

/** The bare form of a certificate's fingerprint (CertificateInfo.sha256 holds the colon form). */
export function fingerprintHex(info: {sha256: string}): string {
  return bareFingerprint(info.sha256)
}

/**
 * A pin as 64 upper-case hex digits, or undefined when it is not a SHA-256 fingerprint: 64 hex
 * digits, optionally in colon-separated pairs, optionally prefixed `sha256:` / `SHA256/`.
 */
export function normalizePin(pin: string): string | undefined {
  const body = pin.trim().replace(/^sha-?256[:/]\s*/i, '')
  const hex = /^[0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){31}$/.test(body) ? body.replaceAll(':', '') : body
  return /^[0-9A-Fa-f]{64}$/.test(hex) ? hex.toUpperCase() : undefined
}

/** The usable pins of a list (malformed ones are lint's `pin-invalid`, never a match). */
export function normalizePins(pins: Iterable<string>): Set<string> {
  const out = new Set<string>()
  for (const p of pins) {
    const n = normalizePin(p)
    if (n) out.add(n)
  }
  return out
}
