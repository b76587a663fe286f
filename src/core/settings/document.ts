import {isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, visit, type Document, type Node, type Pair, type YAMLMap} from 'yaml'

import {InputError} from '../errors.js'
import type {SourceLocation} from '../findings.js'
import {findDeepFlowNesting, findJsonSyntaxError} from './json-syntax.js'
import {readPlainYaml, type PlainNode, type PlainYaml} from './plain-yaml.js'

export type PathSegment = string | number

/** A parsed YAML/JSON document that remembers where each value came from. */
export interface SourceDocument {
  file: string
  /** The plain data (JSON-compatible). */
  data: unknown
  /** Where the value at `path` is; with `key: true`, where its key is (for unknown keys). Falls back to the nearest parent. */
  locate(path: readonly PathSegment[], options?: {key?: boolean}): SourceLocation
}

export function toPointer(path: readonly PathSegment[]): string {
  return path.map((p) => '/' + String(p).replaceAll('~', '~0').replaceAll('/', '~1')).join('')
}

/** A readable path for messages: `domains[0].incoming.port`. */
export function readablePath(path: readonly PathSegment[]): string {
  let out = ''
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out === '' ? p : `.${p}`
  return out
}

/**
 * Parses YAML (and therefore JSON) text. Syntax errors, duplicate keys and an empty
 * document are InputErrors with the line and column of the first problem.
 */
export function parseSource(text: string, file: string): SourceDocument {
  if (!/\.json$/i.test(file)) {
    // The common plain form is read without the yaml library (plain-yaml.ts says why).
    const plain = readPlainYaml(text)
    if (plain) return plainSource(plain, file)
  }
  const lineCounter = new LineCounter()
  if (/\.json$/i.test(file)) {
    const jsonError = findJsonSyntaxError(text)
    if (jsonError) {
      const at = positionOf(text, jsonError.offset)
      throw new InputError(`JSON syntax error: ${jsonError.message}`, {file, ...at})
    }
  }
  const tooDeep = findDeepFlowNesting(text)
  if (tooDeep !== undefined) {
    throw new InputError('syntax error: nested too deeply to be a settings file', {file, ...positionOf(text, tooDeep)})
  }
  // Duplicate keys are found by firstDuplicateKey (linear); the parser's own check (uniqueKeys)
  // compares every key with every earlier one: 20,000 keys took 36 s.
  const doc = parseDocument(text, {lineCounter, uniqueKeys: false, prettyErrors: false, strict: true})
  const duplicate = firstDuplicateKey(doc)
  const first = duplicate !== undefined && (doc.errors[0] === undefined || duplicate < doc.errors[0].pos[0]) ? {pos: [duplicate, duplicate], message: '', code: 'DUPLICATE_KEY'} : doc.errors[0]
  if (first) {
    let offset = first.pos[0]!
    let message = `syntax error: ${firstLine(first.message)}`
    if (first.code === 'DUPLICATE_KEY') {
      const key = /^("(?:[^"\\]|\\.)*"|'[^']*'|[^:\s,{}[\]]+)/.exec(text.slice(offset))?.[1]
      message = key ? `duplicate key ${key.startsWith('"') || key.startsWith("'") ? key : `"${key}"`}: each key may appear once in a mapping` : 'duplicate key: each key may appear once in a mapping'
    } else if (/Maximum call stack/.test(first.message)) {
      message = 'syntax error: nested too deeply to be a settings file'
    } else if (first.code === 'MULTIPLE_DOCS') {
      message = 'syntax error: a second YAML document starts here (---); a settings file holds one document'
    } else if (first.code === 'MISSING_CHAR' && /quote/.test(first.message)) {
      // The parser notices at the end of the file; point at the quote that was opened instead.
      const opening = lastOpeningQuote(text, offset)
      if (opening !== undefined) {
        offset = opening
        message = 'syntax error: this quoted text is never closed (missing closing quote)'
      }
    }
    // An error reported at the start of an indented line points at the item, not at its indentation.
    if (offset === 0 || text[offset - 1] === '\n') while (text[offset] === ' ') offset++
    const pos = lineCounter.linePos(offset)
    throw new InputError(message, {file, line: pos.line, column: pos.col})
  }
  if (doc.contents === null || (isScalar(doc.contents) && (doc.contents.value === null || doc.contents.value === ''))) {
    throw new InputError('is empty: expected a settings document (see examples/)', {file, line: 1, column: 1})
  }
  const selfAlias = findSelfReferencingAlias(doc)
  if (selfAlias !== undefined) {
    const pos = lineCounter.linePos(selfAlias)
    throw new InputError('an alias refers to the value it is inside of (a cycle): a settings file must be a tree', {file, line: pos.line, column: pos.col})
  }
  let data: unknown
  try {
    data = doc.toJS({maxAliasCount: 100})
  } catch (error) {
    throw new InputError(`cannot be read as data: ${firstLine((error as Error).message)}`, {file, line: 1, column: 1})
  }

  const at = (offset: number, pointer: string): SourceLocation => {
    const pos = lineCounter.linePos(offset)
    return {file, line: pos.line, column: pos.col, pointer}
  }

  // Each mapping's pairs by key, built on first use: locating every key of a mapping with n keys
  // (n unknown keys) is then linear, not n × n.
  const pairIndex = new WeakMap<YAMLMap, Map<string, Pair>>()
  const pairsOf = (map: YAMLMap): Map<string, Pair> => {
    let index = pairIndex.get(map)
    if (!index) {
      index = new Map()
      for (const item of map.items as Pair[]) {
        const key = isScalar(item.key) ? String(item.key.value) : typeof item.key === 'string' ? item.key : undefined
        if (key !== undefined && !index.has(key)) index.set(key, item)
      }
      pairIndex.set(map, index)
    }
    return index
  }

  return {
    file,
    data,
    locate(path, options = {}) {
      let node: Node | null = doc.contents as Node | null
      let keyNode: Node | null = null
      let reached = 0
      for (const segment of path) {
        if (isMap(node)) {
          const pair = pairsOf(node).get(String(segment))
          if (!pair) break
          keyNode = pair.key as Node
          node = pair.value as Node | null
        } else if (isSeq(node) && typeof segment === 'number') {
          const item = node.items[segment] as Node | undefined
          if (!item) break
          keyNode = item
          node = item
        } else {
          break
        }
        reached++
      }
      const pointer = toPointer(path)
      const complete = reached === path.length
      const target = complete && options.key && keyNode ? keyNode : complete ? (node ?? keyNode) : (node ?? keyNode)
      const range = target?.range
      if (!range) return {file, line: 1, column: 1, pointer}
      return at(range[0], pointer)
    },
  }
}

/** A SourceDocument of what plain-yaml.ts read: locate() walks its tree as the yaml library's is walked above. */
function plainSource(plain: PlainYaml, file: string): SourceDocument {
  const lines = new LineCounter()
  for (const start of plain.lineStarts) lines.addNewLine(start)
  return {
    file,
    data: plain.data,
    locate(path, options = {}) {
      let node: PlainNode = plain.root
      let keyStart: number | undefined
      let reached = 0
      for (const segment of path) {
        if (node.kind === 'map') {
          const pair = node.pairs.get(String(segment))
          if (!pair) break
          keyStart = pair.keyStart
          node = pair.value
        } else if (node.kind === 'seq' && typeof segment === 'number') {
          const item = node.items[segment]
          if (!item) break
          keyStart = item.start
          node = item
        } else {
          break
        }
        reached++
      }
      const offset = reached === path.length && options.key && keyStart !== undefined ? keyStart : node.start
      const pos = lines.linePos(offset)
      return {file, line: pos.line, column: pos.col, pointer: toPointer(path)}
    },
  }
}

/**
 * The offset of the first key that repeats an earlier key of its mapping (scalar keys compared by
 * type and value, as the parser's uniqueKeys does), in one pass with a set per mapping.
 */
function firstDuplicateKey(doc: Document): number | undefined {
  let found: number | undefined
  visit(doc, {
    Map(_key, map) {
      const seen = new Set<string>()
      for (const pair of map.items) {
        if (!isScalar(pair.key)) continue
        const value = pair.key.value
        const id = `${typeof value}:${String(value)}`
        if (seen.has(id)) {
          const at = pair.key.range?.[0]
          if (at !== undefined && (found === undefined || at < found)) found = at
        }
        seen.add(id)
      }
      return undefined
    },
  })
  return found
}

/**
 * The offset of the first alias that points into its own anchor (`a: &a [*a]`), which would make
 * the data cyclic and every walk over it endless. One pass in document order: an alias refers to
 * the latest anchor of that name before it.
 */
function findSelfReferencingAlias(doc: Document): number | undefined {
  const anchors = new Map<string, Node>()
  let found: number | undefined
  visit(doc, (_key, node) => {
    if (isAlias(node)) {
      const target = anchors.get(node.source)
      const at = node.range?.[0]
      if (target?.range && at !== undefined && at >= target.range[0] && at < target.range[1]) {
        found = at
        return visit.BREAK
      }
    } else if ((isMap(node) || isSeq(node) || isScalar(node)) && node.anchor) {
      anchors.set(node.anchor, node)
    }
    return undefined
  })
  return found
}

/** Line and column (1-based) of an offset. */
function positionOf(text: string, offset: number): {line: number; column: number} {
  let line = 1
  let lineStart = 0
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++
    lineStart = i + 1
  }
  return {line, column: offset - lineStart + 1}
}

/** The offset of the last quote before `end` that opens a quoted scalar (a quote not escaped). */
function lastOpeningQuote(text: string, end: number): number | undefined {
  for (let i = Math.min(end, text.length) - 1; i >= 0; i--) {
    const c = text[i]
    if ((c === '"' && text[i - 1] !== '\\') || c === "'") return i
  }
  return undefined
}

function firstLine(message: string): string {
  return message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '').trim()
}

/** The path a JSON Pointer (ajv's `instancePath`, RFC 6901) names: `/domains/0/host` → ['domains', 0, 'host']. */
export function pointerPath(instancePath: string): PathSegment[] {
  if (instancePath === '') return []
  return instancePath
    .slice(1)
    .split('/')
    .map((s) => s.replaceAll('~1', '/').replaceAll('~0', '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s))
}
