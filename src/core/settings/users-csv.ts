import {parse} from 'csv-parse/sync'

import {InputError} from '../errors.js'
import type {Finding, SourceLocation} from '../findings.js'
import {suggest} from '../suggest.js'
import {settingsFinding} from './codes.js'
import {PackedUsersBuilder, Users, type UserList} from './user-list.js'
import {isSecretKey, passwordFinding} from './rules/secrets.js'
import {bomLength, readPlainCsv} from './plain-csv.js'

const COLUMNS = ['address', 'name', 'login'] as const
type Column = (typeof COLUMNS)[number]

/** The separators a users CSV may use: spreadsheets in many locales export `;`, some tools tab. */
const DELIMITERS = [',', ';', '\t'] as const
const DELIMITER_NAMES: Record<string, string> = {',': 'commas', ';': 'semicolons', '\t': 'tabs'}

/**
 * What exports call the three columns, written as `headerKey` gives them (lower case, letters and
 * digits only, annotations such as Google's "[Required]" dropped): Google Workspace ("Email Address
 * [Required]"), Microsoft 365 ("User principal name", "Display name"; its import template's "User
 * Name" is the address too, but a bare "username" is usually a login), cPanel ("email"), Active
 * Directory ("sAMAccountName", "User logon name").
 */
const ALIASES: Record<string, Column> = {
  email: 'address',
  mail: 'address',
  emailaddress: 'address',
  mailaddress: 'address',
  primaryemail: 'address',
  emailaccount: 'address',
  mailbox: 'address',
  userprincipalname: 'address',
  upn: 'address',
  displayname: 'name',
  fullname: 'name',
  realname: 'name',
  sendername: 'name',
  logon: 'login',
  logonname: 'login',
  userlogonname: 'login',
  loginname: 'login',
  username: 'login',
  user: 'login',
  userid: 'login',
  uid: 'login',
  accountname: 'login',
  samaccountname: 'login',
  mailnickname: 'login',
}
const SPELLINGS = [...COLUMNS, ...Object.keys(ALIASES)]
/** Columns exports carry that mean none of the three, though some are spelt close to one ("surname" to "username"). */
const OTHER_COLUMNS = new Set(['firstname', 'lastname', 'givenname', 'surname', 'familyname', 'middlename', 'domain', 'quota', 'department', 'title', 'jobtitle', 'phone', 'mobilephone', 'orgunitpath', 'status', 'licenses'])
const NAME_PARTS = new Set(['firstname', 'lastname', 'givenname', 'surname', 'familyname'])

/** A header cell reduced to what names it: "Email Address [Required]" → "emailaddress", "E-Mail" → "email". */
function headerKey(cell: string): string {
  return cell
    .toLowerCase()
    .replace(/\[[^\]]*\]|\([^)]*\)/g, '')
    .replace(/[^\p{L}\p{N}]/gu, '')
}

/** The column a header cell most likely means (an export's name for it, or a misspelling), or undefined. */
function likelyColumn(cell: string): Column | undefined {
  const key = headerKey(cell)
  if (key === '' || OTHER_COLUMNS.has(key)) return undefined
  if ((COLUMNS as readonly string[]).includes(key)) return key as Column
  if (ALIASES[key]) return ALIASES[key]
  const near = suggest(key, SPELLINGS)
  return near === undefined ? undefined : ((COLUMNS as readonly string[]).includes(near) ? (near as Column) : ALIASES[near])
}

/**
 * A header cell as a message may show it: header names only, never anything that may be data (a
 * `usersFile` pointing at the wrong file has a first line such as `DB_PASSWORD=…`).
 */
function shown(cell: string, position: number): string {
  return /^[\p{L}\p{N}][\p{L}\p{N} _.\-[\]()#/|]{0,39}$/u.test(cell) && !/[=:]/.test(cell) ? `"${cell}"` : `column ${position + 1}`
}

/** The header line's cells (split outside quotes on `delimiter`) with their 1-based start columns. */
function splitHeaderLine(line: string, delimiter: string): {count: number; columns: number[]} {
  const columns = [1]
  let quoted = false
  for (let i = 0; i < line.length; i++) {
    const c = line[i]
    if (c === '"') quoted = !quoted
    else if (c === delimiter && !quoted) columns.push(i + 2)
  }
  // Point at each cell's first character, past the spaces that `trim` drops.
  return {count: columns.length, columns: columns.map((col) => col + (/^ */.exec(line.slice(col - 1))?.[0].length ?? 0))}
}

/** The delimiter the header line uses: the candidate that splits it into the most cells (commas when none does). */
function detectDelimiter(headerLine: string): string {
  let best: string = ','
  let bestCount = 1
  for (const d of DELIMITERS) {
    const {count} = splitHeaderLine(headerLine, d)
    if (count > bestCount) {
      best = d
      bestCount = count
    }
  }
  return best
}

/**
 * The first line of the file that is not blank, and its index (lines split at CRLF, LF or CR, as
 * csv-parse counts them), decoded from the bytes up to it only: the header is found without
 * splitting a file of a million rows into lines.
 */
function headerLineOf(bytes: Uint8Array): {index: number; line: string} {
  let start = bomLength(bytes)
  for (let index = 0; start <= bytes.length; index++) {
    let end = start
    while (end < bytes.length && bytes[end] !== 0x0a && bytes[end] !== 0x0d) end++
    const line = Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start).toString('utf8')
    if (line.trim() !== '') return {index, line}
    if (end >= bytes.length) break
    start = end + (bytes[end] === 0x0d && bytes[end + 1] === 0x0a ? 2 : 1)
  }
  return {index: -1, line: ''}
}

/** How many line breaks the bytes hold (to size the users table once). */
function lineCount(bytes: Uint8Array): number {
  let n = 1
  for (let i = bytes.indexOf(0x0a); i !== -1; i = bytes.indexOf(0x0a, i + 1)) n++
  return n
}

/** How csv-parse reads a users CSV (what plain-csv.ts reads alike, and its test checks it against). */
export const CSV_PARSE_OPTIONS = {relax_column_count: true, skip_empty_lines: true, trim: true, bom: true} as const

/** Reads the records with csv-parse, the reader of record; a syntax error is an InputError at its line. */
function readWithCsvParse(bytes: Uint8Array, delimiter: string, file: string, onRecord: (record: string[], line: number) => void): void {
  try {
    parse(bytes, {
      ...CSV_PARSE_OPTIONS,
      delimiter,
      on_record: (record: string[], info: {lines: number}) => {
        onRecord(record, info.lines)
        return null
      },
    })
  } catch (error) {
    const e = error as {code?: string; lines?: number}
    throw new InputError(`CSV syntax error: ${csvErrorKind(e.code)}`, {file, line: e.lines})
  }
}

/**
 * Reads users from CSV text (or its UTF-8 bytes): a header row naming `address` (required), `name`
 * and `login` (optional, any order), separated by commas, semicolons or tabs (detected from the
 * header row). Each user remembers its CSV line for findings. A header that names no `address`
 * column is a finding (with the column it probably meant); CSV syntax errors are InputErrors.
 * Rows are taken one at a time into a compact table (user-list.ts), never held as parsed records.
 */
export function parseUsersCsv(input: string | Uint8Array, file: string): {users: UserList; findings: Finding[]} {
  const bytes = typeof input === 'string' ? Buffer.from(input.replace(/^\uFEFF/, ''), 'utf8') : input
  const {index: headerIndex, line: headerLine} = headerLineOf(bytes)
  const delimiter = detectDelimiter(headerLine)
  const builder = new PackedUsersBuilder(file, lineCount(bytes), bytes.length)
  let header: HeaderRead | undefined
  let cells: string[] | undefined
  let line = 0
  const onRecord = (record: string[], lines: number): void => {
    if (cells === undefined) {
      cells = record
      line = lines
      return
    }
    header ??= readHeader(cells, {file, line, headerIndex, headerLine, delimiter})
    const at = header.addressColumn
    if (at === undefined) return
    const get = (i: number | undefined): string | undefined => {
      const v = i === undefined ? undefined : record[i]
      return v === undefined || v === '' ? undefined : v
    }
    builder.add(record[at] ?? '', get(header.nameColumn), get(header.loginColumn), lines)
  }
  // The common plain file is read by plain-csv.ts; anything else, and every syntax error, by csv-parse.
  if (!readPlainCsv(bytes, delimiter, onRecord)) readWithCsvParse(bytes, delimiter, file, onRecord)
  if (!cells) throw new InputError('users CSV is empty: expected a header row `address,name,login`', {file, line: 1, column: 1})
  header ??= readHeader(cells, {file, line, headerIndex, headerLine, delimiter})
  return {users: new Users({inline: [], packed: builder.finish()}), findings: header.findings}
}

interface HeaderRead {
  findings: Finding[]
  /** Where the columns are; no address column means no user is read. */
  addressColumn?: number
  nameColumn?: number
  loginColumn?: number
}

/** The header row's findings and columns. */
function readHeader(cells: string[], where: {file: string; line: number; headerIndex: number; headerLine: string; delimiter: string}): HeaderRead {
  const {file, line, headerIndex, headerLine, delimiter} = where
  const findings: Finding[] = []
  const split = line === headerIndex + 1 ? splitHeaderLine(headerLine, delimiter) : undefined
  const at = (i: number): SourceLocation => ({file, line, column: split?.count === cells.length ? split.columns[i]! : 1})
  const dataAt = cells.findIndex((c) => c.includes('@'))
  if (dataAt !== -1) {
    // A first row with an address in it is data, not a header: show none of it.
    const finding = settingsFinding('missing-key', {
      message: `The users CSV has no header row: its first row holds data (an email address in column ${dataAt + 1}), so no user is read.`,
      fix: `Add a header row naming the columns as the first line, e.g. \`${['address', 'name', 'login'].slice(0, Math.max(1, cells.length)).join(DELIMITER_NAMES[delimiter] === 'commas' ? ',' : delimiter === '\t' ? '\\t' : delimiter)}\`.`,
      source: at(dataAt),
    })
    return {findings: [finding]}
  }
  const header = cells.map((h) => h.toLowerCase())
  const index = new Map<string, number>()
  header.forEach((h, i) => {
    if ((COLUMNS as readonly string[]).includes(h) && !index.has(h)) index.set(h, i)
  })
  const unknown = header.flatMap((h, i) => (index.get(h) === i ? [] : [i]))
  for (const i of unknown) {
    const cell = cells[i]!
    const name = shown(cell, i)
    if (isSecretKey(header[i]!)) {
      findings.push(passwordFinding(name.replace(/^"|"$/g, ''), `the CSV header (column ${i + 1})`, at(i)))
      continue
    }
    const meant = likelyColumn(cell)
    const free = meant !== undefined && !index.has(meant)
    const missingAddress = meant === 'address' && !index.has('address')
    findings.push(
      settingsFinding('unknown-key', {
        message: index.has(header[i]!)
          ? `CSV column ${name} appears twice in the header; the first one is read.`
          : `Unknown CSV column ${name}${free ? `: did you mean "${meant}"?` : '.'} The columns are address, name, login${missingAddress ? '; without an `address` column no user is read' : ''}${NAME_PARTS.has(headerKey(cell)) && !index.has('name') ? '; the sender name is one `name` column (e.g. "Jane Doe"), not first and last names' : ''}.`,
        fix: free ? `Rename the header ${name} to "${meant}".` : 'Rename or remove the column.',
        source: at(i),
      }),
    )
  }
  if (!index.has('address')) {
    // Said once: by the unknown column that means `address` when there is one, here otherwise.
    if (!unknown.some((i) => likelyColumn(cells[i]!) === 'address')) findings.push(noAddressColumn(cells, headerLine, delimiter, {file, line, column: 1}))
    return {findings}
  }
  return {findings, addressColumn: index.get('address'), nameColumn: index.get('name'), loginColumn: index.get('login')}
}

/** No `address` column and none that looks like it: say what the header holds and how it was split. */
function noAddressColumn(cells: readonly string[], headerLine: string, delimiter: string, source: SourceLocation): Finding {
  const found =
    cells.length === 1
      ? `one column${shown(cells[0]!, 0).startsWith('"') ? `, ${shown(cells[0]!, 0)}` : ''}${/[|:,;\t]/.test(headerLine) && !/[,;\t]/.test(headerLine) ? ' (columns are separated by commas, semicolons or tabs, not by the character this file uses)' : ''}`
      : `${cells.length} columns separated by ${DELIMITER_NAMES[delimiter]}: ${cells.map((c, i) => shown(c, i)).join(', ')}`
  return settingsFinding('missing-key', {
    message: `The users CSV header has no "address" column, so no user is read; the header row has ${found}.`,
    fix: 'Start the file with a header row naming the columns, e.g. `address,name,login` (the column of email addresses is "address").',
    source,
  })
}

/**
 * What went wrong, from csv-parse's error code, never its message: the message quotes fields
 * (`value is "DB_PASSWORD=…"`), and usersFile may point at a file that is not a users CSV.
 */
function csvErrorKind(code: string | undefined): string {
  switch (code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      return 'a quoted field is never closed (missing closing quote)'
    case 'CSV_INVALID_CLOSING_QUOTE':
      return 'text follows the closing quote of a field (write "" for a quote inside a quoted field)'
    case 'INVALID_OPENING_QUOTE':
      return 'a quote inside an unquoted field (quote the whole field and write "" for the quote)'
    case 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH':
    case 'CSV_RECORD_INCONSISTENT_COLUMNS':
      return 'a row has another number of fields than the header'
    case 'CSV_MAX_RECORD_SIZE':
      return 'a row is too long'
    default:
      return `the file cannot be read as CSV${code ? ` (${code})` : ''}`
  }
}
