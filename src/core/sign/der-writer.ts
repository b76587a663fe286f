/**
 * A minimal DER writer: the handful of ASN.1 types a CMS SignedData needs. Every function
 * returns the complete encoding (tag, length, value) as a Buffer; constructed values take the
 * encodings of their parts. DER rules that matter here: definite lengths in the shortest form,
 * SET OF sorted by encoding (X.690 §11.6), INTEGERs minimal and two's complement.
 */

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
  const arcs = dotted.split('.').map((a) => {
    if (!/^\d+$/.test(a)) throw new Error(`not an OID: ${dotted}`)
    return BigInt(a)
  })
  if (arcs.length < 2) throw new Error(`not an OID: ${dotted}`)
  const values = [arcs[0]! * 40n + arcs[1]!, ...arcs.slice(2)]
  const bytes: number[] = []
  for (const v of values) {
    const chunk: number[] = [Number(v & 0x7fn)]
    for (let rest = v >> 7n; rest > 0n; rest >>= 7n) chunk.unshift(Number(rest & 0x7fn) | 0x80)
    bytes.push(...chunk)
  }
  out = tlv(0x06, Buffer.from(bytes))
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

/** UTCTime for 1950–2049, GeneralizedTime otherwise (RFC 5280 §4.1.2.5), to whole seconds, in UTC. */
export function time(date: Date): Buffer {
  const iso = date.toISOString() // YYYY-MM-DDTHH:MM:SS.sssZ
  const digits = iso.slice(0, 19).replace(/[-:T]/g, '')
  const year = date.getUTCFullYear()
  if (year >= 1950 && year < 2050) return tlv(0x17, Buffer.from(`${digits.slice(2)}Z`, 'ascii'))
  return tlv(0x18, Buffer.from(`${digits}Z`, 'ascii'))
}
