/**
 * Writing output files: atomically (a temporary file in the same folder, then rename), so an
 * interrupted run (Ctrl-C, kill, a crash of the tool) leaves either the old file or the new one
 * under each name, never a truncated profile; and with file names that are safe for any address.
 *
 * Flushing every file to disk (fsync) before its rename also survives power loss, but costs
 * about 3 ms per file on a VM disk (30 s for 10,000 per-user profiles, against 2.7 s without):
 * `writeOutputs` does it only when asked (`build --fsync`); the manifest, written last, is always
 * flushed.
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

/** Writes `bytes` to `path` atomically, creating folders as needed; `fsync: false` skips the flush to disk. */
export function writeFileAtomic(path: string, bytes: Uint8Array, options: {fsync?: boolean; mkdir?: boolean} = {}): void {
  const durable = options.fsync !== false
  const dir = dirname(path)
  if (options.mkdir !== false) mkdirSync(dir, {recursive: true})
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`)
  let fd: number | undefined
  try {
    fd = openSync(tmp, 'wx', 0o644)
    let off = 0
    while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off)
    if (durable) fsyncSync(fd)
    closeSync(fd)
    fd = undefined
    renameSync(tmp, path)
  } catch (error) {
    if (fd !== undefined) closeSync(fd)
    rmSync(tmp, {force: true})
    throw error
  }
  if (durable) syncDirectory(dir)
}

/** Makes renames in `dir` durable; not possible on every platform, harmless to skip. */
function syncDirectory(dir: string): void {
  try {
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
export function writeOutputs(outDir: string, files: ReadonlyArray<{path: string; bytes: Uint8Array}>, manifest?: {path: string; bytes: Uint8Array}, options: {fsync?: boolean} = {}): string[] {
  const written: string[] = []
  const made = new Set<string>()
  const targetOf = (path: string): string => {
    if (path.split('/').some((part) => part === '' || part === '.' || part === '..')) throw new Error(`mailprofile bug: unsafe output path ${path}`)
    return join(outDir, ...path.split('/'))
  }
  for (const f of files) {
    const target = targetOf(f.path)
    const dir = dirname(target)
    if (!made.has(dir)) {
      mkdirSync(dir, {recursive: true})
      made.add(dir)
    }
    writeFileAtomic(target, f.bytes, {fsync: options.fsync === true, mkdir: false})
    written.push(target)
  }
  if (options.fsync) for (const dir of made) syncDirectory(dir)
  if (manifest) {
    const target = targetOf(manifest.path)
    writeFileAtomic(target, manifest.bytes)
    written.push(target)
  }
  return written
}
