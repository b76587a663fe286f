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
import {ChainMemo} from './chain-memo.js'
import {type AppleTrustStore, type RootEntry, RootIndex, entryFingerprint, loadMozillaStore, loadTrustStore} from './trust-store.js'
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
  return chainEvaluator(options)(options.host, options.chain)
}

/**
 * What an evaluation finds that does not depend on the host name: the certificates as parsed (or
 * why one does not parse), the paths to Apple's, the admin's and Mozilla's anchors, the facts the
 * rules share, and the certificates with their roles.
 */
interface ChainFacts {
  unreadable: Array<{index: number; message: string}>
  sent: ParsedCertificate[]
  /** Absent when the server certificate does not parse (or none was sent). */
  context?: Omit<ChainContext, 'host'>
  certificates: ChainCertificate[]
}

/** Chains remembered per evaluator; a check of more distinct chains than this starts over. */
const FACTS_LIMIT = 4096
/** Host names remembered per chain (each with its whole evaluation); more start that chain's list over. */
const HOSTS_PER_CHAIN_LIMIT = 4096

/** A chain's facts and, per host name exactly as written, the evaluation made for it. */
interface KnownChain {
  facts: ChainFacts
  byHost: Map<string, ChainEvaluation>
}

/**
 * An evaluateChain for many endpoints with the same options (one check run): what does not depend
 * on the host (parsing, path building against the trust stores, the admin's roots and pins) is
 * worked out once per distinct chain (recognised byte for byte, chain-memo.ts), the rules and
 * verdicts once per (chain, host name): a host serving the same chain on several ports is judged
 * once, and two host names with the same chain each get their own verdicts.
 */
export function chainEvaluator(options: Omit<EvaluateChainOptions, 'host' | 'chain'>): (host: string, chain: Buffer[]) => ChainEvaluation {
  const store = options.appleStore ?? loadTrustStore()
  const shared = sharedFacts(options, store)
  const chains = new ChainMemo<KnownChain>(FACTS_LIMIT)
  const refs = rootRefs()
  return (host, chain) => {
    const known = chains.getOrAdd(chain, () => ({facts: chainFacts(chain, store, shared), byHost: new Map()}))
    let evaluation = known.byHost.get(host)
    if (!evaluation) {
      evaluation = evaluateKnown(host, chain, known.facts, store, refs)
      if (known.byHost.size >= HOSTS_PER_CHAIN_LIMIT) known.byHost.clear()
      known.byHost.set(host, evaluation)
    }
    return evaluation
  }
}

/** The rules and verdicts for one host name over a chain's facts. */
function evaluateKnown(host: string, chain: Buffer[], known: ChainFacts, store: AppleTrustStore, refs: RootRefs): ChainEvaluation {
  const findings: Finding[] = known.unreadable.map(({index, message}) =>
    finding('certificate-unreadable', {
      message: `Certificate ${index + 1} the server sent cannot be parsed (${message}); clients reject the connection. ${appleAlert(host)}`,
      fix: 'Check the certificate files the server is configured with (PEM, complete, in order: server certificate first).',
    }),
  )
  if (!known.context) {
    const reason = chain.length === 0 ? 'the server sent no certificate' : 'the server certificate cannot be parsed'
    return {
      certificates: known.certificates,
      trust: {apple: {trusted: false, storeVersion: store.version, reason}, mozilla: {trusted: false, reason}},
      findings,
    }
  }
  const ctx: ChainContext = {...known.context, host}
  for (const rule of CHAIN_RULES) pushAll(findings, rule.check(ctx))
  return {certificates: known.certificates, trust: chainTrust(ctx, findings, refs), findings}
}

/** A RootRef per (index, entry), made once: its name and colon fingerprint are the same for every endpoint. */
type RootRefs = (index: RootIndex, entry: RootEntry) => RootRef

function rootRefs(): RootRefs {
  const made = new WeakMap<RootIndex, WeakMap<RootEntry, RootRef>>()
  return (index, entry) => {
    let byEntry = made.get(index)
    if (!byEntry) made.set(index, (byEntry = new WeakMap()))
    let ref = byEntry.get(entry)
    if (!ref) byEntry.set(entry, (ref = {name: index.nameOf(entry), sha256: entryFingerprint(entry)}))
    return ref
  }
}

/** The parts of a context that are the same for every chain of one evaluator. */
type SharedFacts = Pick<ChainContext, 'now' | 'warnDays' | 'store' | 'mozillaStore' | 'extra' | 'notRoots' | 'inProfile' | 'trustInput' | 'pins'>

function sharedFacts(options: Omit<EvaluateChainOptions, 'host' | 'chain'>, store: AppleTrustStore): SharedFacts {
  const {roots: extra, notRoots} = extraIndex(options.extraRoots)
  return {
    now: options.now,
    warnDays: options.warnDays,
    store,
    mozillaStore: options.mozillaStore ?? loadMozillaStore(),
    extra,
    notRoots,
    inProfile: new Set((options.profileRoots ?? []).map(bareSha256)),
    trustInput: options.trustInput ?? 'settings',
    pins: normalizePins(options.pins ?? []),
  }
}

function chainFacts(chain: Buffer[], store: AppleTrustStore, shared: SharedFacts): ChainFacts {
  const unreadable: ChainFacts['unreadable'] = []
  const parsedAll = chain.slice(0, MAX_CHAIN_CERTIFICATES).map((der, index) => {
    try {
      return parseCached(der)
    } catch (error) {
      unreadable.push({index, message: (error as Error).message})
      return undefined
    }
  })
  const sent = parsedAll.filter((c): c is ParsedCertificate => c !== undefined)
  const leaf = parsedAll[0]
  if (!leaf) return {unreadable, sent, certificates: sent.map((c) => ({...c.info, sent: true, role: 'unused' as const}))}
  const context = chainContext(shared, store, sent, leaf, chain.length > MAX_CHAIN_CERTIFICATES)
  return {unreadable, sent, context, certificates: chainCertificates(context)}
}

/** The context the rules see, for certificates that all parse (tests of single rules use it). */
export function buildChainContext(options: EvaluateChainOptions): ChainContext {
  const sent = options.chain.slice(0, MAX_CHAIN_CERTIFICATES).map(parseCached)
  if (!sent[0]) throw new Error('buildChainContext: empty chain')
  const store = options.appleStore ?? loadTrustStore()
  return {...chainContext(sharedFacts(options, store), store, sent, sent[0], options.chain.length > MAX_CHAIN_CERTIFICATES), host: options.host}
}

function chainContext(shared: SharedFacts, store: AppleTrustStore, sent: ParsedCertificate[], leaf: ParsedCertificate, truncated: boolean): Omit<ChainContext, 'host'> {
  const applePath = buildPath<AnchorSourceName>(sent, [
    {source: 'apple', index: store.roots},
    {source: 'extra', index: shared.extra},
  ])
  const mozillaPath = buildPath(sent, [{source: 'mozilla' as const, index: shared.mozillaStore}])
  const anchor = applePath.anchor
  const last = applePath.path[applePath.path.length - 1]!
  const removedOnPath = applePath.path.map((c) => store.removed.contains(c)).find((e) => e !== undefined)
  const removedIssuer = applePath.end === 'missing-issuer' ? store.removed.issuerOf(last)?.entry : undefined
  const judged = [...applePath.path]
  if (anchor && !anchor.sent) judged.push(anchor.parsed)
  return {
    ...shared,
    truncated,
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
  }
}

/** The certificates as sent, each with its role on the path, plus a root that came from a store. */
function chainCertificates(ctx: Omit<ChainContext, 'host'>): ChainCertificate[] {
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
function chainTrust(ctx: ChainContext, findings: readonly Finding[], refs: RootRefs): ChainTrust {
  const {anchor, store, mozillaPath} = ctx
  const appleFailure = chainFailure(findings, ERROR_CODES)
  const anchoredApple = ctx.publicRoot && !ctx.removedRoot
  const apple: ChainTrust['apple'] = {trusted: anchoredApple && !appleFailure, storeVersion: store.version}
  if (anchoredApple && anchor) apple.root = refs(store.roots, anchor.entry)
  if (!apple.trusted) {
    apple.reason =
      (anchoredApple ? appleFailure : undefined) ??
      trustProblem(ctx).appleReason ??
      (ctx.privateRoot && anchor ? `the chain ends at your private root "${ctx.extra.nameOf(anchor.entry)}", not at a root in Apple's trust store${appleFailure ? `, and ${appleFailure.replace(/^the chain is anchored but /, '')}` : ''}` : 'no root in Apple\'s trust store')
  }
  const mozillaFailure = chainFailure(findings, RFC5280_CODES)
  const mozilla: ChainTrust['mozilla'] = mozillaPath.anchor
    ? {trusted: !mozillaFailure, root: refs(ctx.mozillaStore, mozillaPath.anchor.entry)}
    : {trusted: false, reason: mozillaReason(mozillaPath)}
  if (mozillaPath.anchor && mozillaFailure) mozilla.reason = mozillaFailure
  const trust: ChainTrust = {apple, mozilla}
  if (ctx.privateRoot && anchor) trust.privateRoot = refs(ctx.extra, anchor.entry)
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
