import {parse} from 'csv-parse/sync'

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
    const e = error as {message?: string; lines?: number; column?: number}
    throw new InputError(`CSV syntax error: ${(e.message ?? String(error)).replace(/^Invalid Record Length: /, '')}`, {file, line: e.lines})
  }
  const findings: Finding[] = []
  const header = records[0]?.record.map((h) => h.toLowerCase())
  if (!header) throw new InputError('users CSV is empty: expected a header row `address,name,login`', {file, line: 1, column: 1})
  const index = new Map<string, number>()
  header.forEach((h, i) => {
    if ((COLUMNS as readonly string[]).includes(h)) index.set(h, i)
    else if (isSecretKey(h)) findings.push(passwordFinding(header[i]!, `the CSV header (column ${i + 1})`, {file, line: records[0]!.info.lines, column: 1}))
    else
      findings.push({
        code: 'unknown-key',
        severity: 'error',
        message: `Unknown CSV column "${header[i]}"; the columns are address, name, login.`,
        fix: 'Rename or remove the column.',
        source: {file, line: records[0]!.info.lines, column: 1},
      })
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
