/**
 * XML property lists for profiles, written by fast-xml-parser's XMLBuilder (which escapes every
 * value) in the shape Apple's tools write: the XML declaration, Apple's DOCTYPE, `<plist
 * version="1.0">`, two-space indentation. It replaces the `plist` package's builder for writing
 * (that one goes through xmlbuilder and costs about 3× as much per profile, which matters for
 * 10,000 per-user profiles); `plist` still parses, and tests check that Python's plistlib and
 * `plist` read back exactly what was written.
 *
 * Type mapping: string → <string>, integer → <integer>, other numbers → <real>, boolean →
 * <true/>/<false/>, Buffer/Uint8Array → <data> (base64), Date → <date> (UTC, whole seconds),
 * array → <array>, object → <dict> in insertion order (callers sort the keys).
 */
import {XMLBuilder} from 'fast-xml-parser'

import {assertXmlTree} from './xml-text.js'

const HEADER = '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">\n'

type XmlNode = Record<string, unknown>

let builder: XMLBuilder | undefined

// Object literals with fixed keys (not computed ones): V8 gives them fast shapes; this runs ~60 times per profile.
const TEXT_NODES: Record<string, (v: string) => XmlNode> = {
  string: (v) => ({string: [{'#text': v}]}),
  key: (v) => ({key: [{'#text': v}]}),
  integer: (v) => ({integer: [{'#text': v}]}),
  real: (v) => ({real: [{'#text': v}]}),
  data: (v) => ({data: [{'#text': v}]}),
  date: (v) => ({date: [{'#text': v}]}),
}
const TRUE_NODE = (): XmlNode => ({true: []})
const FALSE_NODE = (): XmlNode => ({false: []})

function text(tag: keyof typeof TEXT_NODES, value: string): XmlNode {
  return TEXT_NODES[tag]!(value)
}

function toNode(value: unknown, where: string): XmlNode {
  if (typeof value === 'string') return text('string', value)
  if (typeof value === 'boolean') return value ? TRUE_NODE() : FALSE_NODE()
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`${where}: a plist cannot hold ${value}`)
    return text(Number.isInteger(value) ? 'integer' : 'real', String(value))
  }
  if (value instanceof Uint8Array) return text('data', Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64'))
  if (value instanceof Date) return text('date', value.toISOString().replace(/\.\d{3}Z$/, 'Z'))
  if (Array.isArray(value)) return {array: value.map((v, i) => toNode(v, `${where}[${i}]`))}
  if (value && typeof value === 'object') {
    const children: XmlNode[] = []
    const record = value as Record<string, unknown>
    for (const k in record) {
      const v = record[k]
      if (v === undefined || v === null || !Object.hasOwn(record, k)) continue
      children.push({key: [{'#text': k}]}, toNode(v, where === '' ? k : `${where}.${k}`))
    }
    return {dict: children}
  }
  throw new Error(`${where}: a plist cannot hold ${typeof value}`)
}

/** Serializes a value as an XML plist document (UTF-8 text, trailing newline). */
export function buildPlistXml(value: unknown, field = 'plist'): string {
  assertXmlTree(value, field)
  builder ??= new XMLBuilder({preserveOrder: true, format: true, indentBy: '  ', suppressEmptyNode: true, ignoreAttributes: false, attributeNamePrefix: '@_'})
  const body = builder.build([{plist: [toNode(value, field)], ':@': {'@_version': '1.0'}}]) as string
  return HEADER + (body.startsWith('\n') ? body.slice(1) : body) + (body.endsWith('\n') ? '' : '\n')
}
