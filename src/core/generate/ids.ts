/**
 * Deterministic identifiers: reverse-DNS PayloadIdentifiers unique per payload, and PayloadUUIDs
 * derived from them with UUID version 5 (RFC 9562 §5.5: SHA-1 over namespace + name), so the same
 * settings always give the same identifiers and reinstalling a profile replaces it. The
 * PayloadIdentifiers themselves are derived in src/core/mail/identifiers.ts (lint checks the same ones).
 */
import {hash} from 'node:crypto'

/**
 * mailprofile's namespace: the UUID v5 of the URL `https://github.com/mailprofile/mailprofile`
 * in RFC 9562's URL namespace (checked by a test).
 */
export const MAILPROFILE_NAMESPACE = 'e831e023-0f1e-5e3c-8d2c-8589820e9eed'

/** RFC 9562 Appendix A namespaces. */
export const NAMESPACE_DNS = '6ba7b810-9dad-11d1-80b4-00c04fd430c8'
export const NAMESPACE_URL = '6ba7b811-9dad-11d1-80b4-00c04fd430c8'

function uuidBytes(uuid: string): Buffer {
  const hex = uuid.replace(/-/g, '')
  if (!/^[0-9a-fA-F]{32}$/.test(hex)) throw new Error(`not a UUID: ${uuid}`)
  return Buffer.from(hex, 'hex')
}

function formatUuid(bytes: Buffer): string {
  const h = bytes.toString('hex')
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`
}

const namespaceBytes = new Map<string, Buffer>()

/** UUID version 5 of `name` (UTF-8) in `namespace`, lower-case canonical form. */
export function uuidV5(name: string, namespace: string): string {
  let ns = namespaceBytes.get(namespace)
  if (!ns) namespaceBytes.set(namespace, (ns = uuidBytes(namespace)))
  // One-shot crypto.hash: a profile needs several UUIDs, and a Hash object costs more than the SHA-1 itself.
  const bytes = hash('sha1', Buffer.concat([ns, Buffer.from(name, 'utf8')]), 'buffer').subarray(0, 16)
  bytes[6] = (bytes[6]! & 0x0f) | 0x50 // version 5
  bytes[8] = (bytes[8]! & 0x3f) | 0x80 // variant 10
  return formatUuid(bytes)
}

/** The PayloadUUID for a PayloadIdentifier: UUID v5 in mailprofile's namespace, upper-case as Apple's tools write it. */
export function payloadUuid(payloadIdentifier: string): string {
  return uuidV5(payloadIdentifier, MAILPROFILE_NAMESPACE).toUpperCase()
}

export {domainProfileIds, safeLabel, userProfileIds, type ProfileIds} from '../mail/identifiers.js'
