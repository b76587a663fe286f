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

/** Two hex digits per byte value, lower and upper case: a UUID is formatted by table, not by toString/slice. */
const HEX_LOWER = Array.from({length: 256}, (_, i) => i.toString(16).padStart(2, '0'))
const HEX_UPPER = HEX_LOWER.map((h) => h.toUpperCase())

function formatUuid(b: Buffer, hex: readonly string[]): string {
  return `${hex[b[0]!]!}${hex[b[1]!]!}${hex[b[2]!]!}${hex[b[3]!]!}-${hex[b[4]!]!}${hex[b[5]!]!}-${hex[b[6]!]!}${hex[b[7]!]!}-${hex[b[8]!]!}${hex[b[9]!]!}-${hex[b[10]!]!}${hex[b[11]!]!}${hex[b[12]!]!}${hex[b[13]!]!}${hex[b[14]!]!}${hex[b[15]!]!}`
}

const namespaceBytes = new Map<string, Buffer>()
/** namespace ‖ name is hashed from one buffer reused between calls (a profile needs several UUIDs). */
let scratch = Buffer.allocUnsafe(512)

/** SHA-1 of namespace ‖ UTF-8 name with the version and variant bits set (RFC 9562 §5.5); the first 16 bytes are the UUID. */
function uuidV5Bytes(name: string, namespace: string): Buffer {
  let ns = namespaceBytes.get(namespace)
  if (!ns) namespaceBytes.set(namespace, (ns = uuidBytes(namespace)))
  const most = 16 + name.length * 3
  if (scratch.length < most) scratch = Buffer.allocUnsafe(most)
  ns.copy(scratch, 0)
  const length = 16 + scratch.write(name, 16, 'utf8')
  // One-shot crypto.hash: a Hash object costs more than the SHA-1 itself.
  const bytes = hash('sha1', scratch.subarray(0, length), 'buffer')
  bytes[6] = (bytes[6]! & 0x0f) | 0x50 // version 5
  bytes[8] = (bytes[8]! & 0x3f) | 0x80 // variant 10
  return bytes
}

/** UUID version 5 of `name` (UTF-8) in `namespace`, lower-case canonical form. */
export function uuidV5(name: string, namespace: string): string {
  return formatUuid(uuidV5Bytes(name, namespace), HEX_LOWER)
}

/** The PayloadUUID for a PayloadIdentifier: UUID v5 in mailprofile's namespace, upper-case as Apple's tools write it. */
export function payloadUuid(payloadIdentifier: string): string {
  return formatUuid(uuidV5Bytes(payloadIdentifier, MAILPROFILE_NAMESPACE), HEX_UPPER)
}

export {domainProfileIds, safeLabel, userProfileIds, type ProfileIds} from '../mail/identifiers.js'
