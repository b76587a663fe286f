/**
 * Paths inside the output folder (`build --out DIR`) that are safe to read, replace or delete: the
 * folder is taken by its real path once, and every folder between it and a file must be a real
 * folder (lstat: never a symbolic link), so nothing build writes, reads back or removes can land
 * outside DIR, whatever an earlier manifest or a planted link says.
 */
import {closeSync, constants, fstatSync, lstatSync, mkdirSync, openSync, readSync, realpathSync, rmdirSync, unlinkSync} from 'node:fs'
import {dirname, join} from 'node:path'

/** The output folder's real path; created (with its parents) when missing, and then `created` is the first folder made. */
export function realOutputFolder(outDir: string): {real: string; created?: string} {
  const created = mkdirSync(outDir, {recursive: true})
  return {real: realpathSync(outDir), created}
}

/** Removes the folders realOutputFolder made (from `outDir` up to `created`), when they are empty. */
export function removeCreatedFolders(outDir: string, created: string): void {
  for (let dir = outDir; ; dir = dirname(dir)) {
    try {
      rmdirSync(dir)
    } catch {
      return
    }
    if (dir === created || dirname(dir) === dir) return
  }
}

/**
 * A manifest path split into its parts when it is relative, `/`-separated and stays inside the
 * folder: no empty part, no `.` or `..`, no backslash, and no hidden part (build writes none, and
 * staging folders and `.git` are hidden).
 */
export function outputPathParts(path: unknown): string[] | undefined {
  if (typeof path !== 'string' || path === '' || path.includes('\\') || path.includes('\0')) return undefined
  const parts = path.split('/')
  return parts.some((p) => p === '' || p.startsWith('.')) ? undefined : parts
}

/** Whether `abs` is a real folder (not a link to one). */
function isRealFolder(abs: string): boolean {
  try {
    return lstatSync(abs).isDirectory()
  } catch {
    return false
  }
}

/**
 * The absolute path of the regular file at `parts` under the real folder `root`, when every folder
 * on the way is a real folder inside `root` and the file itself is a regular file (not a link, a
 * FIFO or a device); undefined otherwise.
 */
export function ownedFile(root: string, parts: readonly string[]): string | undefined {
  let dir = root
  for (const part of parts.slice(0, -1)) {
    dir = join(dir, part)
    if (!isRealFolder(dir)) return undefined
  }
  const abs = join(dir, parts[parts.length - 1]!)
  try {
    if (!lstatSync(abs).isFile()) return undefined
    // Belt and braces: the folder's real path is where the walk says it is.
    if (realpathSync(dir) !== dir) return undefined
  } catch {
    return undefined
  }
  return abs
}

/** Reads a file ownedFile returned, refusing to follow a link put there since (O_NOFOLLOW). */
export function readOwnedFile(abs: string): Buffer | undefined {
  let fd: number
  try {
    fd = openSync(abs, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0))
  } catch {
    return undefined
  }
  try {
    const stat = fstatSync(fd)
    if (!stat.isFile()) return undefined
    const bytes = Buffer.allocUnsafe(stat.size)
    let off = 0
    while (off < bytes.length) {
      const n = readSync(fd, bytes, off, bytes.length - off, off)
      if (n === 0) break
      off += n
    }
    return bytes.subarray(0, off)
  } finally {
    closeSync(fd)
  }
}

/** Deletes the file at `parts` under `root` only when ownedFile accepts it (unlink never follows the last part). */
export function removeOwnedFile(root: string, parts: readonly string[]): boolean {
  const abs = ownedFile(root, parts)
  if (!abs) return false
  try {
    unlinkSync(abs)
    return true
  } catch {
    return false
  }
}
