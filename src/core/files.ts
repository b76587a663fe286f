import {isUtf8} from 'node:buffer'
import {closeSync, constants, fstatSync, openSync, readFileSync} from 'node:fs'

/**
 * Reading the user's files: the one place every input file is read (settings, users CSV, CA and
 * signing files, --ca, --trust, --apple-trust-store), with the same guard for all: it exists, is a
 * regular file (not a device such as /dev/zero, a FIFO or a directory) and is not larger than the
 * limit for its kind, checked before a byte is read.
 */
import {InputError} from './errors.js'

/** Settings files (and the CSV files they name) larger than this are refused, not parsed. */
export const MAX_INPUT_BYTES = 8 * 1024 * 1024

/**
 * Reads an input file that must be UTF-8 text, as its bytes: the same checks as readTextInput
 * without decoding the whole file into one string (a users CSV of 40 MB is parsed from its bytes).
 */
export function readTextBytesInput(file: string, what = 'file', maxBytes = MAX_INPUT_BYTES): Buffer {
  const bytes = readBytesInput(file, what, maxBytes)
  assertText(bytes, file, what)
  return bytes
}

/**
 * Text, not binary: no NUL byte, and valid UTF-8 — what TextDecoder('utf-8', {fatal: true})
 * accepts, checked without its first use initialising ICU's converter (a few ms of every lint's
 * start-up; node:buffer's isUtf8 is the same validation, simdutf).
 */
function assertText(bytes: Uint8Array, file: string, what: string): void {
  const nul = bytes.indexOf(0)
  if (nul !== -1) throw new InputError(`${what} is binary (a NUL byte at offset ${nul}), not text`, {file})
  if (!isUtf8(bytes)) throw new InputError(`${what} is not valid UTF-8 text`, {file})
}

/**
 * Reads a text input file with the checks every input gets: it exists, is a regular file,
 * is not too large, is UTF-8 text (not binary). Strips a UTF-8 BOM. Never throws anything
 * but InputError for the caller's input.
 */
export function readTextInput(file: string, what = 'file', maxBytes = MAX_INPUT_BYTES): string {
  return decodeText(readBytesInput(file, what, maxBytes), file, what)
}

/**
 * Reads an input file's bytes with the guard every input gets (exists, regular file, at most
 * `maxBytes`); anything else is an InputError naming the file and what it should have been.
 */
export function readBytesInput(file: string, what = 'file', maxBytes = MAX_INPUT_BYTES): Buffer {
  const read = readGuarded(file, maxBytes)
  if ('error' in read) throw new InputError(describeFsError(read.error, what), {file})
  if ('refused' in read) {
    if (read.refused === 'directory') throw new InputError(`is a directory, not a ${what}`, {file})
    if (read.refused === 'not-regular') throw new InputError(`is not a regular file`, {file})
    throw new InputError(`${what} is ${formatBytes(read.size)}, larger than the ${formatBytes(maxBytes)} limit; is this the right file?`, {file})
  }
  return read.bytes
}

export function decodeText(bytes: Uint8Array, file: string, what = 'file'): string {
  assertText(bytes, file, what)
  // TextDecoder drops one leading BOM, and a second one was stripped after it: both, as before.
  let text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8')
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1)
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

/** Certificates, keys and PKCS#12 files are small; anything larger is the wrong file. */
export const MAX_NAMED_FILE_BYTES = 1024 * 1024

type Guarded = {bytes: Buffer} | {refused: 'directory' | 'not-regular' | 'too-large'; size: number} | {error: unknown}

/**
 * The guard: opens the file, checks what the descriptor refers to (so the file checked is the file
 * read), refuses anything but a regular file within `maxBytes`, then reads it. A FIFO is opened
 * without blocking, so it is refused rather than waited on.
 */
function readGuarded(file: string, maxBytes: number): Guarded {
  let fd: number
  try {
    // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer forever; it has no
    // effect on the regular files that are then read.
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EISDIR') return {refused: 'directory', size: 0}
    return {error}
  }
  try {
    const st = fstatSync(fd)
    if (st.isDirectory()) return {refused: 'directory', size: 0}
    if (!st.isFile()) return {refused: 'not-regular', size: 0}
    if (st.size > maxBytes) return {refused: 'too-large', size: st.size}
    return {bytes: readFileSync(fd)}
  } catch (error) {
    return {error}
  } finally {
    closeSync(fd)
  }
}

/**
 * Reads a (binary) file named on the command line (`flag`, e.g. "--ca") with the guard every input
 * gets; an unusable file is an InputError naming the flag and the file.
 */
export function readInputFile(file: string, flag: string, what: string, maxBytes = MAX_NAMED_FILE_BYTES): Buffer {
  const read = readGuarded(file, maxBytes)
  if ('bytes' in read) return read.bytes
  let reason: string
  if ('error' in read) {
    const code = (read.error as NodeJS.ErrnoException).code
    reason = code === 'ENOENT' ? 'no such file' : code === 'EACCES' || code === 'EPERM' ? 'permission denied' : (code ?? (read.error as Error).message)
  } else {
    reason = read.refused === 'directory' ? 'it is a directory' : read.refused === 'not-regular' ? 'it is not a regular file' : `it is ${formatBytes(read.size)}, larger than the ${formatBytes(maxBytes)} limit for a ${what}`
  }
  throw new InputError(`${flag ? `${flag}: ` : ''}cannot read the ${what} (${reason})`, {file})
}

/**
 * Reads a (binary) file named inside the settings, such as a certificate or key. Returns the
 * bytes, or a short reason ("not found", "is a directory", …) to put in a finding.
 */
export function readNamedFile(file: string, what: string, maxBytes = MAX_NAMED_FILE_BYTES): {bytes: Buffer} | {problem: string} {
  const read = readGuarded(file, maxBytes)
  if ('bytes' in read) return read
  if ('error' in read) return {problem: describeFsError(read.error, what)}
  if (read.refused === 'directory') return {problem: `is a directory, not a ${what}`}
  if (read.refused === 'not-regular') return {problem: 'is not a regular file'}
  return {problem: `is ${formatBytes(read.size)}, too large for a ${what} (limit ${formatBytes(maxBytes)})`}
}
