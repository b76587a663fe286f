/**
 * The write phase of `build`, after everything was built and validated (and, file by file, written
 * into this build's staging folder, write.ts):
 *
 * 1. the earlier manifest read, with what killed builds left in their staging folders (the
 *    manifest they took out of place and the one they were about to place), and stale outputs
 *    found: files those listed that these settings no longer produce;
 * 2. the moves planned: nothing is moved when a folder on the way is a link or not a folder;
 * 3. the new manifest written into the staging folder, then the old one taken out of place (into
 *    the staging folder): from here until step 5 the output folder has no manifest, so a build
 *    killed at any moment never leaves a manifest that describes files which are not there with
 *    those bytes;
 * 4. every file moved into place;
 * 5. the manifest moved into place, last;
 * 6. with --prune, the unchanged stale files removed (the manifest no longer lists them);
 * 7. staging folders of killed builds removed (the caller removes this build's own).
 */
import {lstatSync, readdirSync, renameSync, rmSync} from 'node:fs'
import {join} from 'node:path'

import {pushAll} from '../arrays.js'
import {finding} from '../codes.js'
import type {Finding} from '../findings.js'
import type {SelectableKind} from '../output-kinds.js'
import type {BuiltFile} from './build.js'
import {killPoint} from './kill-point.js'
import type {ManifestEntries} from './manifest-runs.js'
import {MANIFEST_FILE, manifestChunks, type Manifest, type ManifestEntry} from './manifest.js'
import {ownedFile, readOwnedFile} from './out-folder.js'
import {buildScope, carriedStale, findStaleOutputs, manifestWithStale, parseManifest, readPreviousManifest, removeStaleOutputs, staleOutputFindings} from './prune.js'
import type {Shard} from './shard.js'
import {abandonedStaging, moveIntoPlace, planMoves, placeManifest, previousManifestName, stagedManifestName, stageFile, stageManifest} from './write.js'

export interface WriteBuildOptions {
  only?: readonly SelectableKind[]
  users: boolean
  prune: boolean
  fsync: boolean
  /** The output folder as the user named it, for messages. */
  outShown: string
  /** With --shard: which users this build covers (stale detection stays inside the shard). */
  shard?: Shard
  /** The manifest's file name: manifest.json, or the shard's partial manifest. */
  manifestFile?: string
}

export interface WriteBuildResult {
  /** The manifest written (with `stale` when stale files stay in the folder); undefined when nothing was written. */
  manifest?: Manifest
  /** Paths --prune removed, relative to the output folder. */
  pruned: string[]
  findings: Finding[]
}

/** Where a build writes: the output folder's real path and this build's staging folder in it. */
export interface OutputTarget {
  real: string
  staging: string
}

/**
 * What killed builds knew: the manifests in their staging folders (the one they were about to
 * place and the one they had taken out of place), joined. A path listed twice keeps both hashes
 * (findStaleOutputs accepts either as ours).
 */
function recoveredManifest(abandoned: readonly string[], manifestFile: string): Manifest | undefined {
  const files: ManifestEntry[] = []
  const stale: ManifestEntry[] = []
  for (const dir of abandoned) {
    for (const name of [stagedManifestName(manifestFile), previousManifestName(manifestFile)]) {
      const abs = ownedFile(dir, [name])
      const m = abs === undefined ? undefined : parseManifest(readOwnedFile(abs))
      if (!m) continue
      pushAll(files, m.files)
      if (Array.isArray(m.stale)) pushAll(stale, m.stale)
    }
  }
  return files.length + stale.length > 0 ? {manifestVersion: 1, appleSchemas: '', files, stale} : undefined
}

/** Whether a killed build's staging folder holds manifests of another manifest name (another shard's, to recover from). */
function holdsOtherManifests(dir: string, manifestFile: string): boolean {
  const mine = new Set([stagedManifestName(manifestFile), previousManifestName(manifestFile)])
  try {
    return readdirSync(dir).some((n) => n.startsWith('.') && n.endsWith('.json') && !mine.has(n))
  } catch {
    return false
  }
}

/**
 * `files` (with their bytes, or already staged) and `current` (their manifest) as buildOutputs
 * gives them; or, for a build that streamed its entries to runs (build-file.ts), `current` without
 * files and the `entries`.
 */
export function writeBuild(out: OutputTarget, files: readonly BuiltFile[], current: Manifest, options: WriteBuildOptions, entries?: ManifestEntries): WriteBuildResult {
  const manifestFile = options.manifestFile ?? MANIFEST_FILE
  const abandoned = abandonedStaging(out.real, out.staging)
  const inPlace = readPreviousManifest(out.real, manifestFile)
  const recovered = recoveredManifest(abandoned, manifestFile)
  // A build killed while pruning left its manifest in place and the earlier one in its staging folder: both count.
  const previous = inPlace && recovered ? {...inPlace, files: [...inPlace.files, ...recovered.files], stale: [...(inPlace.stale ?? []), ...(recovered.stale ?? [])]} : (inPlace ?? recovered)
  const scope = buildScope({only: options.only, users: options.users, shard: options.shard})
  const paths = (): Iterable<string> => (entries ? entries.paths() : current.files.map((f) => f.path))
  const stale = findStaleOutputs(out.real, previous, paths(), scope)
  const manifest = manifestWithStale(current, stale, options.prune, carriedStale(out.real, previous, scope))

  // Files built on this thread (the per-domain files, or a build without a staging sink) join the staged ones.
  for (const f of files) if ('bytes' in f) stageFile(out.staging, f.path, f.bytes, {fsync: options.fsync})
  const plan = planMoves(out.real, entries ? paths() : files.map((f) => f.path), options.outShown)
  const manifestAt = manifestEntryKind(out.real, manifestFile)
  if (manifestAt === 'folder') plan.findings.push(finding('output-path-unsafe', {message: `${join(options.outShown, manifestFile)} is a folder; build writes its manifest there, so nothing was written.`, fix: 'Move the folder away and build again.', source: {file: join(options.outShown, manifestFile)}}))
  if (plan.findings.length > 0) return {pruned: [], findings: plan.findings}

  stageManifest(out.staging, stagedManifestName(manifestFile), manifestChunks(manifest, undefined, entries?.sorted()))
  // The old manifest out of place (kept in the staging folder, where a next build finds it if this one is killed).
  if (inPlace === undefined && previous !== undefined) stageManifest(out.staging, previousManifestName(manifestFile), manifestChunks(previous))
  if (manifestAt === 'file') renameSync(join(out.real, manifestFile), join(out.staging, inPlace ? previousManifestName(manifestFile) : `.replaced.${manifestFile}`))
  killPoint('unplace')
  moveIntoPlace(out.real, out.staging, plan, {fsync: options.fsync})
  placeManifest(out.real, out.staging, manifestFile)
  const pruned = options.prune ? removeStaleOutputs(out.real, stale) : []
  for (const dir of abandoned) if (!holdsOtherManifests(dir, manifestFile)) rmSync(dir, {recursive: true, force: true})
  return {manifest, pruned, findings: staleOutputFindings(stale, options.prune, options.outShown)}
}

/** What is at the manifest's name in the output folder now. */
function manifestEntryKind(outReal: string, manifestFile: string): 'none' | 'file' | 'folder' {
  try {
    return lstatSync(join(outReal, manifestFile)).isDirectory() ? 'folder' : 'file'
  } catch {
    return 'none'
  }
}
