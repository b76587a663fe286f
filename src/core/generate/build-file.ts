/**
 * `build` from a settings file: load, lint with the same rules as `lint` (nothing is built when
 * they find errors), sign when the settings name a signing identity, build every output.
 */
import {pushAll} from '../arrays.js'
import {finding} from '../codes.js'
import type {CheckOptions} from '../check/options.js'
import type {CheckResult} from '../check/run-check.js'
import type {Finding} from '../findings.js'
import {lintSettingsFile} from '../settings/lint.js'
import type {Settings} from '../settings/model.js'
import type {SigningIdentity} from '../settings/signing-identity.js'
import {buildOutputs, type BuildOptions, type BuildResult, type BuiltFile, type ProfileSigner} from './build.js'
import {buildManifest} from './manifest.js'
import type {ManifestEntries} from './manifest-runs.js'
import type {ParallelBuild} from './parallel-build.js'
import {appleSchemaSource} from '../apple/schemas.js'

export interface BuildFileOptions extends Omit<BuildOptions, 'signer'> {
  env: Readonly<Record<string, string | undefined>>
  now?: Date
  /** Overrides the signer made from the settings (tests, benchmarks). */
  signer?: ProfileSigner | null
  /** Run the live check first (`build --check`) with these options; nothing is built when it finds errors. */
  check?: CheckOptions
  /** `--embed-server-root`: embed pinned private roots the servers send (needs `check`). Extra pins from --pin. */
  embedServerRoot?: {pins: string[]}
  /** Build the per-user outputs on worker threads (parallel-build.ts); one thread when absent. */
  parallel?: ParallelBuild
  /** The users CSV size limit in bytes (`--max-users-file-size`). */
  maxUsersFileBytes?: number
  /**
   * Where the files go when they will be written: called once, after lint (and --check) passed,
   * it makes the build's staging folder (write.ts) and returns it; every file is then written
   * there as soon as it is built, and the result holds only manifest entries.
   */
  stage?: () => string
  /** Flush each staged file to disk (build --fsync). */
  fsync?: boolean
  /** With `stage`: entries kept in memory before a sorted run goes to disk (manifest-runs.ts; tests make it small). */
  runEntries?: number
}

export interface BuildFileResult extends Omit<BuildResult, 'files'> {
  /** The files with their bytes, without `stage`; with it, empty (see `entries`). */
  files: BuiltFile[]
  /**
   * With `stage`: the manifest entries of every file (the bytes are in the staging folder), checked
   * by assertDistinctOutputs; `manifest.files` is then empty and the manifest is written from these.
   */
  entries?: ManifestEntries
  settings?: Settings
  /** The live check's result, with --check. */
  check?: CheckResult
}

/**
 * The signer for an identity the workspace loaded (src/core/sign). No signingTime attribute: RSA
 * signatures are then byte-identical across runs.
 */
export async function signerOf(identity: SigningIdentity): Promise<ProfileSigner> {
  const {profileSigner} = await import('../sign/profile-signer.js')
  const signing = profileSigner(identity)
  return {sign: signing.sign, info: signing.info}
}

export async function buildFromSettingsFile(file: string, options: BuildFileOptions): Promise<BuildFileResult> {
  const lint = await lintSettingsFile(file, {warnDays: 30, now: options.now ?? new Date(), env: options.env, maxUsersFileBytes: options.maxUsersFileBytes})
  const findings: Finding[] = [...lint.findings]
  // The workspace lint loaded: settings, users, CA files and the signing identity are read once.
  const workspace = lint.workspace
  const loaded = {settings: lint.settings}
  const empty = (check?: CheckResult): BuildFileResult => ({files: [], manifest: buildManifest([], appleSchemaSource()), findings, settings: loaded.settings, check})
  if (!loaded.settings || findings.some((f) => f.severity === 'error')) {
    findings.push(finding('build-refused-lint-errors', {
      message: 'Nothing was written because the settings have error-level findings (listed here; the same as `mailprofile lint`).',
      fix: 'Fix the errors and run build again.',
      source: {file},
    }))
    return empty()
  }
  let check: CheckResult | undefined
  let extraCertificates: Array<{der: Buffer; source: string}> = []
  if (options.check) {
    const {checkSettings, probeSettings} = await import('../check/run-check.js')
    // With --embed-server-root the roots come from the check's own connections: each server is probed once.
    const probed = options.embedServerRoot ? await probeSettings(loaded.settings, options.check) : undefined
    if (probed && options.embedServerRoot) {
      const {pinnedServerRoots} = await import('./server-roots.js')
      const found = pinnedServerRoots(loaded.settings, probed, options.embedServerRoot.pins)
      pushAll(findings, found.findings)
      extraCertificates = found.roots.map((r) => ({der: r.der, source: r.endpoints.join(', ')}))
    }
    const extraRoots = [...options.check.extraRoots, ...extraCertificates.map((c) => c.der)]
    check = await checkSettings(loaded.settings, {...options.check, extraRoots, profileRoots: extraCertificates.map((c) => c.der)}, workspace.caFiles, probed)
    pushAll(findings, check.findings)
    if (check.findings.some((f) => f.severity === 'error')) {
      findings.push(finding('build-refused-check-errors', {
        message: "Nothing was written because the live check found errors (listed here; the same as `mailprofile check`): a profile must never send devices to a server whose certificate they will reject.",
        fix: 'Fix the servers (or the settings) and run build --check again.',
        source: {file},
      }))
      return empty(check)
    }
  }
  // Lint reported why an identity is unusable; one that only lacks its passphrase stops build here (exit 2).
  const signing = loaded.settings.signing
  const identity = options.signer === undefined && signing && workspace.signing ? (await import('../sign/identity.js')).identityOrError(workspace.signing, signing) : undefined
  const signer = options.signer === null ? undefined : (options.signer ?? (identity ? await signerOf(identity) : undefined))
  const staging = options.stage?.()
  const {stageFile} = await import('./write.js')
  const fsync = options.fsync === true
  const sink = staging === undefined ? undefined : (path: string, bytes: Buffer) => stageFile(staging, path, bytes, {fsync})
  // A staged build's entries go to disk in sorted runs as they come (manifest-runs.ts), not into the result.
  const entries = staging === undefined ? undefined : new (await import('./manifest-runs.js')).ManifestEntries(staging, options.runEntries)
  const buildOptions: BuildOptions = {only: options.only, users: options.users, signer, extraCertificates, caFiles: workspace.caFiles, shard: options.shard, sink, entries: entries && ((e) => entries.add(e))}
  const result = options.parallel
    ? await (await import('./parallel-build.js')).buildOutputsParallel(loaded.settings, buildOptions, {...options.parallel, identity, stage: staging !== undefined && entries ? {dir: staging, entries} : undefined, fsync})
    : buildOutputs(loaded.settings, buildOptions)
  if (entries && !result.findings.some((f) => f.severity === 'error')) entries.assertDistinct()
  return {...result, findings: [...findings, ...result.findings], settings: loaded.settings, check, entries}
}
