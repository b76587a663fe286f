import {dirname, resolve} from 'node:path'

import {settingsFinding} from './codes.js'
import {InputError} from '../errors.js'
import type {Finding} from '../findings.js'
import {parseSource, type SourceDocument} from './document.js'
import {normalizeSettings, normalizeWellFormedParts, type LintSettings, type Locate, type RawSettings, type Settings} from './model.js'
import {MAX_USERS_FILE_BYTES} from './source.js'
import {readTextBytesInput, readTextInput} from '../files.js'
import {displayPath} from './display-path.js'
import {parseUsersCsv} from './users-csv.js'
import {Users, userListData} from './user-list.js'
import {validateSettingsDocument} from './validate.js'
import {wellFormedParts, type Malformed} from './well-formed.js'
import {pushAll} from '../arrays.js'

export interface LoadedSettings {
  doc: SourceDocument
  /** Present when the document passed the schema. */
  settings?: Settings
  /**
   * When the document fails the schema: its well-formed parts, normalized, with the users CSV when
   * `usersFile` is well-formed. For lint's rules only; nothing is checked or built from it.
   */
  partial?: PartialSettings
  /** Schema findings (and CSV structure findings). */
  findings: Finding[]
}

export interface PartialSettings {
  settings: LintSettings
  malformed: Malformed
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
  const {findings, errors} = validateSettingsDocument(doc)
  const baseDir = dirname(resolve(file))
  const locate: Locate = (path, options) => doc.locate(path, options)
  if (findings.length > 0) {
    const parts = wellFormedParts(doc.data as Record<string, unknown>, errors)
    const settings = normalizeWellFormedParts(parts.raw, file, baseDir, locate, parts.keep)
    readUsersFile(parts.raw, settings, doc, findings, options)
    return {doc, partial: {settings, malformed: parts.malformed}, findings}
  }
  const raw = doc.data as RawSettings
  const settings = normalizeSettings(raw, file, baseDir, locate)
  readUsersFile(raw, settings, doc, findings, options)
  return {doc, settings, findings}
}

/** Adds the users of `usersFile` (when there is one) to the settings, and the CSV's findings to `findings`. */
function readUsersFile(raw: RawSettings, settings: Pick<Settings, 'baseDir' | 'file' | 'users'>, doc: SourceDocument, findings: Finding[], options: {maxUsersFileBytes?: number}): void {
  if (!raw.usersFile) return
  const csvPath = resolve(settings.baseDir, raw.usersFile)
  let csvBytes: Buffer
  try {
    csvBytes = readTextBytesInput(csvPath, 'users CSV file', options.maxUsersFileBytes ?? MAX_USERS_FILE_BYTES)
  } catch (error) {
    if (!(error instanceof InputError)) throw error
    findings.push(settingsFinding('users-file-unreadable', {
      // readTextInput's reasons start with what was read ("users CSV file not found"): say it once.
      message: `The users file "${raw.usersFile}" ${error.message.replace(/^users CSV file not found/, 'was not found').replace(/^users CSV file /, '')}.`,
      fix: /limit/.test(error.message) ? 'Split the users over several settings files, or raise the limit with --max-users-file-size MIB.' : 'Fix the path (relative to the settings file) or the file.',
      source: doc.locate(['usersFile']),
    }))
    return
  }
  const fromCsv = parseUsersCsv(csvBytes, displayPath(settings.file, raw.usersFile))
  // The settings' own users first, then the CSV's (kept packed: user-list.ts).
  const inline = [...settings.users]
  if (inline.length === 0) settings.users = fromCsv.users
  else settings.users = new Users({inline, packed: userListData(fromCsv.users).packed})
  pushAll(findings, fromCsv.findings)
}

export {displayPath} from './display-path.js'
