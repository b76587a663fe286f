/**
 * What XML 1.0 can carry (§2.2 Char): tab, LF, CR, U+0020–U+D7FF, U+E000–U+FFFD, U+10000–U+10FFFF.
 * Anything else (C0 controls, lone surrogates, U+FFFE, U+FFFF) makes every XML parser reject the
 * whole document, so such values are refused before any XML or plist is written.
 */
import {InputError} from '../errors.js'
import type {SourceLocation} from '../findings.js'

const NOT_XML_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u

/** Whether every character of `value` is one XML 1.0 can carry (the check on every string a writer emits). */
export function isXmlText(value: string): boolean {
  return !NOT_XML_CHAR.test(value)
}

/** The first character XML 1.0 cannot carry, as `U+XXXX` with its index, or undefined. */
export function findXmlInvalidCharacter(value: string): {codePoint: string; index: number} | undefined {
  const m = NOT_XML_CHAR.exec(value)
  if (!m) return undefined
  return {codePoint: `U+${m[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`, index: m.index}
}

/** Throws an InputError naming the field when `value` holds a character XML 1.0 cannot carry. */
export function assertXmlText(value: string, field: string, location?: SourceLocation): string {
  const bad = findXmlInvalidCharacter(value)
  if (bad) throw new InputError(`${field} holds ${bad.codePoint} at position ${bad.index + 1}, a character XML 1.0 cannot carry`, location)
  return value
}

/** Checks every string inside a JSON-like value (plist objects, XML builder input); `field` names the root. */
export function assertXmlTree(value: unknown, field: string, location?: SourceLocation): void {
  if (typeof value === 'string') assertXmlText(value, field, location)
  else if (Array.isArray(value)) value.forEach((v, i) => assertXmlTree(v, `${field}[${i}]`, location))
  else if (value && typeof value === 'object' && !(value instanceof Uint8Array) && !(value instanceof Date)) {
    for (const [k, v] of Object.entries(value)) {
      assertXmlText(k, `${field} key`, location)
      assertXmlTree(v, `${field}.${k}`, location)
    }
  }
}
