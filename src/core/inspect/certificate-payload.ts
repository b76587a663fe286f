/**
 * The certificate a certificate payload installs: com.apple.security.root and .pkcs1 carry DER,
 * com.apple.security.pem carries PEM (Apple's own example puts PEM text in a .pkcs1 payload too, so
 * PEM is accepted wherever it is recognised).
 */
import {parseCertificate, type ParsedCertificate} from '../x509/certificate.js'
import {pemBodies} from '../x509/pem.js'
import {isDict, type Dict} from './profile.js'

const CERTIFICATE_TYPES = new Set(['com.apple.security.root', 'com.apple.security.pkcs1', 'com.apple.security.pem'])

/** Why bytes are not a certificate, in the user's terms (not the parser's). */
function unreadable(bytes: Buffer, pem: boolean): string {
  if (bytes.length === 0) return 'it is empty'
  if (pem) return 'it is PEM text whose base64 is not a valid DER certificate'
  if (bytes[0] === 0x30) return 'it starts like DER but is not a valid X.509 certificate (truncated or damaged)'
  return 'it is neither DER (which starts with a SEQUENCE, byte 0x30) nor PEM text'
}

/**
 * The certificate of a certificate payload; a string says why it cannot be read; undefined for
 * payloads that are not certificate payloads (or carry no <data>).
 */
export function payloadCertificate(p: Dict): ParsedCertificate | string | undefined {
  if (!isDict(p) || !CERTIFICATE_TYPES.has(String(p.PayloadType)) || !(p.PayloadContent instanceof Uint8Array)) return undefined
  const bytes = Buffer.from(p.PayloadContent)
  // The first PEM block of any label (linear, src/core/x509/pem.ts); without one the bytes are DER.
  const [armour] = pemBodies(bytes.toString('latin1'), 'any', 1)
  const der = armour !== undefined ? Buffer.from(armour.replace(/[^A-Za-z0-9+/=]/g, ''), 'base64') : bytes
  try {
    return parseCertificate(der)
  } catch {
    return unreadable(der, armour !== undefined)
  }
}
