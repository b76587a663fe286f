/**
 * `build FILE --out DIR` (or `--out -`): the options checked, the settings linted and built (and
 * with --check the servers probed first), then, when nothing has errors, every file written under
 * DIR with the manifest last — or, with `--out -`, the one profile handed back for stdout.
 */
import {availableParallelism} from 'node:os'
import {resolve} from 'node:path'

import type {CheckResult} from '../check/run-check.js'
import {pushAll} from '../arrays.js'
import {InputError} from '../errors.js'
import type {Finding} from '../findings.js'
import type {Manifest} from '../generate/manifest.js'
import type {OutputTarget} from '../generate/write-build.js'
import {OUTPUT_KINDS, type SelectableKind} from '../output-kinds.js'
import type {CoreReport} from '../report.js'
import {checkData, type CheckData} from './check.js'
import {checkOptionsFrom, unusedResolveNotices, type CheckOptionValues} from './check-options.js'

export interface BuildValues {
  /** The output folder, or `-` for stdout. */
  out: string
  /** --only, as typed: a comma-separated list of kinds. */
  only?: string
  users: boolean
  prune: boolean
  threads?: number
  fsync: boolean
  /** --check / --embed-server-root: the live check first, with these option values. */
  check?: CheckOptionValues
  embedServerRoot: boolean
  pins: readonly string[]
  /** --shard K/N, as typed. */
  shard?: string
  /** --max-users-file-size, in bytes. */
  maxUsersFileBytes?: number
  env: Readonly<Record<string, string | undefined>>
  /**
   * Whether `data.manifest.files` lists every file written (what --json prints; the default). A
   * text report shows only counts: without it the list stays on disk (manifest.json) and `files`
   * is empty, so a build of a million users never holds six million entries in memory.
   */
  listFiles?: boolean
  /** Manifest entries kept in memory before a sorted run goes to disk (manifest-runs.ts; tests make it small). */
  runEntries?: number
}

export interface BuildData {
  out: string | null
  manifest: Manifest | null
  pruned: string[]
  check?: CheckData
}

export type BuildReport = CoreReport<BuildData> & {
  /** What was written, for the summary line (absent when nothing was). */
  written?: {files: number; byKind: Array<[string, number]>; signed: boolean; manifest: string}
  /** With `--out -`: the profile's bytes for stdout (absent on errors). */
  profile?: Buffer
  check?: CheckResult
}

export function parseOnly(value: string | undefined): SelectableKind[] | undefined {
  if (value === undefined) return undefined
  const kinds = value.split(',').map((s) => s.trim()).filter(Boolean)
  const bad = kinds.filter((k) => !(OUTPUT_KINDS as readonly string[]).includes(k))
  if (bad.length > 0 || kinds.length === 0) throw new InputError(`--only takes a comma-separated list of ${OUTPUT_KINDS.join(', ')}; got "${value}"`)
  return kinds as SelectableKind[]
}

export async function buildSettingsFile(file: string, values: BuildValues): Promise<BuildReport> {
  const only = parseOnly(values.only)
  const toStdout = values.out === '-'
  const {parseShard, shardManifestFile} = await import('../generate/shard.js')
  const shard = values.shard === undefined ? undefined : parseShard(values.shard)
  if (shard && toStdout) throw new InputError('--shard writes files and a partial manifest into a folder, so it cannot be combined with --out -')
  if (values.pins.length > 0 && !values.embedServerRoot) throw new InputError('--pin is only used with --embed-server-root')
  const {normalizePin} = await import('../x509/fingerprint.js')
  for (const p of values.pins) if (!normalizePin(p)) throw new InputError(`--pin "${p}" is not a SHA-256 fingerprint (64 hex digits, colons optional)`)
  const checkOptions = values.check ? await checkOptionsFrom(values.check) : undefined
  const [{packageFile}, {createStaging, discardStaging}, {realOutputFolder, removeCreatedFolders}, {buildFromSettingsFile}] = await Promise.all([import('../paths.js'), import('../generate/write.js'), import('../generate/out-folder.js'), import('../generate/build-file.js')])
  const threads = values.threads ?? availableParallelism()
  const outDir = resolve(values.out)
  // The output folder and this build's staging folder in it, made only once lint (and --check) passed.
  let target: OutputTarget | undefined
  let created: string | undefined
  let wrote = false
  const stage = (): string => {
    if (!target) {
      let real: string
      try {
        ;({real, created} = realOutputFolder(outDir))
      } catch (error) {
        throw new InputError(`cannot use ${values.out} as the output folder: ${(error as NodeJS.ErrnoException).code ?? String(error)}`)
      }
      target = {real, staging: createStaging(real)}
    }
    return target.staging
  }
  try {
    const result = await buildFromSettingsFile(file, {
      parallel: threads > 1 ? {threads, auto: values.threads === undefined, workerFile: packageFile('dist', 'build-worker.cjs')} : undefined,
      stage: toStdout ? undefined : stage,
      fsync: values.fsync,
      only: only ?? (toStdout ? ['mobileconfig'] : undefined),
      users: values.users,
      env: values.env,
      check: checkOptions,
      embedServerRoot: values.embedServerRoot ? {pins: [...values.pins]} : undefined,
      now: checkOptions?.now,
      shard,
      maxUsersFileBytes: values.maxUsersFileBytes,
      runEntries: values.runEntries,
    })
    const notices = checkOptions ? unusedResolveNotices(checkOptions) : []
    const findings: Finding[] = result.findings
    const hasErrors = findings.some((f) => f.severity === 'error')
    const check = result.check
    const base = {inputErrors: [], notices, check}
    if (toStdout) {
      const profiles = result.files.filter((f) => f.kind === 'mobileconfig')
      if (!hasErrors && profiles.length !== 1) throw new InputError(`--out - writes exactly one .mobileconfig, but these settings give ${profiles.length}; add --no-users, or use --out DIR`, {file})
      const profile = profiles[0]
      return {...base, findings, profile: !hasErrors && profile && 'bytes' in profile ? profile.bytes : undefined, data: {out: null, manifest: null, pruned: [], ...(check ? {check: checkData(check)} : {})}}
    }
    if (hasErrors) return {...base, findings, data: {out: null, manifest: null, pruned: [], ...(check ? {check: checkData(check)} : {})}}
    const {writeBuild} = await import('../generate/write-build.js')
    const {MANIFEST_FILE: WHOLE} = await import('../generate/manifest.js')
    const MANIFEST_FILE = shard ? shardManifestFile(shard) : WHOLE
    const entries = result.entries
    const written = writeBuild(target ?? {real: outDir, staging: stage()}, result.files, result.manifest, {only, users: values.users, prune: values.prune, fsync: values.fsync, outShown: values.out, shard, manifestFile: MANIFEST_FILE}, entries)
    pushAll(findings, written.findings)
    if (!written.manifest) return {...base, findings, data: {out: null, manifest: null, pruned: [], ...(check ? {check: checkData(check)} : {})}}
    wrote = true
    let summary: NonNullable<BuildReport['written']>
    if (entries) summary = {files: entries.count, byKind: entries.byKind(), signed: entries.signed, manifest: MANIFEST_FILE}
    else {
      const byKind = new Map<string, number>()
      for (const f of result.files) byKind.set(f.kind, (byKind.get(f.kind) ?? 0) + 1)
      summary = {files: result.files.length, byKind: [...byKind], signed: result.files.some((f) => f.signer), manifest: MANIFEST_FILE}
    }
    // The runs are still in the staging folder here (it goes in `finally`).
    const manifest = entries && values.listFiles !== false ? {...written.manifest, files: [...entries.sorted()]} : written.manifest
    return {
      ...base,
      findings,
      written: summary,
      data: {out: outDir, manifest, pruned: written.pruned, ...(check ? {check: checkData(check)} : {})},
    }
  } finally {
    // This build's staging folder: empty after a complete build; with errors or an exception, what was staged goes.
    if (target) discardStaging(target.staging)
    // A build that wrote nothing leaves no output folder it made either.
    if (!wrote && created !== undefined) removeCreatedFolders(outDir, created)
  }
}
