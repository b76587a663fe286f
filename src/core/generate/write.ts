/**
 * Writing output files: atomically (a temporary file in the same folder, fsync, rename), so an
 * interrupted run leaves either the old file or the new one, never a truncated profile; and with
 * file names that are safe for any address.
 */
import {closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync} from 'node:fs'
import {randomBytes} from 'node:crypto'
import {basename, dirname, join} from 'node:path'

import {sha256Hex} from './ids.js'

const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$/i
const MAX_NAME = 180

/**
 * A file name for any string (an address, a domain): readable when the string is ordinary
 * (`alice@example.com`), and collision-free otherwise: anything outside `a-z 0-9 @ . _ + -`,
 * upper case (case-insensitive file systems), leading dots, `..`, Windows device names and
 * over-long names are rewritten, and then a hash of the original string is appended.
 */
export function safeFileName(name: string): string {
  let safe = name.toLowerCase().replace(/[^a-z0-9@._+-]/g, '_').replace(/\.{2,}/g, '_').replace(/^[.-]+/, '_')
  if (safe === '' || WINDOWS_RESERVED.test(safe)) safe = `_${safe}`
  if (safe.length > MAX_NAME) safe = safe.slice(0, MAX_NAME)
  return safe === name ? safe : `${safe}~${sha256Hex(name).slice(0, 8)}`
}

/** Writes `bytes` to `path` atomically, creating folders as needed. */
export function writeFileAtomic(path: string, bytes: Uint8Array): void {
  const dir = dirname(path)
  mkdirSync(dir, {recursive: true})
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`)
  let fd: number | undefined
  try {
    fd = openSync(tmp, 'wx', 0o644)
    let off = 0
    while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off)
    fsyncSync(fd)
    closeSync(fd)
    fd = undefined
    renameSync(tmp, path)
  } catch (error) {
    if (fd !== undefined) closeSync(fd)
    rmSync(tmp, {force: true})
    throw error
  }
  try {
    // Make the rename itself durable; not possible on every platform, harmless to skip.
    const dfd = openSync(dir, 'r')
    try {
      fsyncSync(dfd)
    } finally {
      closeSync(dfd)
    }
  } catch {
    // ignore
  }
}

/**
 * Writes every output under `outDir`, each atomically, then the manifest last (a pipeline that
 * sees the manifest sees every file it lists). Returns the absolute paths written.
 */
export function writeOutputs(outDir: string, files: ReadonlyArray<{path: string; bytes: Uint8Array}>, manifest?: {path: string; bytes: Uint8Array}): string[] {
  const written: string[] = []
  for (const f of [...files, ...(manifest ? [manifest] : [])]) {
    if (f.path.split('/').some((part) => part === '' || part === '.' || part === '..')) throw new Error(`mailprofile bug: unsafe output path ${f.path}`)
    const target = join(outDir, ...f.path.split('/'))
    writeFileAtomic(target, f.bytes)
    written.push(target)
  }
  return written
}
