import {readFileSync, statSync} from 'node:fs'

import {InputError} from '../errors.js'

/** Settings files larger than this are refused, not parsed. */
export const MAX_INPUT_BYTES = 8 * 1024 * 1024

/**
 * Users CSV files larger than this are refused unless `--max-users-file-size` raises it: 128 MiB,
 * about 2.8 million users at 45 bytes a line (1,000,000 users are about 45 MB).
 */
export const MAX_USERS_FILE_BYTES = 128 * 1024 * 1024

/**
 * Reads a text input file with the checks every input gets: it exists, is a regular file,
 * is not too large, is UTF-8 text (not binary). Strips a UTF-8 BOM. Never throws anything
 * but InputError for the caller's input.
 */
export function readTextInput(file: string, what = 'file', maxBytes = MAX_INPUT_BYTES): string {
  let size: number
  try {
    const st = statSync(file)
    if (st.isDirectory()) throw new InputError(`is a directory, not a ${what}`, {file})
    if (!st.isFile()) throw new InputError(`is not a regular file`, {file})
    size = st.size
  } catch (error) {
    if (error instanceof InputError) throw error
    throw new InputError(describeFsError(error, what), {file})
  }
  if (size > maxBytes) {
    throw new InputError(`${what} is ${formatBytes(size)}, larger than the ${formatBytes(maxBytes)} limit; is this the right file?`, {file})
  }
  let bytes: Buffer
  try {
    bytes = readFileSync(file)
  } catch (error) {
    throw new InputError(describeFsError(error, what), {file})
  }
  return decodeText(bytes, file, what)
}

export function decodeText(bytes: Uint8Array, file: string, what = 'file'): string {
  const nul = bytes.indexOf(0)
  if (nul !== -1) throw new InputError(`${what} is binary (a NUL byte at offset ${nul}), not text`, {file})
  let text: string
  try {
    text = new TextDecoder('utf-8', {fatal: true}).decode(bytes)
  } catch {
    throw new InputError(`${what} is not valid UTF-8 text`, {file})
  }
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text
}

function describeFsError(error: unknown, what: string): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code
  switch (code) {
    case 'ENOENT':
      return `${what} not found`
    case 'EACCES':
    case 'EPERM':
      return `${what} is not readable (permission denied)`
    case 'EISDIR':
      return `is a directory, not a ${what}`
    default:
      return `${what} cannot be read: ${(error as Error)?.message ?? String(error)}`
  }
}

export function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${(n / (1024 * 1024)).toFixed(1)} MiB`
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KiB`
  return `${n} bytes`
}

/**
 * Reads a (binary) file named inside the settings, such as a certificate or key. Returns the
 * bytes, or a short reason ("not found", "is a directory", …) to put in a finding.
 */
export function readNamedFile(file: string, what: string, maxBytes = 1024 * 1024): {bytes: Buffer} | {problem: string} {
  try {
    const st = statSync(file)
    if (st.isDirectory()) return {problem: `is a directory, not a ${what}`}
    if (!st.isFile()) return {problem: 'is not a regular file'}
    if (st.size > maxBytes) return {problem: `is ${formatBytes(st.size)}, too large for a ${what} (limit ${formatBytes(maxBytes)})`}
    return {bytes: readFileSync(file)}
  } catch (error) {
    return {problem: describeFsError(error, what)}
  }
}
