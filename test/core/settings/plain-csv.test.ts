// src/core/settings/plain-csv.ts is checked against csv-parse (the reader of record), with the
// options src/core/settings/users-csv.ts gives it: whenever our reader reads a file, csv-parse reads
// the same records, at the same lines, without an error. It must also read the files it exists for
// (the examples, exports with quoted names, CRLF files) and decline what it does not handle.
import {readFileSync} from 'node:fs'
import {join} from 'node:path'

import {parse} from 'csv-parse/sync'
import fc from 'fast-check'
import {describe, expect, it} from 'vitest'

import {readPlainCsv} from '../../../src/core/settings/plain-csv.js'
import {CSV_PARSE_OPTIONS} from '../../../src/core/settings/users-csv.js'

const root = join(import.meta.dirname, '..', '..', '..')

interface Read {
  records: string[][]
  lines: number[]
}

function ours(bytes: Uint8Array, delimiter: string): Read | undefined {
  const out: Read = {records: [], lines: []}
  const ok = readPlainCsv(bytes, delimiter, (record, line) => {
    out.records.push(record)
    out.lines.push(line)
  })
  if (!ok) {
    expect(out.records, 'records passed on before declining').toEqual([])
    return undefined
  }
  return out
}

function library(bytes: Uint8Array, delimiter: string): Read | {error: string} {
  const out: Read = {records: [], lines: []}
  try {
    parse(Buffer.from(bytes), {
      ...CSV_PARSE_OPTIONS,
      delimiter,
      on_record: (record: string[], info: {lines: number}) => {
        out.records.push(record)
        out.lines.push(info.lines)
        return null
      },
    })
  } catch (error) {
    return {error: (error as {code?: string}).code ?? String(error)}
  }
  return out
}

/** undefined when our reader declines the text or agrees with csv-parse on it; else both readings. */
function disagreement(text: string, delimiter = ','): string | undefined {
  const bytes = Buffer.from(text, 'utf8')
  const mine = ours(bytes, delimiter)
  if (!mine) return undefined
  const theirs = library(bytes, delimiter)
  if ('error' in theirs || JSON.stringify(theirs) !== JSON.stringify(mine)) return `${JSON.stringify(text)}: csv-parse ${JSON.stringify(theirs)}, ours ${JSON.stringify(mine)}`
  return undefined
}

const expectAgreement = (text: string, delimiter?: string) => expect(disagreement(text, delimiter)).toBeUndefined()
const accepts = (text: string, delimiter = ',') => ours(Buffer.from(text, 'utf8'), delimiter) !== undefined

describe('plain CSV reader against csv-parse', () => {
  it('reads the example users file and agrees with csv-parse on it', () => {
    const text = readFileSync(join(root, 'examples', 'users.csv'), 'utf8')
    expect(accepts(text)).toBe(true)
    expectAgreement(text)
  })

  it('reads the forms exports write: quoted fields, doubled quotes, CRLF, a BOM, semicolons and tabs, empty and missing fields', () => {
    const files: [string, string][] = [
      ['address,name,login\r\nana@example.com,"Silva, Ana",ana\r\nben@example.com,"Ben ""B"" Okafor",\r\n', ','],
      ['\uFEFFaddress;name\nana@example.com;Ana Silva\n\nben@example.com;Ben\n', ';'],
      ['address\tname\tlogin\nana@example.com\tAna\t\n', '\t'],
      ['address,name\n  ana@example.com , Ana Silva  \nben@example.com,\n,\n"x@example.com"  ,  "Chloé Martin"\n', ','],
      ['address,name,login\nana@example.com', ','],
      ['', ','],
    ]
    for (const [text, delimiter] of files) {
      expect(accepts(text, delimiter), text).toBe(true)
      expectAgreement(text, delimiter)
    }
  })

  it('declines what it does not read, leaving it (and every syntax error) to csv-parse', () => {
    for (const text of ['a,b"c\n', 'a,"b"c\n', 'a,"b\nc"\n', 'a\rb\r', 'a\nb\r\n', 'a\r\nb\n', 'a,"b\rc"\n', 'a,b\f\n', 'a\n   \nb\n', 'a,"unclosed\n']) expect(accepts(text), JSON.stringify(text)).toBe(false)
    expect(accepts('a,b\n', '"')).toBe(false)
  })

  it('agrees with csv-parse on every file it reads, of characters chosen to meet its edge cases', () => {
    const piece = fc.constantFrom('a', 'b', 'é', '@', ',', ';', '\t', ' ', '"', '""', '\n', '\r\n', '\r', '\f', '\uFEFF', '\u00A0')
    fc.assert(
      fc.property(fc.array(piece, {maxLength: 40}), fc.constantFrom(',', ';', '\t'), (pieces, delimiter) => {
        const problem = disagreement(pieces.join(''), delimiter)
        if (problem) throw new Error(problem)
      }),
      {numRuns: 20_000},
    )
  })

  it('reads nearly every well-formed file of random rows, and agrees with csv-parse on each', () => {
    const cell = fc.oneof(
      fc.stringMatching(/^[a-z@. éÄ-]{0,12}$/),
      fc.stringMatching(/^[a-z, "\t;]{0,12}$/).map((s) => `"${s.replaceAll('"', '""')}"`),
      fc.stringMatching(/^[a-z]{1,6}$/).map((s) => ` ${s}\t`),
    )
    const row = fc.array(cell, {minLength: 1, maxLength: 4})
    let read = 0
    let runs = 0
    fc.assert(
      fc.property(fc.array(row, {minLength: 1, maxLength: 8}), fc.constantFrom('\n', '\r\n'), fc.boolean(), (rows, eol, trailing) => {
        runs++
        const text = rows.map((r) => r.join(',')).join(eol) + (trailing ? eol : '')
        if (accepts(text)) read++
        const problem = disagreement(text)
        if (problem) throw new Error(problem)
      }),
      {numRuns: 5_000},
    )
    // Lines of only blanks (a row of one empty cell) are left to csv-parse; nearly everything else is read.
    expect(read / runs).toBeGreaterThan(0.8)
  })

  it('numbers the lines as csv-parse does over many rows, and reads a large file quickly enough to matter', () => {
    const rows = ['address,name,login']
    for (let i = 0; i < 20_000; i++) rows.push(`user${i}@example.com,${i % 7 === 0 ? '"User, ' + i + '"' : 'User ' + i},${i % 3 === 0 ? 'u' + i : ''}`)
    const text = rows.join('\n') + '\n'
    expect(accepts(text)).toBe(true)
    expectAgreement(text)
  })
})
