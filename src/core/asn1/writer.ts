/**
 * The DER writer: the handful of ASN.1 types a CMS SignedData and an ECDSA signature need.
 * Hand-written because it is small and on the signing path of every profile (a few buffers per
 * signature, no intermediate object tree); its output is read back by the reader, by node-forge
 * and by `openssl asn1parse`/`openssl cms -verify` in the tests. Every function returns the
 * complete encoding (tag, length, value) as a Buffer; constructed values take the encodings of
 * their parts. DER rules that matter here: definite lengths in the shortest form, SET OF sorted
 * by encoding (X.690 §11.6), INTEGERs minimal and two's complement.
 */
import {encodeOidValue} from './oid.js'

/** The length octets for a value of `n` bytes. */
function lengthOctets(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n])
  const bytes: number[] = []
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff)
  return Buffer.from([0x80 | bytes.length, ...bytes])
}

/** Tag + length + value. */
export function tlv(tag: number, value: Buffer): Buffer {
  return Buffer.concat([Buffer.from([tag]), lengthOctets(value.length), value])
}

export function sequence(...parts: Buffer[]): Buffer {
  return tlv(0x30, Buffer.concat(parts))
}

/** SET OF in DER: the elements sorted by their encodings. */
export function setOf(...parts: Buffer[]): Buffer {
  return tlv(0x31, Buffer.concat([...parts].sort(Buffer.compare)))
}

const oidCache = new Map<string, Buffer>()

/** OBJECT IDENTIFIER from dotted form. Cached: the same few OIDs are written for every signature. */
export function oid(dotted: string): Buffer {
  let out = oidCache.get(dotted)
  if (out) return out
  out = tlv(0x06, encodeOidValue(dotted))
  oidCache.set(dotted, out)
  return out
}

/** INTEGER from a small non-negative number. */
export function integer(n: number): Buffer {
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`integer out of range: ${n}`)
  const bytes: number[] = []
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff)
  if (bytes.length === 0 || bytes[0]! & 0x80) bytes.unshift(0)
  return tlv(0x02, Buffer.from(bytes))
}

/** INTEGER from the big-endian bytes of a non-negative number (leading zeros dropped, a 0 added when the top bit is set). */
export function unsignedInteger(bytes: Uint8Array): Buffer {
  let i = 0
  while (i < bytes.length - 1 && bytes[i] === 0) i++
  const body = Buffer.from(bytes.buffer, bytes.byteOffset + i, bytes.length - i)
  if (body.length === 0) return Buffer.from([0x02, 0x01, 0x00])
  return tlv(0x02, body[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), body]) : Buffer.from(body))
}

export function octetString(value: Buffer): Buffer {
  return tlv(0x04, value)
}

export const NULL = Buffer.from([0x05, 0x00])

/** [n] EXPLICIT: a constructed context tag around one complete encoding. */
export function explicit(n: number, inner: Buffer): Buffer {
  return tlv(0xa0 | n, inner)
}

/** [n] IMPLICIT on a constructed type (SET, SEQUENCE): the parts' encodings under a context tag. */
export function implicitConstructed(n: number, ...parts: Buffer[]): Buffer {
  return tlv(0xa0 | n, Buffer.concat(parts))
}
