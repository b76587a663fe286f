import {isMap, isScalar, isSeq, LineCounter, parseDocument, type Node} from 'yaml'

import {InputError} from '../errors.js'
import type {SourceLocation} from '../findings.js'

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
  const lineCounter = new LineCounter()
  const doc = parseDocument(text, {lineCounter, uniqueKeys: true, prettyErrors: false, strict: true})
  const first = doc.errors[0]
  if (first) {
    const pos = lineCounter.linePos(first.pos[0])
    const message = first.code === 'DUPLICATE_KEY' ? `duplicate key: ${firstLine(first.message)}` : `syntax error: ${firstLine(first.message)}`
    throw new InputError(message, {file, line: pos.line, column: pos.col})
  }
  if (doc.contents === null || (isScalar(doc.contents) && (doc.contents.value === null || doc.contents.value === ''))) {
    throw new InputError('is empty: expected a settings document (see examples/)', {file, line: 1, column: 1})
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

  return {
    file,
    data,
    locate(path, options = {}) {
      let node: Node | null = doc.contents as Node | null
      let keyNode: Node | null = null
      let reached = 0
      for (const segment of path) {
        if (isMap(node)) {
          const pair = node.items.find((item) => (isScalar(item.key) ? String(item.key.value) === String(segment) : item.key === segment))
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

function firstLine(message: string): string {
  return message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '').trim()
}
