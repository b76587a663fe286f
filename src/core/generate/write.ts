/**
 * Writing a build's files: into a staging folder made for this build alone, then moved into place
 * by rename, the manifest last; and with file names that are safe for any address.
 *
 * The staging folder (`.mailprofile-staging-<pid>-XXXXXX` in the output folder, so every rename
 * stays on one file system) is made by mkdtemp: exclusively (a name that exists, or a planted
 * link, is never reused), mode 0700. Files are created in it with O_EXCL and plain names: no
 * per-file temporary name, no per-file rename inside the output folder's own folders. A folder
 * the output folder does not have yet (a first build, a new domain) is moved in whole, with one
 * rename; into folders that exist, each file is renamed over the old one. Every folder on the way
 * must be a real folder inside the output folder: a symbolic link (`out/example.com ->
 * ../elsewhere`) or a file where a folder belongs stops the build before anything is moved
 * (`output-path-unsafe`), so nothing is ever written through a link.
 *
 * Flushing every file to disk (fsync) also survives power loss, but costs about 3 ms per file on
 * a VM disk: it is done only when asked (`build --fsync`); the manifest is always flushed.
 */
import {closeSync, constants, fsyncSync, lstatSync, mkdirSync, mkdtempSync, openSync, readdirSync, renameSync, rmSync, type Dirent} from 'node:fs'
import {dirname, join, sep} from 'node:path'

import {finding} from '../codes.js'
import type {Finding} from '../findings.js'
import {sha256Hex} from '../util/hash.js'
import {processAlive, syncDirectory, writeAll} from '../util/write-file.js'

import {killPoint} from './kill-point.js'

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

export const STAGING_PREFIX = '.mailprofile-staging-'
/** This build's staging folders (mkdtemp adds six characters), and those of builds before this scheme. */
const STAGING_NAME = /^\.mailprofile-staging-(\d+)(-[A-Za-z0-9]{6})?$/
/** writeFileAtomic's temporary files, left by earlier versions' one-thread builds when killed. */
const OLD_TEMPORARY = /^\..+\.(\d+)\.[0-9a-f]{8}\.tmp$/

/** In a staging folder, the manifest to move into place (a hidden name: output folders are never hidden). */
export const stagedManifestName = (manifestFile: string): string => `.${manifestFile}`
/** In a staging folder, the manifest this build found in the output folder (taken out of place before the first move). */
export const previousManifestName = (manifestFile: string): string => `.previous.${manifestFile}`

/** Makes this build's staging folder in the (real) output folder: exclusively, mode 0700. */
export function createStaging(outReal: string): string {
  return mkdtempSync(join(outReal, `${STAGING_PREFIX}${process.pid}-`))
}

/** Folders this thread has created in staging folders (one mkdir per folder, not per file). */
const stagedDirs = new Set<string>()
/** Per staging folder, an output folder (`example.com/users`) → its real path there, made and checked once. */
const stagedFolders = new Map<string, Map<string, string>>()
/** open(2) flags of a staged file: create, never over anything ('wx'). */
const CREATE_EXCLUSIVE = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL

/** A file name that needs no further check to be one plain part of a path. */
const plainName = (name: string): boolean => name !== '' && name !== '.' && name !== '..' && !name.includes('\\')

/** Where an output path goes in the staging folder; its folder is made (once) on the way. */
function stagedPath(staging: string, path: string): string {
  const slash = path.lastIndexOf('/')
  const folder = slash === -1 ? '' : path.slice(0, slash)
  const name = path.slice(slash + 1)
  let folders = stagedFolders.get(staging)
  if (!folders) stagedFolders.set(staging, (folders = new Map()))
  const known = folders.get(folder)
  if (known !== undefined && plainName(name)) return `${known}${sep}${name}`
  const target = join(staging, ...safeParts(path))
  const dir = dirname(target)
  if (!stagedDirs.has(dir)) {
    mkdirSync(dir, {recursive: true})
    stagedDirs.add(dir)
  }
  folders.set(folder, dir)
  return target
}

/** Writes one file into the staging folder under its output path (O_EXCL: never over anything). */
export function stageFile(staging: string, path: string, bytes: Uint8Array, options: {fsync?: boolean} = {}): void {
  const fd = openSync(stagedPath(staging, path), CREATE_EXCLUSIVE, 0o644)
  try {
    writeAll(fd, bytes)
    if (options.fsync) fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
  killPoint('stage')
}

/** Removes a staging folder (after a build, or instead of one that found errors). */
export function discardStaging(staging: string): void {
  rmSync(staging, {recursive: true, force: true})
  stagedFolders.delete(staging)
  for (const dir of stagedDirs) if (dir === staging || dir.startsWith(`${staging}/`) || dir.startsWith(`${staging}\\`)) stagedDirs.delete(dir)
}

/**
 * Staging folders in the (real) output folder left by builds that were killed: real folders
 * (never a link of that name) whose process is gone. `except` is this build's own.
 */
export function abandonedStaging(outReal: string, except?: string): string[] {
  let entries: Dirent[]
  try {
    entries = readdirSync(outReal, {withFileTypes: true})
  } catch {
    return []
  }
  const found: string[] = []
  for (const e of entries) {
    const m = STAGING_NAME.exec(e.name)
    if (!m || !e.isDirectory()) continue
    const pid = Number(m[1])
    const path = join(outReal, e.name)
    if (path === except || pid === process.pid || processAlive(pid)) continue
    found.push(path)
  }
  return found
}

function safeParts(path: string): string[] {
  const parts = path.split('/')
  if (parts.some((part) => part === '' || part === '.' || part === '..' || part.includes('\\'))) throw new Error(`mailprofile bug: unsafe output path ${path}`)
  return parts
}

interface Folder {
  files: string[]
  folders: Map<string, Folder>
  /**
   * Set when, as the tree was made, nothing in the output folder was a real folder at this
   * folder's place: it will be moved whole (or is a finding), so its files and subfolders are not
   * kept (a first build of a million users keeps no list of six million names).
   */
  whole?: true
}

/** Whether `path` is a real folder (not a link to one). */
function isRealFolder(path: string): boolean {
  try {
    return lstatSync(path).isDirectory()
  } catch {
    return false
  }
}

/**
 * The output paths as a tree of folders, as far as the output folder has those folders: below a
 * folder it lacks (or where something else is), only that folder is kept, marked `whole`.
 */
function folderTree(outReal: string, paths: Iterable<string>): Folder {
  const root: Folder = {files: [], folders: new Map()}
  for (const path of paths) {
    const parts = safeParts(path)
    let node = root
    let rel = outReal
    for (let i = 0; i < parts.length - 1 && !node.whole; i++) {
      const part = parts[i]!
      rel = join(rel, part)
      let next = node.folders.get(part)
      if (!next) node.folders.set(part, (next = isRealFolder(rel) ? {files: [], folders: new Map()} : {files: [], folders: new Map(), whole: true}))
      node = next
    }
    if (!node.whole) node.files.push(parts[parts.length - 1]!)
  }
  return root
}

/** One step of moving staged files into place. */
type Move = {kind: 'folder' | 'file'; rel: string[]}

export interface MovePlan {
  moves: Move[]
  /** Folders that exist in the output folder and receive files (for --fsync). */
  folders: string[]
  /** Old temporary files of killed builds seen on the way, to remove. */
  leftovers: string[]
  findings: Finding[]
}

const describeEntry = (e: Dirent): string => (e.isSymbolicLink() ? 'a symbolic link' : e.isFile() ? 'a file' : 'not a folder')

/**
 * Plans the moves without touching anything: each folder on the way is read once (readdir, no
 * stat per file); a folder the output folder lacks is moved whole. A symbolic link or a
 * non-folder where a folder belongs, or a folder where a file belongs, is a finding, and then
 * nothing may be moved.
 */
export function planMoves(outReal: string, paths: Iterable<string>, outShown: string): MovePlan {
  const plan: MovePlan = {moves: [], folders: [], leftovers: [], findings: []}
  const problem = (rel: string[], what: string, fix: string): void => {
    plan.findings.push(finding('output-path-unsafe', {message: `${join(outShown, ...rel)} is ${what}; build writes only into real folders inside ${outShown}, so nothing was written.`, fix, source: {file: join(outShown, ...rel)}}))
  }
  const visit = (node: Folder, rel: string[]): void => {
    const abs = join(outReal, ...rel)
    const existing = new Map<string, Dirent>()
    for (const e of readdirSync(abs, {withFileTypes: true})) {
      existing.set(e.name, e)
      const old = OLD_TEMPORARY.exec(e.name)
      if (old && e.isFile() && !processAlive(Number(old[1]))) plan.leftovers.push(join(abs, e.name))
    }
    plan.folders.push(abs)
    for (const [name, child] of node.folders) {
      const e = existing.get(name)
      // A folder the tree keeps whole, even if it is a real folder now (made since): moveIntoPlace merges into it file by file.
      if (!e || (child.whole && e.isDirectory())) plan.moves.push({kind: 'folder', rel: [...rel, name]})
      else if (e.isDirectory()) visit(child, [...rel, name])
      else problem([...rel, name], describeEntry(e), e.isSymbolicLink() ? 'Remove the link (or point --out at a folder without links) and build again.' : 'Move the file away and build again.')
    }
    for (const name of node.files) {
      const e = existing.get(name)
      if (e?.isDirectory()) problem([...rel, name], 'a folder where build writes a file', 'Move the folder away and build again.')
      else plan.moves.push({kind: 'file', rel: [...rel, name]})
    }
  }
  visit(folderTree(outReal, paths), [])
  return plan
}

/**
 * Carries out a plan: renames from the staging folder into place. A folder that appeared since
 * the plan (another shard building into the same folder) is merged into file by file instead.
 */
export function moveIntoPlace(outReal: string, staging: string, plan: MovePlan, options: {fsync?: boolean} = {}): void {
  const folders = new Set(plan.folders)
  const move = (m: Move): void => {
    const from = join(staging, ...m.rel)
    const to = join(outReal, ...m.rel)
    try {
      renameSync(from, to)
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code
      if (m.kind !== 'folder' || (code !== 'EEXIST' && code !== 'ENOTEMPTY')) throw error
      const sub = planSubtree(outReal, staging, m.rel)
      if (sub.findings.length > 0) throw new Error(`${to} changed while build was writing: ${sub.findings[0]!.message}`)
      for (const f of sub.folders) folders.add(f)
      for (const s of sub.moves) move(s)
      return
    }
    killPoint('move')
  }
  for (const m of plan.moves) move(m)
  if (options.fsync) {
    for (const dir of folders) syncDirectory(dir)
  }
  for (const file of plan.leftovers) rmSync(file, {force: true})
}

/** planMoves for one folder's subtree (the folder exists now), from the files staged in it. */
function planSubtree(outReal: string, staging: string, rel: string[]): MovePlan {
  const prefix = rel.join('/')
  const paths: string[] = []
  const collect = (at: string): void => {
    for (const e of readdirSync(join(staging, ...at.split('/')), {withFileTypes: true})) {
      if (e.isDirectory()) collect(`${at}/${e.name}`)
      else paths.push(`${at}/${e.name}`)
    }
  }
  collect(prefix)
  const plan = planMoves(outReal, paths, outReal)
  // planMoves starts at the root: keep only what lies under this folder (the rest is already there).
  plan.moves = plan.moves.filter((m) => m.rel.join('/').startsWith(`${prefix}/`))
  return plan
}

/** Writes a manifest into the staging folder under a hidden name, in pieces (always flushed: it is what a pipeline trusts). */
export function stageManifest(staging: string, hiddenName: string, chunks: Iterable<string>): void {
  const fd = openSync(join(staging, hiddenName), 'wx', 0o644)
  try {
    for (const chunk of chunks) writeAll(fd, Buffer.from(chunk, 'utf8'))
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
}

/** Moves the staged manifest into place, last, and makes the rename durable. */
export function placeManifest(outReal: string, staging: string, manifestFile: string): void {
  renameSync(join(staging, stagedManifestName(manifestFile)), join(outReal, manifestFile))
  syncDirectory(outReal)
  killPoint('manifest')
}
