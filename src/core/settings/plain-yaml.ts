/**
 * A reader for the plain YAML that settings files are written in, hand-written for speed: the yaml
 * library (the reader of record, src/core/settings/yaml-source.ts) runs its lexer, parser and
 * composer cold at every start, about 20 ms of a `lint` of the three examples on Node 22 and 24,
 * half of what lint adds to `node -e 0`. This reads the common subset in one pass over the lines.
 *
 * The subset: block mappings with plain keys; block sequences, also of `- key: value` items;
 * one-line scalars: plain (strings, decimal integers, true/false, null/~), single- and
 * double-quoted without escapes; one-line flow sequences and mappings of such scalars; comments
 * and blank lines. For anything else (anchors, aliases, tags, block scalars, multi-line scalars,
 * escapes, tabs, CR, control characters, duplicate or non-string keys, empty values, other number
 * forms, document markers, an indentation it does not expect, …) it returns undefined and the
 * yaml library reads the file, so every syntax error and every unusual form is the library's.
 * test/core/settings/plain-yaml.test.ts checks it against the yaml library: whenever this returns
 * a tree, the library reads the same data without an error and puts every node and key at the
 * same offset (the examples, every settings file of the tests, and generated documents).
 */
import {MAX_DEPTH} from './json-syntax.js'

/** Where a value is (its first character, as the yaml library's node.range[0]); maps and sequences hold their parts. */
export type PlainNode =
  | {kind: 'map'; start: number; pairs: Map<string, {keyStart: number; value: PlainNode}>}
  | {kind: 'seq'; start: number; items: PlainNode[]}
  | {kind: 'scalar'; start: number}

export interface PlainYaml {
  /** The data, as the yaml library's toJS() gives it. */
  data: Record<string, unknown>
  root: PlainNode
  /** The offset at which each line starts (for line and column of an offset). */
  lineStarts: number[]
}

interface Line {
  /** Offset of the first character after the indentation. */
  at: number
  indent: number
  /** The line after its indentation. */
  rest: string
}

/** Characters the subset never holds (tab, CR, other C0 and C1 controls, DEL, line and paragraph separators, BOM, non-characters). */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const UNSUPPORTED_CHARACTER = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\ufeff\ufffe\uffff]/
const KEY = /^([A-Za-z_][A-Za-z0-9_.-]*):(?= |$)/
/** Plain keys the yaml library reads as something other than that string. */
const NOT_A_STRING_KEY = /^(?:null|Null|NULL|true|True|TRUE|false|False|FALSE|__proto__)$/
/** A plain scalar may not start with an indicator (or with what could be a number other than a plain decimal). */
const PLAIN_START = /^[^-?:,[\]{}#&*!|>'"%@`+.0-9 ]|^(?:0|[1-9][0-9]{0,14})(?: |$)/

class Decline extends Error {}
const decline = (): never => {
  throw new Decline()
}

/** The tree and data of `text`, or undefined when it is not in the subset (the yaml library then reads it). */
export function readPlainYaml(text: string): PlainYaml | undefined {
  if (UNSUPPORTED_CHARACTER.test(text)) return undefined
  const lineStarts = [0]
  const lines: Line[] = []
  for (let start = 0; start <= text.length; ) {
    const end = text.indexOf('\n', start)
    const stop = end === -1 ? text.length : end
    const raw = text.slice(start, stop)
    const rest = raw.trimStart()
    if (rest !== '' && !rest.startsWith('#')) lines.push({at: start + raw.length - rest.length, indent: raw.length - rest.length, rest: rest.trimEnd()})
    if (end === -1) break
    start = end + 1
    lineStarts.push(start)
  }
  if (lines.length === 0 || lines[0]!.indent !== 0) return undefined
  try {
    const reader = new BlockReader(lines)
    const {value, node} = reader.block(0, 0)
    if (reader.next < lines.length || node.kind !== 'map') return undefined
    return {data: value as Record<string, unknown>, root: node, lineStarts}
  } catch (error) {
    if (error instanceof Decline) return undefined
    throw error
  }
}

interface Read {
  value: unknown
  node: PlainNode
}

class BlockReader {
  next = 0
  constructor(private readonly lines: Line[]) {}

  /** The block (mapping or sequence) whose first line is the next one, at `indent`. */
  block(indent: number, depth: number): Read {
    if (depth > MAX_DEPTH) decline()
    const line = this.lines[this.next]!
    if (line.indent !== indent) decline()
    if (line.rest.startsWith('---') || line.rest.startsWith('...') || line.rest.startsWith('%')) decline()
    return isItem(line.rest) ? this.sequence(indent, depth) : this.mapping(indent, depth)
  }

  private mapping(indent: number, depth: number): Read {
    const value: Record<string, unknown> = {}
    const node: PlainNode = {kind: 'map', start: this.lines[this.next]!.at, pairs: new Map()}
    while (this.next < this.lines.length) {
      const line = this.lines[this.next]!
      if (line.indent < indent) break
      if (line.indent > indent || isItem(line.rest)) decline()
      const key = KEY.exec(line.rest)?.[1]
      if (key === undefined || !isStringKey(key) || node.pairs.has(key)) return decline()
      const after = line.rest.slice(key.length + 1).trimStart()
      const valueAt = line.at + line.rest.length - after.length
      this.next++
      const read = after === '' || after.startsWith('#') ? this.nested(indent, depth, true) : this.inline(after, valueAt, indent)
      value[key] = read.value
      node.pairs.set(key, {keyStart: line.at, value: read.node})
    }
    return {value, node}
  }

  private sequence(indent: number, depth: number): Read {
    const value: unknown[] = []
    const node: PlainNode = {kind: 'seq', start: this.lines[this.next]!.at, items: []}
    while (this.next < this.lines.length) {
      const line = this.lines[this.next]!
      if (line.indent < indent || (line.indent === indent && !isItem(line.rest))) break
      if (line.indent > indent) decline()
      const after = line.rest.slice(1).trimStart()
      const afterAt = line.at + line.rest.length - after.length
      let read: Read
      if (after === '' || after.startsWith('#')) {
        this.next++
        read = this.nested(indent, depth, false)
      } else if (KEY.test(after)) {
        // `- key: value`: a mapping whose keys stand where this key does.
        this.lines[this.next] = {at: afterAt, indent: afterAt - (line.at - line.indent), rest: after}
        read = this.block(afterAt - (line.at - line.indent), depth + 1)
      } else {
        this.next++
        read = this.inline(after, afterAt, indent)
      }
      value.push(read.value)
      node.items.push(read.node)
    }
    return {value, node}
  }

  /** The value of a key or item with nothing after it on its line: the block on the next lines. */
  private nested(indent: number, depth: number, ofKey: boolean): Read {
    const line = this.lines[this.next]
    // A sequence may stand at its key's own indentation; an empty value is the library's to read.
    if (line && (line.indent > indent || (ofKey && line.indent === indent && isItem(line.rest)))) return this.block(line.indent, depth + 1)
    return decline()
  }

  /** A value on the key's or item's own line; nothing may follow it on more indented lines. */
  private inline(text: string, at: number, indent: number): Read {
    const read = scalarOrFlow(text, at)
    const following = this.lines[this.next]
    if (following && following.indent > indent) decline()
    return read
  }
}

const isItem = (rest: string): boolean => rest === '-' || rest.startsWith('- ')
/** A key the yaml library reads as this string (an implicit key is at most 1,024 characters). */
const isStringKey = (key: string): boolean => key.length <= 1024 && !NOT_A_STRING_KEY.test(key)

/** A one-line value: a flow collection of scalars or a scalar, optionally followed by a comment. */
function scalarOrFlow(text: string, at: number): Read {
  const first = text[0]
  if (first === '[' || first === '{') {
    const close = text.indexOf(first === '[' ? ']' : '}')
    if (close === -1) decline()
    endsLine(text.slice(close + 1))
    const inner = text.slice(1, close)
    return first === '[' ? flowSequence(inner, at) : flowMapping(inner, at)
  }
  const {value, length} = scalar(text, false)
  endsLine(text.slice(length))
  return {value, node: {kind: 'scalar', start: at}}
}

/** What follows a value on its line: nothing, or spaces and a comment. */
function endsLine(rest: string): void {
  if (rest !== '' && !/^ +(?:#.*)?$/.test(rest)) decline()
}

/** The entries of a flow collection between its brackets, each trimmed, with its offset; none for `[]`. */
function flowEntries(inner: string, at: number): Array<{text: string; at: number}> {
  if (inner.trim() === '') return []
  const entries: Array<{text: string; at: number}> = []
  let offset = at + 1
  for (const part of inner.split(',')) {
    const text = part.trim()
    if (text === '') decline()
    entries.push({text, at: offset + part.length - part.trimStart().length})
    offset += part.length + 1
  }
  return entries
}

function flowSequence(inner: string, at: number): Read {
  const value: unknown[] = []
  const items: PlainNode[] = []
  for (const entry of flowEntries(inner, at)) {
    const read = scalar(entry.text, true)
    if (read.length !== entry.text.length) decline()
    value.push(read.value)
    items.push({kind: 'scalar', start: entry.at})
  }
  return {value, node: {kind: 'seq', start: at, items}}
}

function flowMapping(inner: string, at: number): Read {
  const value: Record<string, unknown> = {}
  const pairs = new Map<string, {keyStart: number; value: PlainNode}>()
  for (const entry of flowEntries(inner, at)) {
    const key = /^([A-Za-z_][A-Za-z0-9_.-]*): +/.exec(entry.text)
    if (!key || !isStringKey(key[1]!) || pairs.has(key[1]!)) return decline()
    const text = entry.text.slice(key[0].length)
    const read = scalar(text, true)
    if (read.length !== text.length) decline()
    value[key[1]!] = read.value
    pairs.set(key[1]!, {keyStart: entry.at, value: {kind: 'scalar', start: entry.at + key[0].length}})
  }
  return {value, node: {kind: 'map', start: at, pairs}}
}

/**
 * A scalar at the start of `text` and the length it takes: quoted (no escapes, no line breaks) or
 * plain (up to a comment; inside a flow collection the entry is all of `text`).
 */
function scalar(text: string, inFlow: boolean): {value: unknown; length: number} {
  const quote = text[0]
  if (quote === '"' || quote === "'") {
    const close = text.indexOf(quote, 1)
    if (close === -1 || text[close + 1] === quote) return decline()
    const value = text.slice(1, close)
    if (quote === '"' && value.includes('\\')) decline()
    return {value, length: close + 1}
  }
  if (!PLAIN_START.test(text)) decline()
  const comment = inFlow ? -1 : text.indexOf(' #')
  const plain = (comment === -1 ? text : text.slice(0, comment)).trimEnd()
  if (plain.includes(': ') || plain.endsWith(':') || (inFlow && /[:#[\]{}]/.test(plain))) decline()
  return {value: plainValue(plain), length: plain.length}
}

/** The value the YAML 1.2 core schema gives a plain scalar of the subset (PLAIN_START leaves out the other number forms). */
function plainValue(plain: string): unknown {
  if (/^(?:~|null|Null|NULL)$/.test(plain)) return null
  if (/^(?:true|True|TRUE)$/.test(plain)) return true
  if (/^(?:false|False|FALSE)$/.test(plain)) return false
  if (/^(?:0|[1-9][0-9]*)$/.test(plain)) return Number(plain)
  if (/^[0-9]/.test(plain)) decline()
  return plain
}
