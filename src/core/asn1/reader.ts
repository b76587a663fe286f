/**
 * The ASN.1 reader (X.690): BER, and DER as its strict subset, for certificates, CMS SignedData
 * and PKCS#12 pieces. It is hand-written rather than taken from node-forge for two reasons:
 * - hostile input: profiles, their signatures and the certificates servers send come from anyone.
 *   Every offset is checked against the enclosing element (a child never reaches past its parent),
 *   lengths have at most 4 octets, nesting is bounded (MAX_DEPTH), indefinite lengths are allowed
 *   only on constructed values, and every error is an Asn1Error the callers turn into a finding;
 * - speed: nodes are offsets into the caller's buffer (no copies, no binary strings), and the
 *   children of a definite-length value are read only when asked for, so pulling one field out of
 *   a certificate reads a handful of headers, not the whole tree.
 * It is tested against node-forge's asn1 and `openssl asn1parse` on real certificates and CMS
 * signatures (test/core/asn1/reader.test.ts).
 *
 * BER from streaming signers (`openssl cms -sign -stream`): indefinite lengths end with the
 * end-of-contents octets 00 00, and an OCTET STRING may be constructed from segments; `octets()`
 * concatenates them. `{der: true}` refuses indefinite lengths, for structures that must be DER.
 */

export class Asn1Error extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'Asn1Error'
  }
}

/** Deeper nesting than any certificate or CMS structure has; bounds the reader's recursion. */
export const MAX_DEPTH = 64

export interface ReadOptions {
  /** Where the enclosing element ends (default: the end of the buffer). */
  limit?: number
  /** Refuse indefinite lengths (DER). */
  der?: boolean
}

export class Asn1Node {
  #children: Asn1Node[] | undefined

  constructor(
    readonly buf: Uint8Array,
    /** The identifier octet (single-byte tags only: certificates and CMS need no others). */
    readonly tag: number,
    readonly constructed: boolean,
    /** Offset of the identifier octet. */
    readonly offset: number,
    /** Offset of the value's first byte. */
    readonly start: number,
    /** Offset just past the value (before the end-of-contents octets of an indefinite length). */
    readonly end: number,
    /** Offset just past the whole element. */
    readonly next: number,
    private readonly depth: number,
    private readonly der: boolean,
    children?: Asn1Node[],
  ) {
    this.#children = children
  }

  /** The elements inside a constructed value (empty for a primitive one), read on first use. */
  get children(): Asn1Node[] {
    if (!this.#children) this.#children = this.constructed ? readChildren(this.buf, this.start, this.end, this.depth + 1, this.der) : []
    return this.#children
  }

  /** The value bytes (a view, not a copy). */
  get value(): Buffer {
    return view(this.buf, this.start, this.end)
  }

  /** The complete encoding: identifier, length, value (a view, not a copy). */
  get encoding(): Buffer {
    return view(this.buf, this.offset, this.next)
  }
}

function view(buf: Uint8Array, start: number, end: number): Buffer {
  return Buffer.from(buf.buffer, buf.byteOffset + start, end - start)
}

function readChildren(buf: Uint8Array, start: number, end: number, depth: number, der: boolean): Asn1Node[] {
  const out: Asn1Node[] = []
  for (let p = start; p < end; ) {
    const child = readAt(buf, p, end, depth, der)
    out.push(child)
    p = child.next
  }
  return out
}

function readAt(buf: Uint8Array, offset: number, limit: number, depth: number, der: boolean): Asn1Node {
  if (depth > MAX_DEPTH) throw new Asn1Error('nesting too deep')
  if (offset + 2 > limit) throw new Asn1Error('truncated')
  const tag = buf[offset]!
  if ((tag & 0x1f) === 0x1f) throw new Asn1Error('multi-byte tags are not supported')
  const constructed = (tag & 0x20) !== 0
  let p = offset + 1
  const first = buf[p++]!
  if (first === 0x80) {
    if (der) throw new Asn1Error('indefinite length in DER')
    if (!constructed) throw new Asn1Error('indefinite length on a primitive value')
    const children: Asn1Node[] = []
    for (;;) {
      if (p + 2 > limit) throw new Asn1Error('truncated (missing end-of-contents)')
      if (buf[p] === 0 && buf[p + 1] === 0) break
      const child = readAt(buf, p, limit, depth + 1, der)
      children.push(child)
      p = child.next
    }
    return new Asn1Node(buf, tag, constructed, offset, offset + 2, p, p + 2, depth, der, children)
  }
  let length = first
  if (first & 0x80) {
    const n = first & 0x7f
    if (n > 4) throw new Asn1Error('length too large')
    if (p + n > limit) throw new Asn1Error('truncated length')
    length = 0
    for (let i = 0; i < n; i++) length = length * 256 + buf[p + i]!
    p += n
  }
  const end = p + length
  if (end > limit) throw new Asn1Error('truncated value')
  return new Asn1Node(buf, tag, constructed, offset, p, end, end, depth, der)
}

/** The element at `offset` (default 0). Trailing bytes after it are the caller's concern. */
export function read(buf: Uint8Array, offset = 0, options: ReadOptions = {}): Asn1Node {
  return readAt(buf, offset, options.limit ?? buf.length, 0, options.der ?? false)
}

/** The element encoded inside a primitive value (an extension's OCTET STRING, a BIT STRING's key). */
export function readInside(node: Asn1Node, options: {der?: boolean} = {}): Asn1Node {
  return read(node.buf, node.start, {limit: node.end, der: options.der})
}

/** Reads every element below `node`, so that a malformed one anywhere fails now, not when first used. */
export function readAll(node: Asn1Node): Asn1Node {
  const pending = [node]
  for (let n = pending.pop(); n; n = pending.pop()) for (const c of n.children) pending.push(c)
  return node
}

/** The node, when it has the given tag; an Asn1Error "expected <what>" otherwise. */
export function expectTag(node: Asn1Node | undefined, tag: number, what: string): Asn1Node {
  if (!node || node.tag !== tag) throw new Asn1Error(`expected ${what}`)
  return node
}

/** The bytes of an OCTET STRING: its value, or the concatenated segments of a constructed one (BER). */
export function octets(node: Asn1Node): Buffer {
  if (!node.constructed) return node.value
  const parts: Buffer[] = []
  const pending = [...node.children].reverse()
  for (let n = pending.pop(); n; n = pending.pop()) {
    if (n.tag !== 0x04 && n.tag !== 0x24) throw new Asn1Error('a constructed OCTET STRING holds something else')
    if (n.constructed) for (let i = n.children.length - 1; i >= 0; i--) pending.push(n.children[i]!)
    else parts.push(n.value)
  }
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts)
}
