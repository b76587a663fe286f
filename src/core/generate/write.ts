/**
 * Writing output files: atomically (util/write-file.ts: a temporary file, then rename), so an
 * interrupted run (Ctrl-C, kill, a crash of the tool) leaves either the old file or the new one
 * under each name, never a truncated profile; and with file names that are safe for any address.
 *
 * Flushing every file to disk (fsync) before its rename also survives power loss, but costs
 * about 3 ms per file on a VM disk (30 s for 10,000 per-user profiles, against 2.7 s without):
 * `writeOutputs` does it only when asked (`build --fsync`); the manifest, written last, is always
 * flushed.
 */
import {closeSync, fsyncSync, mkdirSync, openSync, readdirSync, renameSync, rmSync} from 'node:fs'
import {dirname, join} from 'node:path'

import {sha256Hex} from '../util/hash.js'
import {processAlive, syncDirectory, writeAll, writeFileAtomic} from '../util/write-file.js'

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

const STAGING_PREFIX = '.mailprofile-staging-'

/**
 * The folder inside `outDir` where worker threads of a parallel build write finished files before
 * writeOutputs renames them into place (same file system, so each rename is atomic). One per
 * process; removed when the build ends.
 */
export function stagingDir(outDir: string): string {
  return join(outDir, `${STAGING_PREFIX}${process.pid}`)
}

/** Folders this thread has created in staging folders (one mkdir per folder, not per file). */
const stagedDirs = new Set<string>()

/** Writes one file into the staging folder under its output path; returns where. */
export function stageFile(outDir: string, path: string, bytes: Uint8Array, options: {fsync?: boolean} = {}): string {
  const target = join(stagingDir(outDir), ...safeParts(path))
  const dir = dirname(target)
  if (!stagedDirs.has(dir)) {
    mkdirSync(dir, {recursive: true})
    stagedDirs.add(dir)
  }
  const fd = openSync(target, 'w', 0o644)
  try {
    writeAll(fd, bytes)
    if (options.fsync) fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
  return target
}

/** Removes this process's staging folder (after a build, or instead of one that found errors). */
export function discardStaging(outDir: string): void {
  const root = stagingDir(outDir)
  rmSync(root, {recursive: true, force: true})
  for (const dir of stagedDirs) if (dir === root || dir.startsWith(`${root}/`) || dir.startsWith(`${root}\\`)) stagedDirs.delete(dir)
}

/** Removes staging folders left in `outDir` by builds that were killed (their process is gone). */
export function removeAbandonedStaging(outDir: string): void {
  let names: string[]
  try {
    names = readdirSync(outDir)
  } catch {
    return
  }
  for (const name of names) {
    if (!name.startsWith(STAGING_PREFIX)) continue
    const pid = Number(name.slice(STAGING_PREFIX.length))
    if (!Number.isInteger(pid) || pid === process.pid || processAlive(pid)) continue
    rmSync(join(outDir, name), {recursive: true, force: true})
  }
}

function safeParts(path: string): string[] {
  const parts = path.split('/')
  if (parts.some((part) => part === '' || part === '.' || part === '..')) throw new Error(`mailprofile bug: unsafe output path ${path}`)
  return parts
}

/**
 * Writes every output under `outDir`, each atomically, then the manifest last (a pipeline that
 * sees the manifest sees every file it lists): bytes through a temporary file and a rename, files a
 * worker staged (stageFile) by a rename from the staging folder. Returns the absolute paths written.
 */
export function writeOutputs(outDir: string, files: ReadonlyArray<{path: string; bytes: Uint8Array} | {path: string; staged: string}>, manifest?: {path: string; bytes: Uint8Array}, options: {fsync?: boolean} = {}): string[] {
  const written: string[] = []
  const made = new Set<string>()
  const targetOf = (path: string): string => join(outDir, ...safeParts(path))
  for (const f of files) {
    const target = targetOf(f.path)
    const dir = dirname(target)
    if (!made.has(dir)) {
      mkdirSync(dir, {recursive: true})
      made.add(dir)
    }
    if ('staged' in f) renameSync(f.staged, target)
    else writeFileAtomic(target, f.bytes, {fsync: options.fsync === true, mkdir: false})
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
