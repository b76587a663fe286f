/**
 * Reads Outlook's POX Autodiscover request ([MS-OXDSCLI] 2.2.4.1.1):
 * `<Autodiscover xmlns="…/outlook/requestschema/2006"><Request><EMailAddress>…</EMailAddress>
 * <AcceptableResponseSchema>…/outlook/responseschema/2006a</AcceptableResponseSchema></Request></Autodiscover>`.
 *
 * The body is hostile until proven otherwise: it must be UTF-8 (a fatal decoder, so invalid bytes
 * are refused rather than replaced), a request never carries a DOCTYPE, so any `<!DOCTYPE` or
 * `<!ENTITY` is refused before the parser sees it (no entity is ever declared, expanded or
 * fetched), the parser itself is configured not to process entities, nesting is capped, and the
 * document must be well-formed (fast-xml-parser's validator) before it is read.
 */
import {XMLParser, XMLValidator} from 'fast-xml-parser'

export const OUTLOOK_2006A = 'http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a'

export type AutodiscoverRequest =
  | {ok: true; emailAddress: string; schema: string}
  | {ok: false; reason: 'not-utf8' | 'dtd' | 'malformed' | 'not-a-request'}

const MAX_DEPTH = 16
const decoder = new TextDecoder('utf-8', {fatal: true, ignoreBOM: false})
let parser: XMLParser | undefined

export function parseAutodiscoverRequest(body: Buffer): AutodiscoverRequest {
  let text: string
  try {
    text = decoder.decode(body)
  } catch {
    return {ok: false, reason: 'not-utf8'}
  }
  if (/<!(DOCTYPE|ENTITY)/i.test(text)) return {ok: false, reason: 'dtd'}
  if (XMLValidator.validate(text) !== true) return {ok: false, reason: 'malformed'}
  parser ??= new XMLParser({
    removeNSPrefix: true,
    ignoreAttributes: true,
    processEntities: false,
    htmlEntities: false,
    ignoreDeclaration: true,
    ignorePiTags: true,
    parseTagValue: false,
    trimValues: true,
    maxNestedTags: MAX_DEPTH,
  })
  let doc: unknown
  try {
    doc = parser.parse(text)
  } catch {
    return {ok: false, reason: 'malformed'}
  }
  const request = field(field(doc, 'Autodiscover'), 'Request')
  const emailAddress = field(request, 'EMailAddress')
  const schema = field(request, 'AcceptableResponseSchema')
  if (typeof emailAddress !== 'string' || typeof schema !== 'string') return {ok: false, reason: 'not-a-request'}
  return {ok: true, emailAddress, schema}
}

/** A child read case-sensitively, as the schema names it; a repeated element is not a request. */
function field(value: unknown, name: string): unknown {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return undefined
  return Object.hasOwn(value, name) ? (value as Record<string, unknown>)[name] : undefined
}
