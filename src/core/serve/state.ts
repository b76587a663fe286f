/**
 * What `serve` answers from: the settings file linted with the same rules as `lint`, the CA
 * certificates the profiles embed and the signer, loaded once per (re)load. The server swaps the
 * whole value on a reload, so a request always sees one consistent set of settings.
 */
import {pushAll} from '../arrays.js'
import {InputError} from '../errors.js'
import type {Finding} from '../findings.js'
import {caCertificates, profileMetadata, xmlCharacterFindings, type ProfileSigner} from '../generate/build.js'
import {signerOf} from '../generate/build-file.js'
import {identityOrError} from '../sign/identity.js'
import type {CaCertificate, ProfileMetadata} from '../generate/mobileconfig.js'
import type {SigningIdentity} from '../settings/signing-identity.js'
import {lintSettingsFile} from '../settings/lint.js'
import type {DomainSettings, Settings, UserSettings} from '../settings/model.js'
import {analyzeAddress, analyzeName} from '../settings/names.js'

export interface ServeState {
  settings: Settings
  certificates: readonly CaCertificate[]
  meta: ProfileMetadata
  signer?: ProfileSigner
  /** The identity `signer` signs with, for the profile worker threads (profile-pool.ts) to make their own signer from. */
  identity?: SigningIdentity
  /** A-label, lower-case domain → its settings. */
  domains: ReadonlyMap<string, DomainSettings>
  /** Canonical address (analyzeAddress's key) → the listed user. */
  users: ReadonlyMap<string, UserSettings>
  /** Files whose change triggers a reload: the settings file and the users CSV. */
  watchFiles: readonly string[]
  /** Counts loads: part of every cache key, so a reload never serves bytes of older settings. */
  generation: number
}

export type LoadResult = {ok: true; state: ServeState; findings: Finding[]} | {ok: false; findings: Finding[]; message: string}

let generations = 0

/**
 * Loads and lints the settings file. Error-level findings, or a signing identity that cannot be
 * used, give `ok: false` (the server keeps what it had); InputError (unreadable file, syntax
 * error) is turned into the same `ok: false` so a reload never throws.
 */
export async function loadServeState(file: string, options: {env: Readonly<Record<string, string | undefined>>; now?: Date}): Promise<LoadResult> {
  try {
    const lint = await lintSettingsFile(file, {warnDays: 30, now: options.now ?? new Date(), env: options.env})
    const findings = [...lint.findings]
    const settings = lint.settings
    if (settings) pushAll(findings, xmlCharacterFindings(settings))
    // From the workspace lint loaded (lint already reported the CA files' findings).
    const certificates = settings ? caCertificates(lint.workspace.caFiles, []) : []
    const errors = findings.filter((f) => f.severity === 'error')
    if (!settings || errors.length > 0) return {ok: false, findings, message: `${file} has ${errors.length} error-level finding${errors.length === 1 ? '' : 's'} (run \`mailprofile lint ${file}\`)`}
    const identity = settings.signing && lint.workspace.signing ? identityOrError(lint.workspace.signing, settings.signing) : undefined
    const signer = identity ? await signerOf(identity) : undefined
    const domains = new Map(settings.domains.map((d) => [analyzeName(d.domain).ascii || d.domain.toLowerCase(), d]))
    const users = new Map(settings.users.map((u) => [analyzeAddress(u.address).key, u]))
    const watchFiles = [...new Set([settings.file, ...settings.users.map((u) => u.source.file)])]
    return {ok: true, findings, state: {settings, certificates, meta: profileMetadata(settings), signer, identity, domains, users, watchFiles, generation: ++generations}}
  } catch (error) {
    if (error instanceof InputError) return {ok: false, findings: [], message: error.describe()}
    throw error
  }
}
