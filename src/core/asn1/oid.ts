/** Decodes the value bytes of an ASN.1 OBJECT IDENTIFIER (buf[start..end)) to dotted form. */
export function decodeOidValue(buf: Uint8Array, start: number, end: number): string {
  const parts: number[] = []
  let value = 0
  for (let i = start; i < end; i++) {
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
