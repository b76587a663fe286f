/**
 * A minimal DER reader: just enough to pull the fields node:crypto's X509Certificate does not
 * expose on Node 20 (the signature algorithm). Bounds-checked; throws on malformed input.
 */
export interface Tlv {
  tag: number
  /** Offset of the value inside the buffer. */
  start: number
  /** Offset just past the value. */
  end: number
}

export function readTlv(buf: Uint8Array, offset: number): Tlv {
  if (offset + 2 > buf.length) throw new Error('DER: truncated')
  const tag = buf[offset]!
  let len = buf[offset + 1]!
  let p = offset + 2
  if (len & 0x80) {
    const n = len & 0x7f
    if (n === 0 || n > 4 || p + n > buf.length) throw new Error('DER: bad length')
    len = 0
    for (let i = 0; i < n; i++) len = len * 256 + buf[p + i]!
    p += n
  }
  if (p + len > buf.length) throw new Error('DER: truncated value')
  return {tag, start: p, end: p + len}
}

/** The TLVs directly inside a constructed value. */
export function children(buf: Uint8Array, parent: Tlv): Tlv[] {
  const out: Tlv[] = []
  let p = parent.start
  while (p < parent.end) {
    const t = readTlv(buf, p)
    out.push(t)
    p = t.end
  }
  return out
}

/** Decodes an OBJECT IDENTIFIER value to dotted form. */
export function decodeOid(buf: Uint8Array, t: Tlv): string {
  if (t.tag !== 0x06) throw new Error('DER: not an OID')
  const parts: number[] = []
  let value = 0
  for (let i = t.start; i < t.end; i++) {
    const b = buf[i]!
    value = value * 128 + (b & 0x7f)
    if (!(b & 0x80)) {
      if (parts.length === 0) parts.push(value < 80 ? Math.floor(value / 40) : 2, value < 80 ? value % 40 : value - 80)
      else parts.push(value)
      value = 0
    }
  }
  return parts.join('.')
}
