/**
 * The settings model: what the schema describes, as TypeScript types, and the
 * normalized form every later stage (rules, check, build) works on, with defaults
 * filled in (ports per RFC 8314, from src/core/mail/protocol.ts) and source positions kept.
 */
import type {UserList} from './user-list.js'
import type {SourceLocation} from '../findings.js'
import {defaultDomainIdentifier} from '../mail/identifiers.js'
import {defaultPort, type Authentication, type Protocol, type Security} from '../mail/protocol.js'
import type {PathSegment} from './document.js'

export type {Authentication, Protocol, Security} from '../mail/protocol.js'
export type TargetDevice = 'any' | 'ios' | 'macos'

export interface RawServer {
  protocol?: 'imap' | 'pop3'
  host: string
  port?: number
  security?: Security
  authentication?: Authentication
  username?: string
}

export interface RawUser {
  address: string
  name?: string
  login?: string
}

/** The settings document as written (after schema validation). */
export interface RawSettings {
  version: 1
  organization: {name: string; identifier: string}
  profile?: {displayName?: string; description?: string; consentText?: string; removalAllowed?: boolean; targetDevice?: TargetDevice}
  domains: Array<{domain: string; displayName?: string; identifier?: string; incoming: RawServer & {protocol: 'imap' | 'pop3'}; outgoing: RawServer}>
  trust?: {caFiles?: string[]; pins?: string[]}
  signing?: {certificate?: string; key?: string; chain?: string[]; pkcs12?: string; passphraseEnv?: string}
  users?: RawUser[]
  usersFile?: string
}

/** A server with every default applied. `source` points at the server's block in the settings. */
export interface ServerSettings {
  protocol: Protocol
  host: string
  port: number
  security: Security
  authentication: Authentication
  username: string
  /** Where the port was written, or the server block when it was defaulted. */
  source: SourceLocation
  /** Where the host name was written (host-level findings of `check` point here). Default: `source`. */
  hostSource?: SourceLocation
  /** Where `authentication` was written, when it was. */
  authenticationSource?: SourceLocation
}

export interface DomainSettings {
  /** Its position in the settings' `domains` list (rules locate its keys by it); absent for domains read from elsewhere (a profile). */
  index?: number
  domain: string
  displayName: string
  identifier: string
  incoming: ServerSettings
  outgoing: ServerSettings
  source: SourceLocation
}

export type {UserSettings} from './user-list.js'

export interface Settings {
  /** The settings file path as given. */
  file: string
  /** Directory that relative paths in the settings resolve against. */
  baseDir: string
  organization: {name: string; identifier: string}
  profile: {displayName: string; description?: string; consentText?: string; removalAllowed: boolean; targetDevice: TargetDevice}
  domains: DomainSettings[]
  trust: {caFiles: Array<{path: string; source: SourceLocation}>; pins: Array<{value: string; source: SourceLocation}>}
  signing?: {
    certificate?: string
    key?: string
    chain: string[]
    pkcs12?: string
    passphraseEnv?: string
    source: SourceLocation
  }
  /** The settings' own users, then the users CSV's (held compactly: user-list.ts). */
  users: UserList
}

export type Locate = (path: readonly PathSegment[], options?: {key?: boolean}) => SourceLocation

/** A domain as lint's rules see it: in the well-formed parts of a document that fails the schema, a malformed server is absent. */
export interface LintDomainSettings extends Omit<DomainSettings, 'incoming' | 'outgoing'> {
  incoming?: ServerSettings
  outgoing?: ServerSettings
}

/** The settings lint's rules run on: normalized settings, or the well-formed parts of a document that fails the schema. */
export interface LintSettings extends Omit<Settings, 'domains'> {
  domains: LintDomainSettings[]
}

export type ServerSide = 'incoming' | 'outgoing'

/** Which parts of `domains` and `users` to keep (by their index in the document). */
export interface KeepEntries {
  domain(index: number): boolean
  server(index: number, side: ServerSide): boolean
  user(index: number): boolean
}

type RawDomain = RawSettings['domains'][number]

function normalizeServer(s: RawServer, protocol: Protocol, path: PathSegment[], locate: Locate): ServerSettings {
  const security = s.security ?? 'ssl'
  return {
    protocol,
    host: s.host,
    port: s.port ?? defaultPort(protocol, security),
    security,
    authentication: s.authentication ?? 'password',
    username: s.username ?? '%EMAILADDRESS%',
    source: locate(s.port === undefined ? path : [...path, 'port']),
    hostSource: locate([...path, 'host']),
    ...(s.authentication !== undefined ? {authenticationSource: locate([...path, 'authentication'])} : {}),
  }
}

const incomingServer = (d: RawDomain, i: number, locate: Locate) => normalizeServer(d.incoming, d.incoming.protocol, ['domains', i, 'incoming'], locate)
const outgoingServer = (d: RawDomain, i: number, locate: Locate) => normalizeServer(d.outgoing, 'smtp', ['domains', i, 'outgoing'], locate)

/**
 * Builds the normalized settings from validated raw data. Domains keep their document index.
 * Users from a CSV file are added by the caller.
 */
export function normalizeSettings(raw: RawSettings, file: string, baseDir: string, locate: Locate): Settings {
  return {
    ...normalizeAllButDomains(raw, file, baseDir, locate, () => true),
    domains: raw.domains.map((d, i) => ({...normalizeDomain(raw, d, i, locate), incoming: incomingServer(d, i, locate), outgoing: outgoingServer(d, i, locate)})),
  }
}

/**
 * Builds lint's settings from the well-formed parts of a document that fails the schema
 * (src/core/settings/well-formed.ts, which names the parts to keep): skipped domains and users are
 * left out, a skipped server is absent from its domain. Kept entries keep their document index.
 */
export function normalizeWellFormedParts(raw: RawSettings, file: string, baseDir: string, locate: Locate, keep: KeepEntries): LintSettings {
  const domains = raw.domains.flatMap((d, i): LintDomainSettings[] => {
    if (!keep.domain(i)) return []
    return [{
      ...normalizeDomain(raw, d, i, locate),
      ...(keep.server(i, 'incoming') ? {incoming: incomingServer(d, i, locate)} : {}),
      ...(keep.server(i, 'outgoing') ? {outgoing: outgoingServer(d, i, locate)} : {}),
    }]
  })
  return {...normalizeAllButDomains(raw, file, baseDir, locate, keep.user), domains}
}

function normalizeDomain(raw: RawSettings, d: RawDomain, i: number, locate: Locate): Omit<DomainSettings, 'incoming' | 'outgoing'> {
  return {
    index: i,
    domain: d.domain,
    displayName: d.displayName ?? d.domain,
    identifier: d.identifier ?? defaultDomainIdentifier(raw.organization.identifier, d.domain),
    source: locate(['domains', i, 'domain']),
  }
}

function normalizeAllButDomains(raw: RawSettings, file: string, baseDir: string, locate: Locate, keepUser: (index: number) => boolean): Omit<Settings, 'domains'> {
  const orgName = raw.organization.name
  return {
    file,
    baseDir,
    organization: {name: orgName, identifier: raw.organization.identifier},
    profile: {
      displayName: raw.profile?.displayName ?? `${orgName} Mail`,
      description: raw.profile?.description,
      consentText: raw.profile?.consentText,
      removalAllowed: raw.profile?.removalAllowed ?? true,
      targetDevice: raw.profile?.targetDevice ?? 'any',
    },
    trust: {
      caFiles: (raw.trust?.caFiles ?? []).map((p, i) => ({path: p, source: locate(['trust', 'caFiles', i])})),
      pins: (raw.trust?.pins ?? []).map((p, i) => ({value: p, source: locate(['trust', 'pins', i])})),
    },
    signing: raw.signing
      ? {
          certificate: raw.signing.certificate,
          key: raw.signing.key,
          chain: raw.signing.chain ?? [],
          pkcs12: raw.signing.pkcs12,
          passphraseEnv: raw.signing.passphraseEnv,
          source: locate(['signing']),
        }
      : undefined,
    users: (raw.users ?? []).flatMap((u, i) => (keepUser(i) ? [{address: u.address, name: u.name, login: u.login, source: locate(['users', i, 'address'])}] : [])),
  }
}
