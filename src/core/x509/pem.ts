/**
 * PEM unwrapping (RFC 7468) for certificates and CMS signatures. Hand-written with indexOf rather
 * than a regular expression: the input is anyone's file, and a lazy `BEGIN([\s\S]*?)END` pattern is
 * quadratic on many BEGIN lines without an END (20,000 of them took 20 s). Each marker here is
 * searched for once per position at most, so unwrapping is linear in the input. The one PEM
 * unwrapping of the project: certificate files, CMS signatures and profiles' certificate payloads.
 */
/** RFC 7468 labels as found in the wild: upper-case letters, digits and spaces. */
const isLabelChar = (c: number): boolean => (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c === 0x20

/**
 * The next `-----<kind> <label>-----` at or after `from` whose label is in `labels` (any label
 * when `labels` is 'any'): where it starts and where it ends. A label is a run of label
 * characters, which never contain the `-` every marker starts with, so runs of successive
 * candidates never overlap and one search reads each character of the text at most twice.
 */
function nextMarker(text: string, kind: 'BEGIN' | 'END', labels: ReadonlySet<string> | 'any', from: number): {start: number; end: number} | undefined {
  const prefix = `-----${kind} `
  for (let at = text.indexOf(prefix, from); at !== -1; at = text.indexOf(prefix, at + 1)) {
    let i = at + prefix.length
    while (i < text.length && isLabelChar(text.charCodeAt(i))) i++
    if (i === at + prefix.length || !text.startsWith('-----', i)) continue
    if (labels === 'any' || labels.has(text.slice(at + prefix.length, i))) return {start: at, end: i + 5}
  }
  return undefined
}

/**
 * The bodies of the PEM blocks in `text` whose label is one of `labels` ('any': any label), in
 * order: from each `-----BEGIN <label>-----` to the next `-----END <label>-----` of any of the
 * labels, as written (line breaks included). A BEGIN without an END ends the search; `limit`
 * stops after that many. Every search starts where the last one ended: linear in the text.
 */
export function pemBodies(text: string, labels: readonly string[] | 'any', limit = Infinity): string[] {
  const wanted = labels === 'any' ? 'any' : new Set(labels)
  const out: string[] = []
  for (let at = 0; out.length < limit; ) {
    const begin = nextMarker(text, 'BEGIN', wanted, at)
    if (!begin) break
    const end = nextMarker(text, 'END', wanted, begin.end)
    if (!end) break
    out.push(text.slice(begin.end, end.start))
    at = end.end
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

