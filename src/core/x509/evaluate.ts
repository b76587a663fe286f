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
import {type AnchorSourceName, type ChainContext, sameCert} from './chain-context.js'
import {buildPath} from './chain.js'
import {normalizePins} from './fingerprint.js'
import {CHAIN_RULES} from './rules/index.js'
import {mozillaReason} from './rules/mozilla.js'
import {trustProblem} from './rules/trust.js'
import {type AppleTrustStore, RootIndex, entryFingerprint, loadMozillaStore, loadTrustStore} from './trust-store.js'

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
  const parsedAll = options.chain.map((der, i) => {
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
  for (const rule of CHAIN_RULES) findings.push(...rule.check(ctx))
  return {certificates: chainCertificates(ctx), trust: chainTrust(ctx), findings}
}

/** The context the rules see, for certificates that all parse (tests of single rules use it). */
export function buildChainContext(options: EvaluateChainOptions): ChainContext {
  const sent = options.chain.map(parseCached)
  if (!sent[0]) throw new Error('buildChainContext: empty chain')
  return chainContext(options, options.appleStore ?? loadTrustStore(), sent, sent[0])
}

function chainContext(options: EvaluateChainOptions, store: AppleTrustStore, sent: ParsedCertificate[], leaf: ParsedCertificate): ChainContext {
  const extra = extraIndex(options.extraRoots)
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

/** The Apple and Mozilla verdicts, and the private root when the chain ends at one. */
function chainTrust(ctx: ChainContext): ChainTrust {
  const {anchor, store, mozillaPath} = ctx
  const apple: ChainTrust['apple'] = {trusted: ctx.publicRoot && !ctx.removedRoot, storeVersion: store.version}
  if (ctx.publicRoot && anchor && !ctx.removedRoot) apple.root = {name: store.roots.nameOf(anchor.entry), sha256: entryFingerprint(anchor.entry)}
  else apple.reason = trustProblem(ctx).appleReason ?? (ctx.privateRoot ? 'the chain ends at a private root (see privateRoot), not at a root in Apple\'s trust store' : 'no root in Apple\'s trust store')
  const trust: ChainTrust = {
    apple,
    mozilla: mozillaPath.anchor
      ? {trusted: true, root: {name: ctx.mozillaStore.nameOf(mozillaPath.anchor.entry), sha256: entryFingerprint(mozillaPath.anchor.entry)}}
      : {trusted: false, reason: mozillaReason(mozillaPath)},
  }
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

const extraIndexes = new WeakMap<Buffer[], {length: number; index: RootIndex}>()

/** The admin's roots as an index, cached per array (check passes the same array for every endpoint). */
function extraIndex(roots: Buffer[]): RootIndex {
  const cached = extraIndexes.get(roots)
  if (cached && cached.length === roots.length) return cached.index
  const index = RootIndex.fromDer(roots)
  extraIndexes.set(roots, {length: roots.length, index})
  return index
}
