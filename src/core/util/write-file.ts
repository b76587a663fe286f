/**
 * Writing a file atomically: a temporary file in the same folder, then rename, so an interrupted
 * run (Ctrl-C, kill, a crash) leaves either the old file or the new one under the name, never a
 * truncated one. The temporary name starts with `.`, holds the process id and ends in `.tmp`, so a
 * later run can tell a leftover of a dead process (removeStaleTemporaries) from a live one's.
 */
import {closeSync, fsyncSync, linkSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, writeSync} from 'node:fs'
import {randomBytes} from 'node:crypto'
import {basename, dirname, join} from 'node:path'

/** Writes all of `bytes` to an open file. */
export function writeAll(fd: number, bytes: Uint8Array): void {
  let off = 0
  while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off)
}

const TEMPORARY = /^\..+\.(\d+)\.[0-9a-f]{8}\.tmp$/

/**
 * Writes `bytes` to `path` atomically, creating folders as needed; `fsync: false` skips the flush to disk.
 * `noClobber`: the file appears under `path` only if nothing is there, decided by the kernel at that
 * moment (a hard link, which fails with EEXIST, instead of a rename, which replaces), so a file
 * created between a caller's check and this write is never overwritten.
 */
export function writeFileAtomic(path: string, bytes: Uint8Array, options: {fsync?: boolean; mkdir?: boolean; noClobber?: boolean} = {}): void {
  const durable = options.fsync !== false
  const dir = dirname(path)
  if (options.mkdir !== false) mkdirSync(dir, {recursive: true})
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`)
  // 'wx' (O_CREAT | O_EXCL): created here or not at all, never through a link or file planted at the name;
  // when that fails nothing of ours exists, and what is at the name is not ours to remove.
  let fd: number | undefined = openSync(tmp, 'wx', 0o644)
  try {
    writeAll(fd, bytes)
    if (durable) fsyncSync(fd)
    closeSync(fd)
    fd = undefined
    if (options.noClobber) {
      linkSync(tmp, path)
      rmSync(tmp, {force: true})
    } else renameSync(tmp, path)
  } catch (error) {
    if (fd !== undefined) closeSync(fd)
    rmSync(tmp, {force: true})
    throw error
  }
  if (durable) syncDirectory(dir)
}

/** Makes renames in `dir` durable; not possible on every platform, harmless to skip. */
export function syncDirectory(dir: string): void {
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

/** Whether a process with this id exists (EPERM: it does, owned by someone else). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** Removes writeFileAtomic's temporary files in `dir` left by processes that are gone (killed mid-write). */
export function removeStaleTemporaries(dir: string): void {
  let names: string[]
  try {
    names = readdirSync(dir)
  } catch {
    return
  }
  for (const name of names) {
    const m = TEMPORARY.exec(name)
    if (!m) continue
    const pid = Number(m[1])
    if (pid !== process.pid && processAlive(pid)) continue
    rmSync(join(dir, name), {force: true})
  }
}
