/**
 * A strict JSON syntax check (RFC 8259) that says where the first error is, with the same
 * message on every Node version. Settings files are parsed by the YAML parser (for source
 * positions), which also accepts what JSON does not (trailing commas, comments, single quotes):
 * a `.json` file goes through this check first.
 */
export interface JsonSyntaxError {
  /** Offset in the text (UTF-16 code units). */
  offset: number
  message: string
}

/** The deepest nesting a settings file may have (JSON and YAML flow collections alike). */
export const MAX_DEPTH = 256

class Stop extends Error {
  constructor(
    readonly offset: number,
    message: string,
  ) {
    super(message)
  }
}

function describe(ch: string | undefined): string {
  if (ch === undefined) return 'the end of the file'
  if (ch === '\n' || ch === '\r') return 'a line break'
  if (ch === "'") return "a single quote (JSON strings use double quotes)"
  return `"${ch}"`
}

export function findJsonSyntaxError(text: string): JsonSyntaxError | undefined {
  let i = 0
  const ws = () => {
    while (i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++
  }
  const fail = (message: string, at = i): never => {
    throw new Stop(at, message)
  }
  const string = () => {
    const start = i
    i++
    for (;;) {
      const c = text[i]
      if (c === undefined) return fail('a string is never closed (missing ")', start)
      if (c === '"') {
        i++
        return
      }
      if (c === '\\') {
        const e = text[i + 1]
        if (e === 'u') {
          if (!/^[0-9A-Fa-f]{4}$/.test(text.slice(i + 2, i + 6))) fail('invalid \\u escape in a string')
          i += 6
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) {
          i += 2
        } else {
          fail(`invalid escape "\\${e ?? ''}" in a string`)
        }
        continue
      }
      if (c < ' ') fail(c === '\n' || c === '\r' ? 'a line break inside a string (missing closing ")' : 'a control character inside a string')
      i++
    }
  }
  const value = (depth: number): void => {
    if (depth > MAX_DEPTH) fail(`nested more than ${MAX_DEPTH} levels deep`)
    ws()
    const c = text[i]
    if (c === '{') {
      i++
      ws()
      if (text[i] === '}') {
        i++
        return
      }
      for (;;) {
        ws()
        if (text[i] !== '"') fail(text[i] === '}' ? 'a trailing comma before }' : `expected a property name in double quotes, found ${describe(text[i])}`)
        string()
        ws()
        if (text[i] !== ':') fail(`expected ":" after the property name, found ${describe(text[i])}`)
        i++
        value(depth + 1)
        ws()
        if (text[i] === ',') {
          i++
          continue
        }
        if (text[i] === '}') {
          i++
          return
        }
        fail(`expected "," or "}" after a property value, found ${describe(text[i])}`)
      }
    }
    if (c === '[') {
      i++
      ws()
      if (text[i] === ']') {
        i++
        return
      }
      for (;;) {
        ws()
        if (text[i] === ']') fail('a trailing comma before ]')
        value(depth + 1)
        ws()
        if (text[i] === ',') {
          i++
          continue
        }
        if (text[i] === ']') {
          i++
          return
        }
        fail(`expected "," or "]" after a list item, found ${describe(text[i])}`)
      }
    }
    if (c === '"') return string()
    const number = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y
    number.lastIndex = i
    if (c !== undefined && /[-0-9]/.test(c) && number.test(text)) {
      i = number.lastIndex
      return
    }
    for (const literal of ['true', 'false', 'null']) {
      if (text.startsWith(literal, i)) {
        i += literal.length
        return
      }
    }
    fail(`expected a value, found ${describe(c)}`)
  }
  try {
    value(0)
    ws()
    if (i < text.length) fail(`unexpected ${describe(text[i])} after the end of the JSON document`)
    return undefined
  } catch (error) {
    if (error instanceof Stop) return {offset: error.offset, message: error.message}
    throw error
  }
}

/**
 * The offset where YAML flow collections (`[`, `{`) open deeper than MAX_DEPTH, or undefined.
 * One pass, skipping quoted text and comments; run before parsing because the YAML parser's own
 * recursion on 2 MB of `[` took 32 s and 1.2 GB before it gave up. Brackets inside plain text
 * count too, which can only make a file with hundreds of stray `[` fail, never let one through;
 * a quote counts as one only where a quoted scalar can start.
 */
export function findDeepFlowNesting(text: string, max = MAX_DEPTH): number | undefined {
  let depth = 0
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return i
    } else if (c === 0x5d || c === 0x7d) {
      if (depth > 0) depth--
    } else if ((c === 0x22 || c === 0x27) && !startsToken(text, i)) {
      // A quote inside plain text (O'Brien) opens nothing.
    } else if (c === 0x22) {
      // "…": backslash escapes.
      for (i++; i < text.length && text.charCodeAt(i) !== 0x22; i++) if (text.charCodeAt(i) === 0x5c) i++
    } else if (c === 0x27) {
      // '…': '' is an escaped quote, which this loop reads as closing and reopening.
      const end = text.indexOf("'", i + 1)
      i = end === -1 ? text.length : end
    } else if (c === 0x23 && (i === 0 || /\s/.test(text[i - 1]!))) {
      const end = text.indexOf('\n', i)
      i = end === -1 ? text.length : end
    }
  }
  return undefined
}

/** Whether a quote at `i` can open a quoted scalar: at the start, or after white space or a flow indicator or `:`. */
function startsToken(text: string, i: number): boolean {
  return i === 0 || /[\s[\]{},:?-]/.test(text[i - 1]!)
}
