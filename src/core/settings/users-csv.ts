import {parse} from 'csv-parse/sync'

import {settingsFinding} from './codes.js'
import {InputError} from '../errors.js'
import type {Finding} from '../findings.js'
import type {UserSettings} from './model.js'
import {isSecretKey, passwordFinding} from './rules/secrets.js'

const COLUMNS = ['address', 'name', 'login'] as const

/**
 * Reads users from CSV text: a header row naming `address` (required), `name` and `login`
 * (optional, any order). Each user remembers its CSV line for findings.
 */
export function parseUsersCsv(text: string, file: string): {users: UserSettings[]; findings: Finding[]} {
  let records: Array<{record: string[]; info: {lines: number}}>
  try {
    records = parse(text, {info: true, relax_column_count: true, skip_empty_lines: true, trim: true, bom: true}) as unknown as typeof records
  } catch (error) {
    const e = error as {code?: string; lines?: number}
    throw new InputError(`CSV syntax error: ${csvErrorKind(e.code)}`, {file, line: e.lines})
  }
  const findings: Finding[] = []
  const header = records[0]?.record.map((h) => h.toLowerCase())
  if (!header) throw new InputError('users CSV is empty: expected a header row `address,name,login`', {file, line: 1, column: 1})
  const index = new Map<string, number>()
  header.forEach((h, i) => {
    if ((COLUMNS as readonly string[]).includes(h)) index.set(h, i)
    else if (isSecretKey(h)) findings.push(passwordFinding(header[i]!, `the CSV header (column ${i + 1})`, {file, line: records[0]!.info.lines, column: 1}))
    else
      findings.push(settingsFinding('unknown-key', {
        message: `Unknown CSV column "${header[i]}"; the columns are address, name, login.`,
        fix: 'Rename or remove the column.',
        source: {file, line: records[0]!.info.lines, column: 1},
      }))
  })
  const addressColumn = index.get('address')
  if (addressColumn === undefined) throw new InputError('users CSV has no `address` column in its header row', {file, line: records[0]!.info.lines, column: 1})
  const users: UserSettings[] = []
  for (const {record, info} of records.slice(1)) {
    const get = (name: string): string | undefined => {
      const i = index.get(name)
      const v = i === undefined ? undefined : record[i]
      return v === undefined || v === '' ? undefined : v
    }
    users.push({address: record[addressColumn] ?? '', name: get('name'), login: get('login'), source: {file, line: info.lines, column: 1}})
  }
  return {users, findings}
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
