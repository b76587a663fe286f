/**
 * evaluateChain: judges the certificates one server sent (leaf first, exactly as sent) for one
 * host name, against Apple's trust store and rules, the admin's extra roots and pins, and reports
 * separately what Node's bundled Mozilla store makes of it. Findings carry no endpoint: the caller
 * (check / probe) adds it.
 *
 * This file parses what was sent, builds the paths (chain.ts) and the ChainContext once, runs the
 * named rules of rules/index.ts over it, and states the verdicts; each rule decides its own codes.
 */
import {finding} from '../codes.js'
import type {Finding} from '../findings.js'
import {appleAlert} from './alerts.js'
import {type CertificateInfo, type ParsedCertificate, parseCertificate} from './certificate.js'
import {type AnchorSourceName, type ChainContext, type TrustInput, sameCert} from './chain-context.js'
import {MAX_CHAIN_CERTIFICATES, buildPath} from './chain.js'
import {X509_CODES} from './codes.js'
import {bareSha256, normalizePins} from './fingerprint.js'
import {CHAIN_RULES} from './rules/index.js'
import {mozillaReason} from './rules/mozilla.js'
import {trustProblem} from './rules/trust.js'
import {type AppleTrustStore, RootIndex, entryFingerprint, loadMozillaStore, loadTrustStore} from './trust-store.js'
import {pushAll} from '../arrays.js'

export interface EvaluateChainOptions {
  /** The host name the settings use (and the client sends as SNI). */
  host: string
  /** DER certificates as the server sent them, leaf first. */
  chain: Buffer[]
  /** The instant validity is judged at (the command's --at, else now). */
  now: Date
  /** Warn when a certificate expires within this many days. */
  warnDays: number
  /** DER certificates the admin trusts as roots (--ca files and the settings' trust.caFiles). */
  extraRoots: Buffer[]
  /**
   * Of `extraRoots`, those the profile installs (the settings' trust.caFiles, a checked profile's
   * certificate payloads): a chain ending there is `private-root-embedded` (info), not `private-root`.
   */
  profileRoots?: Buffer[]
  /** Where the extra roots come from, for the advice in messages. Default 'settings'. */
  trustInput?: TrustInput
  /** SHA-256 fingerprints (hex, colons optional) from the settings' trust.pins. */
  pins?: string[]
  /** Replaces Apple's shipped trust store (tests; a pinned older store). Default: loadTrustStore(). */
  appleStore?: AppleTrustStore
  /** Replaces Node's bundled Mozilla store. Default: loadMozillaStore(). */
  mozillaStore?: RootIndex
}

export type ChainRole = 'leaf' | 'intermediate' | 'root' | 'unused'

export interface ChainCertificate extends CertificateInfo {
  /** False for a root that came from a trust store rather than from the server. */
  sent: boolean
  /** Its place on the path from the leaf to the anchor; "unused" for a sent certificate not on it. */
  role: ChainRole
  /** For the anchor: which store trusts it ("apple": Apple's trust store; "extra": --ca / settings). */
  trustedBy?: 'apple' | 'extra'
}

export interface RootRef {
  name: string
  /** SHA-256, "AB:CD:…" like CertificateInfo.sha256. */
  sha256: string
}

export interface ChainTrust {
  /** Does the chain link to a root in Apple's trust store? (Private roots count under privateRoot.) */
  apple: {trusted: boolean; storeVersion: string; root?: RootRef; reason?: string}
  /** Does the chain link to a root in Node's bundled Mozilla store (tls.rootCertificates)? */
  mozilla: {trusted: boolean; root?: RootRef; reason?: string}
  /** Present when the chain ends at one of the admin's extra roots. */
  privateRoot?: RootRef
}

export interface ChainEvaluation {
  /** As sent, leaf first, then the root used when it came from a store (sent: false). */
  certificates: ChainCertificate[]
  trust: ChainTrust
  findings: Finding[]
}

/** Evaluates one server's certificate chain for one host name. Never throws on bad certificates. */
export function evaluateChain(options: EvaluateChainOptions): ChainEvaluation {
  const store = options.appleStore ?? loadTrustStore()
  const findings: Finding[] = []
  const parsedAll = options.chain.slice(0, MAX_CHAIN_CERTIFICATES).map((der, i) => {
    try {
      return parseCached(der)
    } catch (error) {
      findings.push(
        finding('certificate-unreadable', {
          message: `Certificate ${i + 1} the server sent cannot be parsed (${(error as Error).message}); clients reject the connection. ${appleAlert(options.host)}`,
          fix: 'Check the certificate files the server is configured with (PEM, complete, in order: server certificate first).',
        }),
      )
      return undefined
    }
  })
  const sent = parsedAll.filter((c): c is ParsedCertificate => c !== undefined)
  const leaf = parsedAll[0]
  if (!leaf) {
    const reason = options.chain.length === 0 ? 'the server sent no certificate' : 'the server certificate cannot be parsed'
    return {
      certificates: sent.map((c) => ({...c.info, sent: true, role: 'unused' as const})),
      trust: {apple: {trusted: false, storeVersion: store.version, reason}, mozilla: {trusted: false, reason}},
      findings,
    }
  }
  const ctx = chainContext(options, store, sent, leaf)
  for (const rule of CHAIN_RULES) pushAll(findings, rule.check(ctx))
  return {certificates: chainCertificates(ctx), trust: chainTrust(ctx, findings), findings}
}

/** The context the rules see, for certificates that all parse (tests of single rules use it). */
export function buildChainContext(options: EvaluateChainOptions): ChainContext {
  const sent = options.chain.slice(0, MAX_CHAIN_CERTIFICATES).map(parseCached)
  if (!sent[0]) throw new Error('buildChainContext: empty chain')
  return chainContext(options, options.appleStore ?? loadTrustStore(), sent, sent[0])
}

function chainContext(options: EvaluateChainOptions, store: AppleTrustStore, sent: ParsedCertificate[], leaf: ParsedCertificate): ChainContext {
  const {roots: extra, notRoots} = extraIndex(options.extraRoots)
  const applePath = buildPath<AnchorSourceName>(sent, [
    {source: 'apple', index: store.roots},
    {source: 'extra', index: extra},
  ])
  const mozillaStore = options.mozillaStore ?? loadMozillaStore()
  const mozillaPath = buildPath(sent, [{source: 'mozilla' as const, index: mozillaStore}])
  const anchor = applePath.anchor
  const last = applePath.path[applePath.path.length - 1]!
  const removedOnPath = applePath.path.map((c) => store.removed.contains(c)).find((e) => e !== undefined)
  const removedIssuer = applePath.end === 'missing-issuer' ? store.removed.issuerOf(last)?.entry : undefined
  const judged = [...applePath.path]
  if (anchor && !anchor.sent) judged.push(anchor.parsed)
  return {
    host: options.host,
    now: options.now,
    warnDays: options.warnDays,
    store,
    mozillaStore,
    extra,
    notRoots,
    inProfile: new Set((options.profileRoots ?? []).map(bareSha256)),
    trustInput: options.trustInput ?? 'settings',
    truncated: options.chain.length > MAX_CHAIN_CERTIFICATES,
    sent,
    leaf,
    applePath,
    mozillaPath,
    anchor,
    publicRoot: anchor?.source === 'apple',
    privateRoot: anchor?.source === 'extra',
    removedRoot: removedOnPath ?? removedIssuer,
    leafIsAnchor: !!anchor?.sent && sameCert(anchor.parsed, leaf),
    judged,
    pins: normalizePins(options.pins ?? []),
  }
}

/** The certificates as sent, each with its role on the path, plus a root that came from a store. */
function chainCertificates(ctx: ChainContext): ChainCertificate[] {
  const {anchor, applePath} = ctx
  const onPath = new Map(applePath.sentIndexes.map((sentIndex, pos) => [sentIndex, pos]))
  const certificates: ChainCertificate[] = ctx.sent.map((c, i) => {
    const pos = onPath.get(i)
    const isAnchor = anchor?.sent && sameCert(anchor.parsed, c)
    const role: ChainRole = pos === undefined ? 'unused' : isAnchor || (pos > 0 && c.info.selfSigned) ? 'root' : pos === 0 ? 'leaf' : 'intermediate'
    return {...c.info, sent: true, role, ...(isAnchor ? {trustedBy: anchor.source} : {})}
  })
  if (certificates[0]) certificates[0].role = 'leaf'
  if (anchor && !anchor.sent) certificates.push({...anchor.parsed.info, sent: false, role: 'root', trustedBy: anchor.source})
  return certificates
}

/** Error-level certificate codes that are about the name, not the chain: the chain verdicts ignore them. */
const NAME_CODES = new Set(['hostname-mismatch', 'san-missing'])
const ERROR_CODES = new Set(X509_CODES.filter((c) => c.severity === 'error').map((c) => c.code))
/** Failures every RFC 5280 client shares (Mozilla's verdict falls with them; Apple's with any chain error). */
const RFC5280_CODES = new Set(['ca-not-ca', 'key-usage-no-cert-sign', 'path-length-exceeded', 'chain-signature-invalid', 'name-constraints-violation', 'expired', 'not-yet-valid'])

/** "fails: expired, ca-not-ca" — the chain errors behind a verdict, or undefined when there are none. */
function chainFailure(findings: readonly Finding[], codes: Set<string>): string | undefined {
  const failing = [...new Set(findings.filter((f) => codes.has(f.code) && !NAME_CODES.has(f.code)).map((f) => f.code))]
  return failing.length ? `the chain is anchored but fails validation: ${failing.join(', ')}` : undefined
}

/**
 * The Apple and Mozilla verdicts, and the private root when the chain ends at one. A verdict is
 * "trusted" only when the chain reaches the store's root and nothing on it fails: never "trusted"
 * above a chain that a device rejects.
 */
function chainTrust(ctx: ChainContext, findings: readonly Finding[]): ChainTrust {
  const {anchor, store, mozillaPath} = ctx
  const appleFailure = chainFailure(findings, ERROR_CODES)
  const anchoredApple = ctx.publicRoot && !ctx.removedRoot
  const apple: ChainTrust['apple'] = {trusted: anchoredApple && !appleFailure, storeVersion: store.version}
  if (anchoredApple && anchor) apple.root = {name: store.roots.nameOf(anchor.entry), sha256: entryFingerprint(anchor.entry)}
  if (!apple.trusted) {
    apple.reason =
      (anchoredApple ? appleFailure : undefined) ??
      trustProblem(ctx).appleReason ??
      (ctx.privateRoot && anchor ? `the chain ends at your private root "${ctx.extra.nameOf(anchor.entry)}", not at a root in Apple's trust store${appleFailure ? `, and ${appleFailure.replace(/^the chain is anchored but /, '')}` : ''}` : 'no root in Apple\'s trust store')
  }
  const mozillaFailure = chainFailure(findings, RFC5280_CODES)
  const mozilla: ChainTrust['mozilla'] = mozillaPath.anchor
    ? {trusted: !mozillaFailure, root: {name: ctx.mozillaStore.nameOf(mozillaPath.anchor.entry), sha256: entryFingerprint(mozillaPath.anchor.entry)}}
    : {trusted: false, reason: mozillaReason(mozillaPath)}
  if (mozillaPath.anchor && mozillaFailure) mozilla.reason = mozillaFailure
  const trust: ChainTrust = {apple, mozilla}
  if (ctx.privateRoot && anchor) trust.privateRoot = {name: ctx.extra.nameOf(anchor.entry), sha256: entryFingerprint(anchor.entry)}
  return trust
}

const parsedCache = new Map<string, ParsedCertificate>()
const PARSED_CACHE_LIMIT = 4096

/** parseCertificate, remembered by content: one host often serves the same chain on several ports. */
function parseCached(der: Buffer): ParsedCertificate {
  const key = der.toString('base64')
  let parsed = parsedCache.get(key)
  if (!parsed) {
    parsed = parseCertificate(der)
    if (parsedCache.size >= PARSED_CACHE_LIMIT) parsedCache.clear()
    parsedCache.set(key, parsed)
  }
  return parsed
}

interface ExtraIndexes {
  /** The self-signed ones: trust anchors. */
  roots: RootIndex
  /** The others (intermediates given as CAs): never anchors, named when a chain needed them as one. */
  notRoots: RootIndex
}

const extraIndexes = new WeakMap<Buffer[], {length: number; index: ExtraIndexes}>()

/**
 * The admin's certificates as indexes, cached per array (check passes the same array for every
 * endpoint). Only self-signed certificates anchor a chain: a device does not use an intermediate a
 * profile installs as a trust anchor.
 */
function extraIndex(ders: Buffer[]): ExtraIndexes {
  const cached = extraIndexes.get(ders)
  if (cached && cached.length === ders.length) return cached.index
  const roots: Buffer[] = []
  const others: Buffer[] = []
  for (const der of ders) {
    try {
      ;(parseCached(der).info.selfSigned ? roots : others).push(der)
    } catch {
      // unreadable CA files are reported where they are read
    }
  }
  const index = {roots: RootIndex.fromDer(roots), notRoots: RootIndex.fromDer(others)}
  extraIndexes.set(ders, {length: ders.length, index})
  return index
}
