/**
 * A parsed profile as the checks see it: the root dictionary, its payloads, and how messages name
 * a payload or a JSON pointer into it (`PayloadContent[1] (com.apple.mail.managed "Work") key X`).
 */
export type Dict = Record<string, unknown>

export const isDict = (v: unknown): v is Dict => v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Uint8Array) && !(v instanceof Date)

export const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined)

/** The PayloadContent array of a profile (empty when absent or not an array). */
export function payloadsOf(profile: Dict): unknown[] {
  return Array.isArray(profile.PayloadContent) ? profile.PayloadContent : []
}

/** Payload label for messages: `PayloadContent[1] (com.apple.mail.managed "Work")`. */
export function payloadLabel(payloads: readonly unknown[], index: number): string {
  const p = payloads[index]
  const type = isDict(p) ? str(p.PayloadType) : undefined
  const name = isDict(p) ? str(p.PayloadDisplayName) : undefined
  return `PayloadContent[${index}]${type ? ` (${type}${name ? ` "${name}"` : ''})` : ''}`
}

/** The segments of a JSON pointer, unescaped. */
export function pointerSegments(pointer: string): string[] {
  return pointer
    .split('/')
    .slice(1)
    .map((p) => p.replaceAll('~1', '/').replaceAll('~0', '~'))
}

/** Where a JSON pointer points, in words: `PayloadContent[1] (…) key IncomingMailServerPortNumber`, or `top-level key X`. */
export function describePointer(pointer: string, payloads: readonly unknown[]): string {
  const parts = pointerSegments(pointer)
  if (parts[0] === 'PayloadContent' && parts.length >= 2 && /^\d+$/.test(parts[1]!)) {
    const rest = parts.slice(2)
    return `${payloadLabel(payloads, Number(parts[1]))}${rest.length ? ` key ${rest.join('.')}` : ''}`
  }
  return parts.length ? `top-level key ${parts.join('.')}` : 'the top level'
}
