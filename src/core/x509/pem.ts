/**
 * PEM unwrapping (RFC 7468) for certificates and CMS signatures. Hand-written with indexOf rather
 * than a regular expression: the input is anyone's file, and a lazy `BEGIN([\s\S]*?)END` pattern is
 * quadratic on many BEGIN lines without an END (20,000 of them took 20 s). Each marker here is
 * searched for once per position at most, so unwrapping is linear in the input.
 */
/**
 * The bodies of the PEM blocks in `text` whose label is one of `labels`, in order: from each
 * `-----BEGIN <label>-----` to the next `-----END <label>-----` of any of the labels, as written
 * (line breaks included). A BEGIN without an END ends the search; `limit` stops after that many.
 */
export function pemBodies(text: string, labels: readonly string[], limit = Infinity): string[] {
  const begins = labels.map((l) => `-----BEGIN ${l}-----`)
  const ends = labels.map((l) => `-----END ${l}-----`)
  // The next occurrence of each marker at or after the last search start (-1: none left).
  const nextBegin = begins.map(() => -2)
  const nextEnd = ends.map(() => -2)
  const earliest = (markers: string[], next: number[], from: number): [number, number] => {
    let best = -1
    let which = -1
    for (let i = 0; i < markers.length; i++) {
      if (next[i] !== -1 && next[i]! < from) next[i] = text.indexOf(markers[i]!, from)
      if (next[i] !== -1 && (best === -1 || next[i]! < best)) [best, which] = [next[i]!, i]
    }
    return [best, which]
  }
  const out: string[] = []
  for (let at = 0; out.length < limit; ) {
    const [begin, label] = earliest(begins, nextBegin, at)
    if (begin === -1) break
    const bodyStart = begin + begins[label]!.length
    const [end, endLabel] = earliest(ends, nextEnd, bodyStart)
    if (end === -1) break
    out.push(text.slice(bodyStart, end))
    at = end + ends[endLabel]!.length
  }
  return out
}

/**
 * The DER certificates in a PEM bundle or a single DER file. Returns an empty list when the
 * bytes hold no certificate (the caller reports that); reading errors propagate.
 */
export function certificatesFromBytes(bytes: Buffer): Buffer[] {
  const text = bytes.toString('latin1')
  if (text.includes('-----BEGIN')) return pemBodies(text, ['CERTIFICATE']).map((body) => Buffer.from(body.replace(/[^A-Za-z0-9+/=]/g, ''), 'base64'))
  // DER: a certificate starts with SEQUENCE (0x30) and a long-form length.
  return bytes.length > 4 && bytes[0] === 0x30 ? [bytes] : []
}

