/**
 * A reader for the plain CSV that users files are, hand-written for speed: csv-parse (the reader of
 * record, used by src/core/settings/users-csv.ts) costs about 10 µs a row, 10 s of a `lint` of
 * 1,000,000 users, and about 0.2 ms of option set-up at every call, 3-4 ms of a cold `lint` of the
 * examples. This reads the common subset in one pass over the bytes, as csv-parse does with the
 * options users-csv.ts gives it (trim, skip_empty_lines, bom, relax_column_count, one delimiter).
 *
 * The subset: one kind of line break throughout (LF or CRLF); fields without quotes, or quoted as
 * a whole (`"Doe, Jane"`, `""` for a quote) on one line; spaces and tabs around a field trimmed. For
 * anything else (a lone CR, a quote inside an unquoted field or text after a closing quote, a
 * line break inside quotes, a form feed, a line of only spaces, a byte-order mark after the start, a
 * Unicode space ending an unquoted field, …) it returns false before calling
 * back, and csv-parse reads the file, so every syntax error and every unusual form is the library's.
 * test/core/settings/plain-csv.test.ts checks it against csv-parse: whenever this reads a file,
 * csv-parse reads the same records, at the same lines, without an error.
 */

const LF = 0x0a
const CR = 0x0d
const QUOTE = 0x22
const SPACE = 0x20
const TAB = 0x09
const FORM_FEED = 0x0c
const BOM = Buffer.from([0xef, 0xbb, 0xbf])

/** A space or tab that is not the delimiter (a tab-separated file's tabs separate, csv-parse trims none). */
const isBlank = (byte: number | undefined, delimiter: number) => (byte === SPACE || byte === TAB) && byte !== delimiter

/** Where one line's fields are: [start, end, quoted (0 or 1)] for each, in bytes. */
type Spans = number[]

/**
 * The fields of the line in [start, end) (no line break in it) into `spans`, or false when the line
 * is outside the subset.
 */
function splitLine(bytes: Buffer, start: number, end: number, delimiter: number, spans: Spans): boolean {
  spans.length = 0
  let pos = start
  for (;;) {
    while (pos < end && isBlank(bytes[pos], delimiter)) pos++
    if (bytes[pos] === QUOTE && pos < end) {
      const open = pos + 1
      pos = open
      for (;;) {
        while (pos < end && bytes[pos] !== QUOTE) {
          if (bytes[pos] === CR) return false
          pos++
        }
        if (pos >= end) return false
        if (bytes[pos + 1] === QUOTE && pos + 1 < end) pos += 2
        else break
      }
      spans.push(open, pos, 1)
      pos++
      while (pos < end && isBlank(bytes[pos], delimiter)) pos++
      if (pos === end) return true
      if (bytes[pos] !== delimiter) return false
      pos++
      continue
    }
    const from = pos
    while (pos < end && bytes[pos] !== delimiter) {
      const byte = bytes[pos]
      if (byte === QUOTE || byte === CR || byte === FORM_FEED) return false
      pos++
    }
    let to = pos
    while (to > from && isBlank(bytes[to - 1], delimiter)) to--
    // csv-parse trims the end of an unquoted field as String#trimEnd does: Unicode spaces too.
    if (to > from && bytes[to - 1]! >= 0x80 && /\s$/u.test(bytes.toString('utf8', from, to))) return false
    spans.push(from, to, 0)
    if (pos === end) return true
    pos++
  }
}

/** The text of one field. */
function fieldText(buffer: Buffer, start: number, end: number, quoted: boolean): string {
  const text = buffer.toString('utf8', start, end)
  return quoted ? text.replaceAll('""', '"') : text
}

/** How many bytes a UTF-8 byte-order mark takes at the start of `bytes`: 3 or 0. */
export function bomLength(bytes: Uint8Array): number {
  return bytes[0] === BOM[0] && bytes[1] === BOM[1] && bytes[2] === BOM[2] ? 3 : 0
}

/** The lines of the file as [start, end) pairs (line breaks left out), or undefined outside the subset. */
function lineSpans(bytes: Uint8Array): Uint32Array | undefined {
  const bom = bomLength(bytes)
  // csv-parse drops a byte-order mark elsewhere too.
  if (Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).indexOf(BOM, bom) !== -1) return undefined
  const firstLf = bytes.indexOf(LF, bom)
  const crlf = firstLf > 0 && bytes[firstLf - 1] === CR
  let count = 0
  for (let i = firstLf; i !== -1; i = bytes.indexOf(LF, i + 1)) count++
  const spans = new Uint32Array(2 * (count + 1))
  let start = bom
  let n = 0
  for (let i = firstLf; i !== -1; i = bytes.indexOf(LF, i + 1)) {
    const hasCr = i > start && bytes[i - 1] === CR
    if (hasCr !== crlf) return undefined
    spans[n++] = start
    spans[n++] = hasCr ? i - 1 : i
    start = i + 1
  }
  spans[n++] = start
  spans[n++] = bytes.length
  return spans
}

/**
 * Reads the records of `bytes` (UTF-8, an optional BOM) separated by `delimiter` (one ASCII
 * character), calling `onRecord` with each record's fields and its line (1-based, as csv-parse's
 * info.lines); empty lines are skipped. Returns false, without calling `onRecord` at all, when the
 * file is outside the subset this reads.
 */
export function readPlainCsv(bytes: Uint8Array, delimiter: string, onRecord: (record: string[], line: number) => void): boolean {
  const separator = delimiter.charCodeAt(0)
  if (delimiter.length !== 1 || separator > 0x7f || separator === QUOTE || separator === CR || separator === LF) return false
  const lines = lineSpans(bytes)
  if (!lines) return false
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const spans: Spans = []
  // First pass: every line inside the subset, so that onRecord is never called for a file declined.
  for (let k = 0; k < lines.length; k += 2) {
    const start = lines[k]!
    const end = lines[k + 1]!
    if (start === end) continue
    if (!splitLine(buffer, start, end, separator, spans)) return false
    if (spans.length === 3 && spans[0] === spans[1] && spans[2] === 0) return false
  }
  for (let k = 0; k < lines.length; k += 2) {
    const start = lines[k]!
    const end = lines[k + 1]!
    if (start === end) continue
    splitLine(buffer, start, end, separator, spans)
    const record: string[] = new Array<string>(spans.length / 3)
    for (let f = 0; f < spans.length; f += 3) record[f / 3] = fieldText(buffer, spans[f]!, spans[f + 1]!, spans[f + 2] === 1)
    onRecord(record, k / 2 + 1)
  }
  return true
}
