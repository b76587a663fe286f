/**
 * XML property lists for profiles, in the shape Apple's tools write: the XML declaration, Apple's
 * DOCTYPE, `<plist version="1.0">`, two-space indentation, an empty string, key or data as
 * `<string/>`. Written directly as text: every string and key is checked for characters XML 1.0
 * cannot carry (xml-text.ts) and escapes & < > " ' as entities. The bytes are exactly those
 * fast-xml-parser's XMLBuilder writes for the same tree (the writer used before, kept as the oracle
 * of a property test); Python's plistlib and the `plist` package read back exactly what was written.
 *
 * Type mapping: string → <string>, integer → <integer>, other numbers → <real>, boolean →
 * <true/>/<false/>, Buffer/Uint8Array → <data> (base64), Date → <date> (UTC, whole seconds),
 * array → <array>, object → <dict> in insertion order (callers sort the keys).
 *
 * A template (`plistTemplate`) is a document with holes: what is the same in thousands of profiles
 * (certificate payloads with their base64 text, the organization's keys) is written once, and
 * `fillPlistTemplate` writes only the values that differ. A byte template (`plistByteTemplate`,
 * `fillPlistBytes`) keeps the text around its holes as UTF-8 bytes, and its holes may be whole
 * dictionary entries (`PLIST_ENTRY_SLOT`: the key and its value, or nothing for an absent value), so
 * a per-user profile is written as one buffer without encoding its fixed text again.
 */
import {assertXmlTree, isXmlText} from './xml-text.js'

const HEADER = '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">\n'
const OPEN = '<plist version="1.0">'
const CLOSE = '\n</plist>\n'

const NEEDS_ENTITY = /[&<>"']/
const ENTITY_CHARS = /[&<>"']/g
const ENTITIES: Record<string, string> = {'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;'}
const entity = (c: string): string => ENTITIES[c]!

/** Marks a hole in a template (see plistTemplate). */
export const PLIST_SLOT: unique symbol = Symbol('plist slot')
/** As a dictionary value: the whole entry (key and value) is a hole, left out when filled with undefined or null. */
export const PLIST_ENTRY_SLOT: unique symbol = Symbol('plist entry slot')

/** Why the fast writer stopped; buildPlistXml then finds the exact error (which string, which value). */
class Refused extends Error {}

function escaped(text: string): string {
  if (!isXmlText(text)) throw new Refused()
  return NEEDS_ENTITY.test(text) ? text.replace(ENTITY_CHARS, entity) : text
}

function element(tag: string, text: string, indent: string): string {
  return text === '' ? `${indent}<${tag}/>` : `${indent}<${tag}>${text}</${tag}>`
}

function container(tag: string, children: string, indent: string): string {
  return children === '' ? `${indent}<${tag}/>` : `${indent}<${tag}>${children}${indent}</${tag}>`
}

interface Slots {
  indents: string[]
  /** Per hole: the escaped key of an entry hole, undefined for a value hole. */
  keys: Array<string | undefined>
}

/** One value as plist XML, each element on its own line starting with `indent` (a newline and spaces). */
function write(value: unknown, where: string, indent: string, slots?: Slots): string {
  if (typeof value === 'string') return element('string', escaped(value), indent)
  if (typeof value === 'boolean') return value ? `${indent}<true/>` : `${indent}<false/>`
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`${where}: a plist cannot hold ${value}`)
    return element(Number.isInteger(value) ? 'integer' : 'real', String(value), indent)
  }
  if (value instanceof Uint8Array) return element('data', Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64'), indent)
  if (value instanceof Date) return element('date', value.toISOString().replace(/\.\d{3}Z$/, 'Z'), indent)
  const inner = `${indent}  `
  if (Array.isArray(value)) {
    let children = ''
    for (let i = 0; i < value.length; i++) children += write(value[i], `${where}[${i}]`, inner, slots)
    return container('array', children, indent)
  }
  if (value === PLIST_SLOT && slots) {
    slots.indents.push(indent)
    slots.keys.push(undefined)
    return '\u0000'
  }
  if (value && typeof value === 'object') {
    let children = ''
    const record = value as Record<string, unknown>
    for (const k in record) {
      if (!Object.hasOwn(record, k)) continue
      const key = escaped(k)
      const v = record[k]
      if (v === undefined || v === null) continue
      if (v === PLIST_ENTRY_SLOT && slots) {
        slots.indents.push(inner)
        slots.keys.push(key)
        children += '\u0000'
        continue
      }
      children += element('key', key, inner) + write(v, where === '' ? k : `${where}.${k}`, inner, slots)
    }
    return container('dict', children, indent)
  }
  throw new Error(`${where}: a plist cannot hold ${typeof value}`)
}

/** Runs the fast writer; when it refuses, the error is the one a check of the whole tree gives first. */
function writeChecked<T>(value: unknown, field: string, run: () => T): T {
  try {
    return run()
  } catch (error) {
    assertXmlTree(value, field)
    if (error instanceof Refused) throw new Error(`${field}: not XML text`)
    throw error
  }
}

/** Serializes a value as an XML plist document (UTF-8 text, trailing newline). */
export function buildPlistXml(value: unknown, field = 'plist'): string {
  return writeChecked(value, field, () => HEADER + OPEN + write(value, field, '\n  ') + CLOSE)
}

/** A document written once with holes: the text around them and each hole's indentation. */
export interface PlistTemplate {
  readonly parts: readonly string[]
  readonly indents: readonly string[]
}

/**
 * The document `value` gives, with every value that is PLIST_SLOT left as a hole. Filling the holes
 * with values gives exactly the bytes buildPlistXml writes for the tree holding those values.
 */
export function plistTemplate(value: unknown, field = 'plist'): PlistTemplate {
  const slots: Slots = {indents: [], keys: []}
  const text = writeChecked(value, field, () => HEADER + OPEN + write(value, field, '\n  ', slots) + CLOSE)
  const parts = text.split('\u0000')
  if (parts.length !== slots.indents.length + 1) throw new Error(`${field}: a template value holds U+0000`)
  if (slots.keys.some((k) => k !== undefined)) throw new Error(`${field}: entry holes need a byte template (plistByteTemplate)`)
  return {parts, indents: slots.indents}
}

/**
 * The template's document with its holes filled by `values` (in document order). Throws when a
 * value cannot be written (a character XML cannot carry, NaN, …): the caller then writes the whole
 * tree with buildPlistXml, which names the exact problem.
 */
export function fillPlistTemplate(template: PlistTemplate, values: readonly unknown[], field = 'plist'): string {
  const {parts, indents} = template
  if (values.length !== indents.length) throw new Error(`${field}: ${values.length} values for ${indents.length} holes`)
  let text = parts[0]!
  for (let i = 0; i < indents.length; i++) text += write(values[i], field, indents[i]!) + parts[i + 1]!
  return text
}

/** A template whose fixed text is UTF-8 bytes, with value holes (PLIST_SLOT) and entry holes (PLIST_ENTRY_SLOT). */
export interface PlistByteTemplate {
  readonly parts: readonly Buffer[]
  readonly indents: readonly string[]
  readonly keys: ReadonlyArray<string | undefined>
  /** Bytes of all parts. */
  readonly fixedSize: number
}

/** As plistTemplate, with the text around the holes kept as UTF-8 bytes, and entry holes allowed. */
export function plistByteTemplate(value: unknown, field = 'plist'): PlistByteTemplate {
  const slots: Slots = {indents: [], keys: []}
  const text = writeChecked(value, field, () => HEADER + OPEN + write(value, field, '\n  ', slots) + CLOSE)
  const parts = text.split('\u0000').map((part) => Buffer.from(part, 'utf8'))
  if (parts.length !== slots.indents.length + 1) throw new Error(`${field}: a template value holds U+0000`)
  return {parts, indents: slots.indents, keys: slots.keys, fixedSize: parts.reduce((n, p) => n + p.length, 0)}
}

/**
 * The bytes of the template's document with its holes filled by `values` (document order): exactly
 * the UTF-8 of what buildPlistXml writes for the tree holding those values (an entry hole filled with
 * undefined or null: the tree without that key). Throws, as fillPlistTemplate does, when a value
 * cannot be written.
 */
export function fillPlistBytes(template: PlistByteTemplate, values: readonly unknown[], field = 'plist'): Buffer {
  const {parts, indents, keys} = template
  if (values.length !== indents.length) throw new Error(`${field}: ${values.length} values for ${indents.length} holes`)
  const texts: string[] = new Array<string>(values.length)
  let size = template.fixedSize
  for (let i = 0; i < values.length; i++) {
    const value = values[i]
    const key = keys[i]
    const indent = indents[i]!
    const text = key === undefined ? write(value, field, indent) : value === undefined || value === null ? '' : element('key', key, indent) + write(value, field, indent)
    texts[i] = text
    size += Buffer.byteLength(text, 'utf8')
  }
  const out = Buffer.allocUnsafe(size)
  let at = parts[0]!.copy(out, 0)
  for (let i = 0; i < texts.length; i++) {
    at += out.write(texts[i]!, at, 'utf8')
    at += parts[i + 1]!.copy(out, at)
  }
  if (at !== size) throw new Error(`mailprofile bug: ${field}: template sizes do not add up`)
  return out
}
