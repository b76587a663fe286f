/**
 * Bounded, printable excerpts of what a server sent, for finding messages: control characters and
 * non-ASCII bytes are escaped (\r, \n, \t, \xNN) and long text is cut with an ellipsis.
 */
export const EXCERPT_MAX = 120

export function excerpt(data: string | Buffer, max = EXCERPT_MAX): string {
  const text = typeof data === 'string' ? data : data.toString('latin1', 0, Math.min(data.length, max * 4))
  let out = ''
  let count = 0
  for (const ch of text) {
    if (count >= max) return out + '…'
    const code = ch.codePointAt(0)!
    if (ch === '\r') out += '\\r'
    else if (ch === '\n') out += '\\n'
    else if (ch === '\t') out += '\\t'
    else if (ch === '\\') out += '\\\\'
    else if (code < 0x20 || code === 0x7f || code > 0x7e) out += code > 0xff ? '?' : `\\x${code.toString(16).padStart(2, '0')}`
    else out += ch
    count++
  }
  return text.length > count ? out + '…' : out
}
