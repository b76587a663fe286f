/**
 * What every chain rule (rules/*.ts) reads: one server's certificates as sent, parsed once, the
 * path from the leaf to an anchor (Apple's store or the admin's roots) and to Node's Mozilla store,
 * and the facts the rules share (which anchor, public or private, removed by Apple). Built once per
 * evaluation by evaluate.ts; rules are pure functions of it.
 */
import {OUTLOOK_ALERT, appleAlert} from './alerts.js'
import type {ParsedCertificate} from './certificate.js'
import type {ChainAnchor, ChainPath} from './chain.js'
import {certificateName} from './names.js'
import type {AppleTrustStore, RootEntry, RootIndex} from './trust-store.js'

export type AnchorSourceName = 'apple' | 'extra'
export type TrustInput = 'settings' | 'profile' | 'probe'

export interface ChainContext {
  /** The host name the settings use (and the client sends as SNI). */
  host: string
  /** The instant validity is judged at. */
  now: Date
  warnDays: number
  store: AppleTrustStore
  mozillaStore: RootIndex
  /** The admin's self-signed roots (--ca, trust.caFiles, a profile's root payloads). */
  extra: RootIndex
  /** Certificates the admin trusts that are not self-signed: no device uses them as anchors. */
  notRoots: RootIndex
  /** SHA-256 (bare) of the admin's roots the profile installs (trust.caFiles, a checked profile's payloads). */
  inProfile: Set<string>
  /** Where the admin's roots come from, for advice: a settings file, a checked .mobileconfig, or flags only (probe). */
  trustInput: TrustInput
  /** The server sent more than MAX_CHAIN_CERTIFICATES; only that many are judged. */
  truncated: boolean
  /** The certificates the server sent that parse, in the order sent. */
  sent: ParsedCertificate[]
  leaf: ParsedCertificate
  applePath: ChainPath<AnchorSourceName>
  mozillaPath: ChainPath<'mozilla'>
  anchor?: ChainAnchor<AnchorSourceName>
  /** The chain ends at a root in Apple's trust store. */
  publicRoot: boolean
  /** The chain ends at one of the admin's roots. */
  privateRoot: boolean
  /** A root on the path, or the missing issuer, that Apple removed from its store. */
  removedRoot?: RootEntry
  /** The server certificate itself is the anchor (a self-signed certificate the admin trusts). */
  leafIsAnchor: boolean
  /** The path's certificates, plus the anchor when it came from a store: whose dates and keys count. */
  judged: ParsedCertificate[]
  /** Pins (normalized, 64 upper-case hex digits). */
  pins: Set<string>
}

export function sameCert(a: ParsedCertificate, b: ParsedCertificate): boolean {
  return a === b || a.info.sha256 === b.info.sha256
}

/** Is `c` the chain's anchor? */
export function isAnchor(ctx: ChainContext, c: ParsedCertificate): boolean {
  return !!ctx.anchor && sameCert(ctx.anchor.parsed, c)
}

/** The anchor, when it came from a store rather than from the server. */
export function storeAnchor(ctx: ChainContext): ParsedCertificate | undefined {
  return ctx.anchor && !ctx.anchor.sent ? ctx.anchor.parsed : undefined
}

/** "The server certificate "x"", "The root "y"", "The intermediate certificate "z"". */
export function label(ctx: ChainContext, c: ParsedCertificate): string {
  if (c === ctx.leaf) return `The server certificate "${certificateName(c.info)}"`
  if (c.info.selfSigned || isAnchor(ctx, c)) return `The root "${certificateName(c.info)}"`
  return `The intermediate certificate "${certificateName(c.info)}"`
}

/** What iPhones and Outlook both show. */
export function bothAlerts(host: string): string {
  return `${appleAlert(host)} ${OUTLOOK_ALERT}`
}

/** "a", "b", "c" — at most 10, then "and N more". */
export function listNames(names: string[]): string {
  const shown = names.slice(0, 10).map((n) => `"${n}"`).join(', ')
  return names.length > 10 ? `${shown} and ${names.length - 10} more` : shown
}

/** How to make a private root trusted, in the words of where this check's roots come from. */
export function trustRootAdvice(ctx: ChainContext): string {
  if (ctx.trustInput === 'profile') return 'add it to the profile as a certificate payload (com.apple.security.root) so devices install it (pass it with --ca to test)'
  if (ctx.trustInput === 'probe') return 'pass it with --ca, and list it in your settings (trust.caFiles) so the profile installs it'
  return 'pass it with --ca and list it in the settings (trust.caFiles) so the profile installs it'
}
