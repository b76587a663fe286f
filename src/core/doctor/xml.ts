/**
 * The one XML reader doctor uses for what servers publish (autoconfig, Autodiscover POX): a
 * document with a DOCTYPE or ENTITY declaration is refused before the parser sees it (nothing is
 * ever declared, expanded or fetched), the parser does not process entities, nesting is capped,
 * and the document must be well-formed (fast-xml-parser's validator). Namespace prefixes are
 * dropped (Autodiscover answers use several).
 */
import {XMLParser, XMLValidator} from 'fast-xml-parser'

const MAX_DEPTH = 32

export type XmlRead = {ok: true; doc: Record<string, unknown>} | {ok: false; reason: string}

const ARRAYS = new Set(['emailProvider', 'incomingServer', 'outgoingServer', 'authentication', 'Protocol', 'Account'])

let parser: XMLParser | undefined

function depthOk(text: string): boolean {
  let depth = 0
  for (const m of text.matchAll(/<(\/?)[A-Za-z_][^>]*?(\/?)>/g)) {
    if (m[1]) depth--
    else if (!m[2]) depth++
    if (depth > MAX_DEPTH) return false
  }
  return true
}

export function readXml(body: Buffer): XmlRead {
  const text = body.toString('utf8').replace(/^\uFEFF/, '')
  if (!/^\s*</.test(text)) return {ok: false, reason: 'not XML'}
  if (/<!(DOCTYPE|ENTITY)/i.test(text)) {
    if (/<!DOCTYPE\s+html/i.test(text)) return {ok: false, reason: 'an HTML page'}
    return {ok: false, reason: 'XML with a DOCTYPE (refused, never expanded)'}
  }
  if (/<html[\s>]/i.test(text.slice(0, 2048))) return {ok: false, reason: 'an HTML page'}
  if (XMLValidator.validate(text) !== true) return {ok: false, reason: 'malformed XML'}
  if (!depthOk(text)) return {ok: false, reason: `XML nested deeper than ${MAX_DEPTH}`}
  parser ??= new XMLParser({
    removeNSPrefix: true,
    ignoreAttributes: false,
    attributeNamePrefix: '@',
    processEntities: false,
    htmlEntities: false,
    ignoreDeclaration: true,
    ignorePiTags: true,
    parseTagValue: false,
    parseAttributeValue: false,
    trimValues: true,
    isArray: (name) => ARRAYS.has(name),
  })
  return {ok: true, doc: parser.parse(text) as Record<string, unknown>}
}

/** A child's text ('' when missing or not text). */
export function text(node: unknown, key: string): string {
  if (!node || typeof node !== 'object') return ''
  const v = (node as Record<string, unknown>)[key]
  if (typeof v === 'string') return v
  if (v && typeof v === 'object' && typeof (v as Record<string, unknown>)['#text'] === 'string') return (v as Record<string, string>)['#text']!
  return ''
}

export function children(node: unknown, key: string): unknown[] {
  if (!node || typeof node !== 'object') return []
  const v = (node as Record<string, unknown>)[key]
  return Array.isArray(v) ? v : v === undefined ? [] : [v]
}
