/**
 * A strict reader for XML property lists (Apple's PropertyList-1.0 DTD), built on fast-xml-parser
 * for well-formedness and tokenizing. Unlike a lenient reader it keeps what inspect needs to
 * report: which numbers were written as `<real>` (a `<real>` PayloadVersion is a classic
 * generator bug), keys that appear twice in one `<dict>` (the device keeps one of them), and it
 * refuses malformed values (`<integer>abc</integer>`, a key without a value) with a message.
 *
 * Values come out as the `plist` package gives them (string, number, boolean, Date, Buffer,
 * array, object), so the Apple schema validators accept both.
 */
import {XMLParser, XMLValidator} from 'fast-xml-parser'

export class PlistSyntaxError extends Error {
  readonly line?: number
  readonly column?: number

  constructor(message: string, line?: number, column?: number) {
    super(message)
    this.name = 'PlistSyntaxError'
    this.line = line
    this.column = column
  }
}

export interface PlistReadResult {
  /** The root value. */
  value: unknown
  /** JSON pointers of values written as `<real>`. */
  reals: string[]
  /** JSON pointers of keys that appear more than once in their `<dict>` (the last value is kept). */
  duplicateKeys: string[]
}

type XmlNode = Record<string, unknown> & {':@'?: Record<string, string>}

const ENTITIES: Record<string, string> = {amp: '&', lt: '<', gt: '>', quot: '"', apos: "'"}
const MAX_DEPTH = 100

/** Decodes XML's predefined entities and character references in one pass. */
function decodeText(raw: string): string {
  return raw.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[A-Za-z][A-Za-z0-9]*);/g, (whole, name: string) => {
    if (name.startsWith('#')) {
      const code = name[1] === 'x' || name[1] === 'X' ? Number.parseInt(name.slice(2), 16) : Number.parseInt(name.slice(1), 10)
      if (!Number.isFinite(code) || code > 0x10ffff) throw new PlistSyntaxError(`invalid character reference ${whole}`)
      return String.fromCodePoint(code)
    }
    const value = ENTITIES[name]
    if (value === undefined) throw new PlistSyntaxError(`unknown entity ${whole} (XML defines only &amp; &lt; &gt; &quot; &apos;)`)
    return value
  })
}

function tagOf(node: XmlNode): string {
  for (const k of Object.keys(node)) if (k !== ':@') return k
  return ''
}

/** Text content of a leaf element (text and CDATA pieces). */
function textOf(node: XmlNode, tag: string): string {
  const children = node[tag] as XmlNode[]
  let out = ''
  for (const child of children) {
    const t = tagOf(child)
    if (t === '#text') out += decodeText(String(child['#text']))
    else if (t === '#cdata') out += ((child['#cdata'] as XmlNode[]) ?? []).map((c) => String(c['#text'] ?? '')).join('')
    else if (t !== '#comment') throw new PlistSyntaxError(`<${tag}> holds an element <${t}>`)
  }
  return out
}

/** Element children, skipping whitespace and comments. */
function elements(node: XmlNode, tag: string): XmlNode[] {
  const out: XmlNode[] = []
  for (const child of node[tag] as XmlNode[]) {
    const t = tagOf(child)
    if (t === '#comment') continue
    if (t === '#text') {
      if (String(child['#text']).trim() !== '') throw new PlistSyntaxError(`text outside a value inside <${tag}>: ${JSON.stringify(String(child['#text']).trim().slice(0, 40))}`)
      continue
    }
    if (t === '#cdata') throw new PlistSyntaxError(`CDATA outside a value inside <${tag}>`)
    out.push(child)
  }
  return out
}

const pointerSegment = (s: string) => s.replaceAll('~', '~0').replaceAll('/', '~1')

export function readXmlPlist(text: string): PlistReadResult {
  if (/<!ENTITY/i.test(text)) throw new PlistSyntaxError('the document declares XML entities; property lists never do (refused to avoid entity expansion)')
  const valid = XMLValidator.validate(text, {allowBooleanAttributes: false})
  if (valid !== true) throw new PlistSyntaxError(valid.err.msg, valid.err.line, valid.err.col)
  const parser = new XMLParser({
    preserveOrder: true,
    ignoreAttributes: false,
    trimValues: false,
    parseTagValue: false,
    parseAttributeValue: false,
    processEntities: false,
    ignoreDeclaration: true,
    ignorePiTags: true,
    commentPropName: '#comment',
    cdataPropName: '#cdata',
  })
  let doc: XmlNode[]
  try {
    doc = parser.parse(text) as XmlNode[]
  } catch (error) {
    // The parser's own limits (nesting depth, …).
    throw new PlistSyntaxError((error as Error).message)
  }
  const roots = doc.filter((n) => {
    const t = tagOf(n)
    return t !== '#text' && t !== '#comment' && !t.startsWith('!') && !t.startsWith('?')
  })
  const plist = roots[0]
  if (roots.length !== 1 || !plist || tagOf(plist) !== 'plist') throw new PlistSyntaxError('the root element is not <plist>')
  const values = elements(plist, 'plist')
  if (values.length !== 1) throw new PlistSyntaxError(`<plist> must hold exactly one value, it holds ${values.length}`)
  const reals: string[] = []
  const duplicateKeys: string[] = []

  const read = (node: XmlNode, pointer: string, depth: number): unknown => {
    if (depth > MAX_DEPTH) throw new PlistSyntaxError('nested too deeply')
    const tag = tagOf(node)
    switch (tag) {
      case 'string':
        return textOf(node, tag)
      case 'integer': {
        const t = textOf(node, tag).trim()
        if (!/^[+-]?\d+$/.test(t) && !/^0x[0-9a-f]+$/i.test(t)) throw new PlistSyntaxError(`<integer> at ${pointer || '/'} holds ${JSON.stringify(t)}, not a whole number`)
        return Number(t)
      }
      case 'real': {
        const t = textOf(node, tag).trim()
        const n = Number(t)
        if (t === '' || (Number.isNaN(n) && !/^[+-]?nan$/i.test(t))) throw new PlistSyntaxError(`<real> at ${pointer || '/'} holds ${JSON.stringify(t)}, not a number`)
        reals.push(pointer)
        return n
      }
      case 'true':
      case 'false':
        if (elements(node, tag).length || textOf(node, tag).trim()) throw new PlistSyntaxError(`<${tag}/> at ${pointer || '/'} must be empty`)
        return tag === 'true'
      case 'date': {
        const t = textOf(node, tag).trim()
        const d = new Date(t)
        if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z$/.test(t) || Number.isNaN(d.getTime())) throw new PlistSyntaxError(`<date> at ${pointer || '/'} holds ${JSON.stringify(t)}, not an ISO 8601 UTC date`)
        return d
      }
      case 'data': {
        const t = textOf(node, tag).replace(/\s+/g, '')
        if (!/^[A-Za-z0-9+/]*={0,2}$/.test(t)) throw new PlistSyntaxError(`<data> at ${pointer || '/'} is not base64`)
        return Buffer.from(t, 'base64')
      }
      case 'array':
        return elements(node, tag).map((child, i) => read(child, `${pointer}/${i}`, depth + 1))
      case 'dict': {
        const items = elements(node, tag)
        const out: Record<string, unknown> = {}
        for (let i = 0; i < items.length; i += 2) {
          const keyNode = items[i]!
          if (tagOf(keyNode) !== 'key') throw new PlistSyntaxError(`<dict> at ${pointer || '/'} holds <${tagOf(keyNode)}> where a <key> belongs`)
          const key = textOf(keyNode, 'key')
          const valueNode = items[i + 1]
          if (!valueNode || tagOf(valueNode) === 'key') throw new PlistSyntaxError(`key ${JSON.stringify(key)} at ${pointer || '/'} has no value`)
          const childPointer = `${pointer}/${pointerSegment(key)}`
          if (Object.hasOwn(out, key)) duplicateKeys.push(childPointer)
          // defineProperty: a key named __proto__ stays an ordinary key.
          Object.defineProperty(out, key, {value: read(valueNode, childPointer, depth + 1), enumerable: true, writable: true, configurable: true})
        }
        return out
      }
      default:
        throw new PlistSyntaxError(`<${tag}> is not a property list element`)
    }
  }
  return {value: read(values[0]!, '', 0), reals, duplicateKeys}
}
