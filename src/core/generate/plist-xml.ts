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
 * `fillPlistTemplate` writes only the values that differ.
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
  const slots: Slots = {indents: []}
  const text = writeChecked(value, field, () => HEADER + OPEN + write(value, field, '\n  ', slots) + CLOSE)
  const parts = text.split('\u0000')
  if (parts.length !== slots.indents.length + 1) throw new Error(`${field}: a template value holds U+0000`)
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
