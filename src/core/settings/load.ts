import {dirname, resolve} from 'node:path'

import {InputError} from '../errors.js'
import type {Finding} from '../findings.js'
import {parseSource, type SourceDocument} from './document.js'
import {normalizeSettings, type RawSettings, type Settings} from './model.js'
import {MAX_USERS_FILE_BYTES} from './source.js'
import {readTextInput} from '../files.js'
import {displayPath} from './display-path.js'
import {parseUsersCsv} from './users-csv.js'
import {validateSettingsDocument} from './validate.js'
import {pushAll} from '../arrays.js'

export interface LoadedSettings {
  doc: SourceDocument
  /** Present when the document passed the schema. */
  settings?: Settings
  /** Schema findings (and CSV structure findings). */
  findings: Finding[]
}

/**
 * Reads, parses and validates a settings file. Throws InputError for input that cannot be
 * used at all (missing, binary, syntax errors); returns schema problems as findings.
 */
export function loadSettings(file: string, options: {maxUsersFileBytes?: number} = {}): LoadedSettings {
  const text = readTextInput(file, 'settings file')
  const doc = parseSource(text, file)
  if (doc.data === null || typeof doc.data !== 'object' || Array.isArray(doc.data)) {
    throw new InputError('is not a settings document: expected a mapping with `version`, `organization` and `domains` at the top', {file, line: 1, column: 1})
  }
  const findings = validateSettingsDocument(doc)
  if (findings.length > 0) return {doc, findings}
  const raw = doc.data as RawSettings
  const baseDir = dirname(resolve(file))
  const settings = normalizeSettings(raw, file, baseDir, (path, options) => doc.locate(path, options))
  if (raw.usersFile) {
    const csvPath = resolve(baseDir, raw.usersFile)
    let csvText: string
    try {
      csvText = readTextInput(csvPath, 'users CSV file', options.maxUsersFileBytes ?? MAX_USERS_FILE_BYTES)
    } catch (error) {
      if (!(error instanceof InputError)) throw error
      findings.push({
        code: 'users-file-unreadable',
        severity: 'error',
        // readTextInput's reasons start with what was read ("users CSV file not found"): say it once.
        message: `The users file "${raw.usersFile}" ${error.message.replace(/^users CSV file not found/, 'was not found').replace(/^users CSV file /, '')}.`,
        fix: /limit/.test(error.message) ? 'Split the users over several settings files, or raise the limit with --max-users-file-size MIB.' : 'Fix the path (relative to the settings file) or the file.',
        source: doc.locate(['usersFile']),
      })
      return {doc, settings, findings}
    }
    const fromCsv = parseUsersCsv(csvText, displayPath(file, raw.usersFile))
    pushAll(settings.users, fromCsv.users)
    pushAll(findings, fromCsv.findings)
  }
  return {doc, settings, findings}
}

export {displayPath} from './display-path.js'
