import type {Finding} from '../../findings.js'
import {settingsFinding} from '../codes.js'
import {normalizePin} from '../../x509/fingerprint.js'
import type {Rule} from './types.js'

/** Pins: each must be a SHA-256 fingerprint. */
export const pinRules: Rule = ({settings}) => {
  const findings: Finding[] = []
  for (const pin of settings.trust.pins) {
    if (normalizePin(pin.value)) continue
    const hex = pin.value.replace(/[^0-9A-Fa-f]/g, '')
    const hint = /^[A-Za-z0-9+/]{43}=$/.test(pin.value.trim())
      ? ' It looks like a base64 SPKI pin (HPKP style); pins here are certificate fingerprints in hex.'
      : hex.length === 40
        ? ' It has 40 hex digits: that is a SHA-1 fingerprint.'
        : ''
    findings.push(settingsFinding('pin-invalid', {
      message: `Pin "${pin.value}" is not a SHA-256 fingerprint (64 hex digits, colons optional), so it would never match and check would always fail.${hint}`,
      fix: 'Take the fingerprint with `openssl x509 -noout -fingerprint -sha256 -in cert.pem`.',
      source: pin.source,
    }))
  }
  return findings
}
