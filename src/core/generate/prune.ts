/**
 * Outputs an earlier build wrote that this build no longer produces: the profile of a user removed
 * from users.csv, the files of a domain dropped from the settings. The previous manifest.json says
 * what the tool wrote; only those files are ever touched, and only when their bytes are still the
 * ones the manifest recorded (a file edited or replaced since is left alone, with a warning).
 *
 * `build` reports stale files (info) on every run, lists them in the new manifest's `stale` (so a
 * later run, and an MDM pipeline, still knows them) and removes them with --prune, after the new
 * manifest is in place, so a pipeline that reads the manifest never sees a listed file missing.
 */
import {lstatSync, readdirSync, realpathSync, rmdirSync} from 'node:fs'
import {join} from 'node:path'

import {finding} from '../codes.js'
import type {Finding} from '../findings.js'
import {sha256Hex} from '../util/hash.js'
import {killPoint} from './kill-point.js'
import {MANIFEST_FILE, type Manifest, type ManifestEntry} from './manifest.js'
import {ownedFile, outputPathParts, readOwnedFile, removeOwnedFile} from './out-folder.js'
import {inShard, type Shard} from './shard.js'

export interface StaleOutput {
  /** Path relative to the output folder, `/`-separated, as the previous manifest lists it. */
  path: string
  /** Whether the file still has the SHA-256 the previous manifest recorded. */
  unchanged: boolean
  /** The previous manifest's entry (its payloadIdentifier tells an MDM which profile to withdraw). */
  entry: ManifestEntry
}

/** The real path of the output folder, or undefined when it does not exist. */
function realRoot(outDir: string): string | undefined {
  try {
    return realpathSync(outDir)
  } catch {
    return undefined
  }
}

/** A manifest document's bytes as a manifest, or undefined when they are not one. */
export function parseManifest(bytes: Buffer | undefined): Manifest | undefined {
  if (!bytes) return undefined
  try {
    const doc = JSON.parse(bytes.toString('utf8')) as Partial<Manifest>
    return doc && doc.manifestVersion === 1 && Array.isArray(doc.files) ? (doc as Manifest) : undefined
  } catch {
    return undefined
  }
}

/**
 * The manifest an earlier build left in `outDir`, or undefined when there is none or it is unusable
 * (a link, a FIFO or anything but a regular file in the folder itself is not read).
 */
export function readPreviousManifest(outDir: string, file = MANIFEST_FILE): Manifest | undefined {
  const root = realRoot(outDir)
  const abs = root === undefined ? undefined : ownedFile(root, [file])
  return abs === undefined ? undefined : parseManifest(readOwnedFile(abs))
}

/**
 * What a build with these options produces, as a test on manifest entries: `only` kinds
 * (`autodiscover` includes its error document), per-user files only when users are built, and with
 * `--shard K/N` only that shard's files (another shard's files in a shared folder are not stale).
 */
export function buildScope(options: {only?: readonly string[]; users: boolean; shard?: Shard}): (entry: ManifestEntry) => boolean {
  const kinds = options.only ? new Set<string>(options.only.flatMap((k) => (k === 'autodiscover' ? ['autodiscover', 'autodiscover-error'] : [k]))) : undefined
  return (entry) => (!kinds || kinds.has(entry.kind)) && (options.users || entry.user === null) && inShard(options.shard, entry)
}

/**
 * Files the previous manifest lists (in `files` or `stale`), that still exist and that this build
 * no longer writes (`current`: the paths it writes, in any order, read once), among the entries
 * `inScope` accepts (what this run would have built: `build --only mobileconfig` says nothing about
 * last run's autoconfig files, nor `--no-users` about per-user files).
 */
export function findStaleOutputs(outDir: string, previous: Manifest | undefined, current: Iterable<string>, inScope: (entry: ManifestEntry) => boolean = () => true): StaleOutput[] {
  const root = realRoot(outDir)
  if (!previous || root === undefined) return []
  // A path may be listed more than once (a manifest recovered from a killed build): any recorded hash is ours.
  const recorded = new Map<string, {entry: ManifestEntry; parts: string[]; sha256: Set<string>}>()
  for (const entry of [...previous.files, ...(Array.isArray(previous.stale) ? previous.stale : [])]) {
    const parts = outputPathParts(entry?.path)
    if (!parts || entry.path === MANIFEST_FILE || !inScope(entry)) continue
    const known = recorded.get(entry.path)
    if (known) known.sha256.add(String(entry.sha256).toLowerCase())
    else recorded.set(entry.path, {entry, parts, sha256: new Set([String(entry.sha256).toLowerCase()])})
  }
  // What this build writes is not stale (the earlier manifest's entries are in memory already; this build's are streamed past them).
  if (recorded.size > 0) for (const path of current) recorded.delete(path)
  const stale: StaleOutput[] = []
  for (const [path, {entry, parts, sha256}] of recorded) {
    // Only a regular file reached through real folders inside the output folder: never through a link.
    const abs = ownedFile(root, parts)
    const bytes = abs === undefined ? undefined : readOwnedFile(abs)
    if (!bytes) continue // gone, or not ours to judge
    stale.push({path, unchanged: sha256.has(sha256Hex(bytes)), entry})
  }
  return stale.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
}

/**
 * The previous manifest's `stale` entries this run does not judge (outside `inScope`, e.g. per-user
 * files in a --no-users run) whose files are still there: carried into the new manifest unchanged.
 */
export function carriedStale(outDir: string, previous: Manifest | undefined, inScope: (entry: ManifestEntry) => boolean): ManifestEntry[] {
  const root = realRoot(outDir)
  if (!previous || !Array.isArray(previous.stale) || root === undefined) return []
  return previous.stale.filter((entry) => {
    const parts = outputPathParts(entry?.path)
    return parts !== undefined && !inScope(entry) && ownedFile(root, parts) !== undefined
  })
}

/**
 * The manifest to write: `current`, plus under `stale` the stale files that stay in the folder
 * (all of them, or with --prune the edited ones it keeps) and the `carried` ones; omitted when
 * there are none, so that an ordinary build's manifest depends on the settings alone.
 */
export function manifestWithStale(current: Manifest, stale: readonly StaleOutput[], pruning: boolean, carried: readonly ManifestEntry[] = []): Manifest {
  const left = [...stale.filter((s) => !pruning || !s.unchanged).map((s) => s.entry), ...carried].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
  return left.length > 0 ? {...current, stale: left} : current
}

/**
 * Removes the unchanged stale files and the folders that become empty (never `outDir` itself).
 * Only regular files reached through real folders inside the output folder's real path are
 * removed: a link (to a file or a folder) on the way is never followed, and the link itself stays.
 * Returns the paths removed.
 */
export function removeStaleOutputs(outDir: string, stale: readonly StaleOutput[]): string[] {
  const root = realRoot(outDir)
  if (root === undefined) return []
  const removed: string[] = []
  const dirs = new Map<string, number>()
  for (const s of stale) {
    const parts = outputPathParts(s.path)
    if (!s.unchanged || !parts || !removeOwnedFile(root, parts)) continue
    removed.push(s.path)
    killPoint('prune')
    for (let n = parts.length - 1; n > 0; n--) dirs.set(join(root, ...parts.slice(0, n)), n)
  }
  // Deepest first, so a folder emptied by removing its empty subfolder goes too; only real folders.
  for (const [d] of [...dirs].sort((a, b) => b[1] - a[1])) {
    try {
      if (lstatSync(d).isDirectory() && readdirSync(d).length === 0) rmdirSync(d)
    } catch {
      // gone already or not empty: leave it
    }
  }
  return removed
}

const listed = (paths: readonly string[]): string => {
  const shown = paths.slice(0, 5).join(', ')
  return paths.length > 5 ? `${shown} and ${paths.length - 5} more` : shown
}

/** Findings for stale outputs: what is left behind without --prune, and what --prune would not remove. */
export function staleOutputFindings(stale: readonly StaleOutput[], pruned: boolean, outShown: string): Finding[] {
  const findings: Finding[] = []
  const unchanged = stale.filter((s) => s.unchanged).map((s) => s.path)
  const modified = stale.filter((s) => !s.unchanged).map((s) => s.path)
  if (!pruned && unchanged.length > 0) {
    findings.push(
      finding('stale-output', {
        message: `${unchanged.length} file${unchanged.length === 1 ? '' : 's'} in ${outShown} from an earlier build ${unchanged.length === 1 ? 'is' : 'are'} no longer produced by these settings (${listed(unchanged)}); the new manifest.json does not list ${unchanged.length === 1 ? 'it' : 'them'}. A pipeline that copies the whole folder would still deploy ${unchanged.length === 1 ? 'it' : 'them'}.`,
        fix: 'Run build with --prune to remove them (only files the earlier manifest recorded, with the bytes it recorded).',
      }),
    )
  }
  if (modified.length > 0) {
    findings.push(
      finding('stale-output-modified', {
        message: `${modified.length} file${modified.length === 1 ? '' : 's'} in ${outShown} that an earlier build wrote ${modified.length === 1 ? 'is' : 'are'} no longer produced, but ${modified.length === 1 ? 'it has' : 'they have'} changed since (${listed(modified)}), so --prune leaves ${modified.length === 1 ? 'it' : 'them'} alone.`,
        fix: 'Look at the files and delete them by hand if nobody needs them.',
      }),
    )
  }
  return findings
}
