/**
 * A small BER reader for CMS: definite and indefinite lengths (OpenSSL's `smime -sign` and other
 * streaming signers write indefinite-length constructed values), bounded nesting, every offset
 * checked. Throws BerError on malformed input.
 */
import {decodeOidValue} from '../asn1/oid.js'

export class BerError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'BerError'
  }
}

export interface BerNode {
  /** The identifier octet (single-byte tags only: CMS needs no others). */
  tag: number
  constructed: boolean
  /** Offset of the first identifier octet. */
  offset: number
  /** Offset of the value's first byte. */
  start: number
  /** Offset just past the value (before the end-of-contents octets of an indefinite length). */
  end: number
  /** Offset just past the whole element. */
  next: number
  /** Children of a constructed value (parsed eagerly). */
  children: BerNode[]
}

const MAX_DEPTH = 64

export function readNode(buf: Uint8Array, offset: number, depth = 0, limit = buf.length): BerNode {
  if (depth > MAX_DEPTH) throw new BerError('nesting too deep')
  if (offset + 2 > limit) throw new BerError('truncated')
  const tag = buf[offset]!
  if ((tag & 0x1f) === 0x1f) throw new BerError('multi-byte tags are not supported')
  const constructed = (tag & 0x20) !== 0
  let p = offset + 1
  const first = buf[p++]!
  if (first === 0x80) {
    if (!constructed) throw new BerError('indefinite length on a primitive value')
    const children: BerNode[] = []
    for (;;) {
      if (p + 2 > limit) throw new BerError('truncated (missing end-of-contents)')
      if (buf[p] === 0 && buf[p + 1] === 0) break
      const child = readNode(buf, p, depth + 1, limit)
      children.push(child)
      p = child.next
    }
    return {tag, constructed, offset, start: offset + 2, end: p, next: p + 2, children}
  }
  let length = first
  if (first & 0x80) {
    const n = first & 0x7f
    if (n > 4) throw new BerError('length too large')
    if (p + n > limit) throw new BerError('truncated length')
    length = 0
    for (let i = 0; i < n; i++) length = length * 256 + buf[p + i]!
    p += n
  }
  const start = p
  const end = start + length
  if (end > limit) throw new BerError('truncated value')
  const children: BerNode[] = []
  if (constructed) {
    let q = start
    while (q < end) {
      const child = readNode(buf, q, depth + 1, end)
      children.push(child)
      q = child.next
    }
  }
  return {tag, constructed, offset, start, end, next: end, children}
}

/** The complete encoding of a node (identifier, length, value). */
export function encodingOf(buf: Buffer, node: BerNode): Buffer {
  return buf.subarray(node.offset, node.next)
}

/** The value bytes of a primitive node, or the concatenated pieces of a constructed OCTET STRING. */
export function octets(buf: Buffer, node: BerNode): Buffer {
  if (!node.constructed) return buf.subarray(node.start, node.end)
  return Buffer.concat(node.children.map((c) => octets(buf, c)))
}

export function decodeOid(buf: Buffer, node: BerNode): string {
  if (node.tag !== 0x06) throw new BerError('expected an OBJECT IDENTIFIER')
  return decodeOidValue(buf, node.start, node.end)
}

/** Expects a node with the given tag; returns it. */
export function expect(node: BerNode | undefined, tag: number, what: string): BerNode {
  if (!node || node.tag !== tag) throw new BerError(`expected ${what}`)
  return node
}
