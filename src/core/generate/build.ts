/**
 * `build`: from normalized settings (and the CA files the workspace loaded) to every output file's
 * bytes plus the manifest; writing is the caller's (see write.ts). Every
 * profile and declaration is validated against Apple's schemas before it is returned, and nothing
 * is returned when any error-level finding exists: a partial set of outputs is never written.
 */
import {basename} from 'node:path'

import {appleSchemaSource, validateConfiguration, validateDeclaration} from '../apple/schemas.js'
import {finding} from '../codes.js'
import type {Finding, SourceLocation} from '../findings.js'
import {loadCaFiles, type LoadedCaFile} from '../settings/ca-files.js'
import type {DomainSettings, Settings} from '../settings/model.js'
import {Users} from '../settings/user-list.js'
import {parseCertificate} from '../x509/certificate.js'
import {certificateName} from '../x509/names.js'
import {domainAccount, domainOf, hasPlaceholder, userAccount, type MailAccount} from './account.js'
import {buildAutoconfig} from './autoconfig.js'
import {buildAutodiscover, buildAutodiscoverError} from './autodiscover.js'
import {declarationSet, serializeDeclaration} from './ddm.js'
import {buildDnsZone} from './dns.js'
import {sha256Hex} from '../util/hash.js'
import {domainProfileIds, userProfileIds, type ProfileIds} from './ids.js'
import {buildManifest, type Manifest, type ManifestEntry, type OutputKind, type SignerInfo} from './manifest.js'
import {buildMobileconfig, type CaCertificate, type ProfileMetadata} from './mobileconfig.js'
import {OUTPUT_KINDS, type SelectableKind} from '../output-kinds.js'
import {shardOfAddress, type Shard} from './shard.js'
import {safeFileName} from './write.js'
import {APACHE_SNIPPET, NGINX_SNIPPET, buildApacheSnippet, buildNginxSnippet} from './webserver.js'
import {findXmlInvalidCharacter} from './xml-text.js'
import {userProfileWriter, type UserProfile} from './user-profiles.js'
import {pushAll} from '../arrays.js'


/** Signs a profile's bytes (CMS SignedData, DER). Provided by src/core/sign through the command. */
export interface ProfileSigner {
  sign(content: Buffer): Buffer
  info: SignerInfo
}

export interface BuildOptions {
  /** Kinds to produce; all when absent. */
  only?: readonly SelectableKind[]
  /** Per-user outputs (default true). */
  users?: boolean
  /** Signs every .mobileconfig when given; unsigned otherwise. */
  signer?: ProfileSigner
  /** More CA certificates (DER) to embed besides trust.caFiles: pinned roots from the live servers (--embed-server-root). */
  extraCertificates?: ReadonlyArray<{der: Buffer; source: string}>
  /** `--shard K/N`: only the users of shard K (shard.ts), and the per-domain files only in shard 1. */
  shard?: Shard
  /** trust.caFiles as the workspace loaded them; read through the same loader when absent. */
  caFiles?: readonly LoadedCaFile[]
  /** The certificate payloads, already made from caFiles and extraCertificates (a worker thread's). */
  certificates?: readonly CaCertificate[]
  /**
   * `users`: only the per-user outputs, without the settings-level checks (a worker thread's share;
   * the main thread built the domains' files and checked the settings).
   */
  scope?: 'all' | 'users'
  /**
   * Streams the build: each file's bytes go here as soon as they are built and checked (build
   * writes them into its staging folder), and the result keeps only their manifest entries, so
   * memory does not grow with the number of users.
   */
  sink?: (path: string, bytes: Buffer) => void
  /**
   * With a sink: each file's manifest entry goes here instead of into the result (a worker thread
   * hands its entries to the main thread in batches rather than keeping all of its share; the main
   * thread keeps them in a ManifestEntries, manifest-runs.ts). The caller then checks them
   * (assertDistinctOutputs) and makes the manifest's `files`.
   */
  entries?: (entry: ManifestEntry) => void
}

export interface OutputFile extends ManifestEntry {
  bytes: Buffer
}

/** What a build hands to the write phase: bytes to write, or the entry of a file already in the staging folder. */
export type BuiltFile = OutputFile | ManifestEntry

export interface BuildResult {
  files: OutputFile[]
  manifest: Manifest
  findings: Finding[]
}

/** buildOutputs with a sink: the files' entries (their bytes went to the sink). */
export interface StreamedBuildResult extends Omit<BuildResult, 'files'> {
  files: BuiltFile[]
}

type Walkable = Record<string, unknown> | unknown[]

/** Every string in the settings that ends up in XML, checked for characters XML 1.0 cannot carry. */
export function xmlCharacterFindings(settings: Settings): Finding[] {
  const findings: Finding[] = []
  const skip = new Set(['source', 'file', 'baseDir', 'signing'])
  const walk = (value: unknown, path: string, where: SourceLocation): void => {
    if (typeof value === 'string') {
      const bad = findXmlInvalidCharacter(value)
      if (bad) {
        findings.push(finding('xml-invalid-character', {
          message: `${path} holds ${bad.codePoint} at position ${bad.index + 1}, a character XML 1.0 cannot carry; no profile, Autodiscover or autoconfig file could hold it.`,
          fix: `Remove the character from ${path}.`,
          source: where,
        }))
      }
      return
    }
    if (!value || typeof value !== 'object') return
    if (value instanceof Users) {
      for (let i = 0; i < value.length; i++) walk(value.at(i), `${path}[${i}]`, where)
      return
    }
    const own = (value as {source?: SourceLocation}).source
    const here = own && typeof own === 'object' && 'file' in own ? own : where
    if (Array.isArray(value)) value.forEach((v, i) => walk(v, `${path}[${i}]`, here))
    else for (const [k, v] of Object.entries(value as Walkable)) if (!skip.has(k)) walk(v, path ? `${path}.${k}` : k, here)
  }
  walk(settings, '', {file: settings.file})
  return findings
}

/**
 * The certificate payloads: trust.caFiles as the loader read them (each certificate's own DER, never
 * what follows it in the file), then pinned server roots; each certificate once.
 */
export function caCertificates(caFiles: readonly LoadedCaFile[], findings: Finding[], extra: BuildOptions['extraCertificates'] = []): CaCertificate[] {
  const out: CaCertificate[] = []
  const seen = new Set<string>()
  for (const file of caFiles) {
    pushAll(findings, file.findings)
    for (const {der, parsed, index, count} of file.certificates) {
      const sha = sha256Hex(der)
      if (seen.has(sha)) continue
      seen.add(sha)
      const base = basename(file.path)
      out.push({der, sha256: sha, fileName: count === 1 ? base : `${base} (${index + 1})`, name: certificateName(parsed.info), selfSigned: parsed.info.selfSigned})
    }
  }
  for (const cert of extra) {
    const sha = sha256Hex(cert.der)
    if (seen.has(sha)) continue
    seen.add(sha)
    const parsed = parseCertificate(cert.der)
    out.push({der: cert.der, sha256: sha, fileName: `server-root-${sha.slice(0, 16)}.cer`, name: certificateName(parsed.info), selfSigned: parsed.info.selfSigned})
  }
  return out
}

export function profileMetadata(settings: Settings): ProfileMetadata {
  const p = settings.profile
  return {organization: settings.organization.name, displayName: p.displayName, description: p.description, consentText: p.consentText, removalAllowed: p.removalAllowed, targetDevice: p.targetDevice}
}

function schemaFindings(issues: Array<{path: string; message: string}>, what: string, source: SourceLocation): Finding[] {
  return issues.map((i) =>
    finding('apple-schema-violation', {
    message: `${what}: ${i.path || '/'} ${i.message} (Apple's schema).`,
    fix: 'Report this to mailprofile with the settings that caused it; nothing was written.',
      source,
    }),
  )
}

/**
 * One .mobileconfig as `build` writes it (and `serve` answers it): validated against Apple's
 * schema, then signed when a signer is given. Schema problems come back as findings, not bytes.
 */
export function profileBytes(input: {account: MailAccount; ids: ProfileIds; certificates: readonly CaCertificate[]; meta: ProfileMetadata; signer?: ProfileSigner; path: string}): {bytes: Buffer; payloadIdentifier: string; payloadUuid: string} | {findings: Finding[]} {
  const built = buildMobileconfig(input.account, input.ids, input.certificates, input.meta)
  const issues = validateConfiguration(built.profile)
  if (issues.length > 0) return {findings: schemaFindings(issues, input.path, input.account.user?.source ?? input.account.domain.source)}
  return {bytes: input.signer ? input.signer.sign(built.bytes) : built.bytes, payloadIdentifier: built.payloadIdentifier, payloadUuid: built.payloadUuid}
}

/** Builds every output for the settings. Paths are relative to the output folder, `/`-separated. */
/** The error of two outputs at one path (case-insensitively): `first` and `second` say whose files they are. */
export const sharedPathError = (path: string, first: string, second: string): Error => new Error(`mailprofile bug: two outputs map to ${path} (${first} and ${second})`)

/** The error of two profiles with one PayloadIdentifier. */
export const sharedIdentifierError = (path: string, other: string, identifier: string): Error => new Error(`mailprofile bug: ${path} and ${other} share PayloadIdentifier ${identifier}`)

/** Two outputs never share a path (case-insensitively) or a profile's PayloadIdentifier: that would be a bug here. */
export function assertDistinctOutputs(files: readonly BuiltFile[]): void {
  const seen = new Map<string, BuiltFile>()
  for (const f of files) {
    const key = f.path.toLowerCase()
    const other = seen.get(key)
    if (other) throw sharedPathError(f.path, other.user ?? other.domain, f.user ?? f.domain)
    seen.set(key, f)
  }
  const ids = new Map<string, string>()
  for (const f of files) {
    if (!f.payloadIdentifier || f.kind !== 'mobileconfig') continue
    const other = ids.get(f.payloadIdentifier)
    if (other) throw sharedIdentifierError(f.path, other, f.payloadIdentifier)
    ids.set(f.payloadIdentifier, f.path)
  }
}

export function buildOutputs(settings: Settings, options?: BuildOptions & {sink?: undefined}): BuildResult
export function buildOutputs(settings: Settings, options: BuildOptions): StreamedBuildResult
export function buildOutputs(settings: Settings, options: BuildOptions = {}): StreamedBuildResult {
  const findings = options.scope === 'users' ? [] : xmlCharacterFindings(settings)
  const certificates = options.certificates ?? caCertificates(options.caFiles ?? loadCaFiles(settings), findings, options.extraCertificates)
  const want = new Set<SelectableKind>(options.only ?? OUTPUT_KINDS)
  const includeUsers = options.users !== false
  const shard = options.shard
  const domainFiles = !shard || shard.index === 1
  // Each domain's users by their position in settings.users (positions, not user objects: a list of a million stays small).
  const usersByDomain = new Map<DomainSettings, number[]>()
  if (includeUsers) {
    const users = settings.users
    for (let i = 0; i < users.length; i++) {
      const user = users.at(i)!
      const domain = domainOf(settings, user.address)
      if (!domain) {
        findings.push(finding('user-domain-unknown', {message: `The user ${user.address} is not in any of the settings' domains, so there are no servers to build a profile with.`, fix: 'Add the domain under `domains`, or fix the address.', source: user.source}))
        continue
      }
      if (shard && shardOfAddress(user.address, shard.count) !== shard.index) continue
      const list = usersByDomain.get(domain)
      if (list) list.push(i)
      else usersByDomain.set(domain, [i])
    }
  }
  const appleSchemas = appleSchemaSource()
  if (findings.some((f) => f.severity === 'error')) return {files: [], manifest: buildManifest([], appleSchemas, shard), findings}

  const meta = profileMetadata(settings)
  const files: BuiltFile[] = []
  const sink = options.sink
  // Whether any profile was built (its entry may have gone to options.entries).
  let profiles = false
  const add = (path: string, kind: OutputKind, account: MailAccount | undefined, bytes: Buffer, ids?: {identifier: string; uuid: string | null}, signer: SignerInfo | null = null): void => {
    const entry: ManifestEntry = {
      path,
      kind,
      domain: account?.domain.domain ?? '',
      user: account?.emailAddress ?? null,
      payloadIdentifier: ids?.identifier ?? null,
      payloadUuid: ids?.uuid ?? null,
      displayName: kind === 'mobileconfig' ? meta.displayName : null,
      targetDevice: kind === 'mobileconfig' ? meta.targetDevice : null,
      sha256: sha256Hex(bytes),
      size: bytes.length,
      signer,
    }
    if (kind === 'mobileconfig') profiles = true
    if (sink) {
      sink(path, bytes)
      if (options.entries) options.entries(entry)
      else files.push(entry)
    } else files.push({...entry, bytes})
  }
  const profile = (path: string, account: MailAccount, ids: ProfileIds): void => {
    const built = profileBytes({account, ids, certificates, meta, signer: options.signer, path})
    if ('findings' in built) pushAll(findings, built.findings)
    else add(path, 'mobileconfig', account, built.bytes, {identifier: built.payloadIdentifier, uuid: built.payloadUuid}, options.signer?.info ?? null)
  }
  /** A user's profile from its domain's template (user-profiles.ts): the same bytes and findings as profile(). */
  const userProfile = (write: (account: MailAccount, ids: ProfileIds) => UserProfile, path: string, account: MailAccount, ids: ProfileIds): void => {
    const built = write(account, ids)
    if ('issues' in built) pushAll(findings, schemaFindings(built.issues, path, account.user?.source ?? account.domain.source))
    else add(path, 'mobileconfig', account, options.signer ? options.signer.sign(built.bytes) : built.bytes, {identifier: built.payloadIdentifier, uuid: built.payloadUuid}, options.signer?.info ?? null)
  }
  const declaration = (path: string, account: MailAccount, ids: ProfileIds): void => {
    const identifier = ids.account(account.incoming.protocol === 'pop3' ? 'pop3' : 'imap')
    // The configuration keeps its path; its assets and activation sit beside it (`<name>.credentials.json`, …).
    for (const {suffix, declaration: decl} of declarationSet(account, identifier)) {
      const file = suffix ? path.replace(/\.json$/, `${suffix}.json`) : path
      const issues = validateDeclaration(decl)
      if (issues.length > 0) {
        pushAll(findings, schemaFindings(issues, file, account.user?.source ?? account.domain.source))
        continue
      }
      add(file, 'ddm', account, serializeDeclaration(decl), {identifier: String(decl.Identifier), uuid: null})
    }
  }

  for (const domain of settings.domains) {
    const dir = safeFileName(domain.domain)
    const account = domainAccount(domain)
    const ids = domainProfileIds(domain.identifier)
    if (domainFiles && options.scope !== 'users') {
      if (want.has('mobileconfig')) profile(`${dir}/${dir}.mobileconfig`, account, ids)
      if (want.has('autodiscover')) {
        const templated = [domain.incoming, domain.outgoing].filter((s) => s.authentication !== 'none' && s.username !== '%EMAILADDRESS%' && hasPlaceholder(s.username))
        if (templated.length > 0) {
          findings.push(finding('autodiscover-login-not-address', {
            message: `${dir}/autodiscover.xml has no LoginName for ${domain.domain}: the username template "${templated[0]!.username}" needs the user's address, so Outlook would log in with the full address instead.`,
            fix: `Serve ${dir}/users/<address>.autodiscover.xml for each request (the request names the address)${usersByDomain.has(domain) ? '' : ', and list the users in the settings so those files are built'}.`,
            source: templated[0]!.source,
          }))
        }
        add(`${dir}/autodiscover.xml`, 'autodiscover', account, buildAutodiscover(account))
        add(`${dir}/autodiscover-error.xml`, 'autodiscover-error', account, buildAutodiscoverError(600))
      }
      if (want.has('autoconfig')) add(`${dir}/mail/config-v1.1.xml`, 'autoconfig', account, buildAutoconfig(account))
      if (want.has('ddm')) declaration(`${dir}/ddm/${dir}.json`, account, ids)
      if (want.has('dns')) add(`${dir}/dns.zone`, 'dns', account, buildDnsZone(domain))
      if (want.has('webserver')) {
        add(`${dir}/${NGINX_SNIPPET}`, 'webserver', account, buildNginxSnippet(domain))
        add(`${dir}/${APACHE_SNIPPET}`, 'webserver', account, buildApacheSnippet(domain))
      }
    }
    const writeUserProfile = userProfileWriter(certificates, meta)
    for (const position of usersByDomain.get(domain) ?? []) {
      const user = settings.users.at(position)!
      const userAcc = userAccount(domain, user)
      const userIds = userProfileIds(domain.identifier, user.address)
      const name = safeFileName(user.address)
      if (want.has('mobileconfig')) userProfile(writeUserProfile, `${dir}/users/${name}.mobileconfig`, userAcc, userIds)
      if (want.has('autodiscover')) add(`${dir}/users/${name}.autodiscover.xml`, 'autodiscover', userAcc, buildAutodiscover(userAcc))
      if (want.has('ddm')) declaration(`${dir}/ddm/users/${name}.json`, userAcc, userIds)
    }
  }

  assertDistinctOutputs(files)
  if (findings.some((f) => f.severity === 'error')) return {files: [], manifest: buildManifest([], appleSchemas, shard), findings}
  if (options.scope !== 'users' && want.has('mobileconfig') && !options.signer && profiles) {
    findings.push(finding('profile-unsigned', {message: 'The .mobileconfig profiles are unsigned: devices show them as "Unverified" when installing.', fix: 'Add a `signing` section to sign them.', source: settings.signing?.source ?? {file: settings.file}}))
  }
  const manifest = buildManifest(sink ? files : files.map((f) => manifestEntry(f)), appleSchemas, shard)
  return {files: files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)), manifest, findings}
}

/** A built file's manifest entry (without its bytes). */
export function manifestEntry(f: BuiltFile): ManifestEntry {
  if (!('bytes' in f)) return f
  const {bytes: _bytes, ...entry} = f
  return entry
}

