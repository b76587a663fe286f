/**
 * OBJECT IDENTIFIER encoding (X.690 §8.19): dotted text ↔ the value octets. Arcs of any size
 * (UUID-based OIDs under 2.25 have 128-bit arcs) are kept exact.
 */
import {Asn1Error, type Asn1Node} from './reader.js'

/** Decodes the value bytes of an OBJECT IDENTIFIER (buf[start..end)) to dotted form. */
export function decodeOidValue(buf: Uint8Array, start: number, end: number): string {
  const parts: string[] = []
  let value = 0
  let big: bigint | undefined
  for (let i = start; i < end; i++) {
    const b = buf[i]!
    if (big !== undefined) big = big * 128n + BigInt(b & 0x7f)
    else if (value >= 2 ** 45) big = BigInt(value) * 128n + BigInt(b & 0x7f)
    else value = value * 128 + (b & 0x7f)
    if (!(b & 0x80)) {
      if (parts.length === 0) {
        if (big !== undefined) parts.push('2', String(big - 80n))
        else parts.push(String(value < 80 ? Math.floor(value / 40) : 2), String(value < 80 ? value % 40 : value - 80))
      } else parts.push(String(big ?? value))
      value = 0
      big = undefined
    }
  }
  return parts.join('.')
}

/** The dotted form of an OBJECT IDENTIFIER node. */
export function decodeOid(node: Asn1Node): string {
  if (node.tag !== 0x06) throw new Asn1Error('expected an OBJECT IDENTIFIER')
  return decodeOidValue(node.buf, node.start, node.end)
}

/** The value octets of an OBJECT IDENTIFIER given in dotted form. Throws on anything else. */
export function encodeOidValue(dotted: string): Buffer {
  const arcs = dotted.split('.').map((a) => {
    if (!/^\d+$/.test(a)) throw new Error(`not an OID: ${dotted}`)
    return BigInt(a)
  })
  if (arcs.length < 2 || arcs[0]! > 2n || (arcs[0]! < 2n && arcs[1]! >= 40n)) throw new Error(`not an OID: ${dotted}`)
  const values = [arcs[0]! * 40n + arcs[1]!, ...arcs.slice(2)]
  const bytes: number[] = []
  for (const v of values) {
    const chunk: number[] = [Number(v & 0x7fn)]
    for (let rest = v >> 7n; rest > 0n; rest >>= 7n) chunk.unshift(Number(rest & 0x7fn) | 0x80)
    for (const c of chunk) bytes.push(c)
  }
  return Buffer.from(bytes)
}
