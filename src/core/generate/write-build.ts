/**
 * The write phase of `build`, after everything was built and validated: the earlier manifest
 * read, stale outputs found (files it listed that these settings no longer produce), every file
 * moved or written into place, the manifest last, and with --prune the unchanged stale files
 * removed once the new manifest (which no longer lists them) is in place.
 */
import type {Finding} from '../findings.js'
import type {SelectableKind} from '../output-kinds.js'
import type {BuiltFile} from './build.js'
import type {Shard} from './shard.js'
import {MANIFEST_FILE, serializeManifest, type Manifest} from './manifest.js'
import {buildScope, carriedStale, findStaleOutputs, manifestWithStale, readPreviousManifest, removeStaleOutputs, staleOutputFindings} from './prune.js'
import {writeOutputs} from './write.js'

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
  /** The manifest written (with `stale` when stale files stay in the folder). */
  manifest: Manifest
  /** Paths --prune removed, relative to the output folder. */
  pruned: string[]
  findings: Finding[]
}

export function writeBuild(outDir: string, files: readonly BuiltFile[], current: Manifest, options: WriteBuildOptions): WriteBuildResult {
  const manifestFile = options.manifestFile ?? MANIFEST_FILE
  const previous = readPreviousManifest(outDir, manifestFile)
  const scope = buildScope({only: options.only, users: options.users, shard: options.shard})
  const stale = findStaleOutputs(outDir, previous, current, scope)
  const manifest = manifestWithStale(current, stale, options.prune, carriedStale(outDir, previous, scope))
  writeOutputs(outDir, files, {path: manifestFile, bytes: serializeManifest(manifest)}, {fsync: options.fsync})
  const pruned = options.prune ? removeStaleOutputs(outDir, stale) : []
  return {manifest, pruned, findings: staleOutputFindings(stale, options.prune, options.outShown)}
}
