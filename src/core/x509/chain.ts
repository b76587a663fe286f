/**
 * Chain building exactly as sent: from the leaf, link each certificate to its issuer among the
 * certificates the server sent, stopping at the first trust anchor. No AIA fetching and no
 * intermediates from anywhere else — iOS Mail does not fetch missing intermediates either.
 */
import {type ParsedCertificate, isIssuedBy} from './certificate.js'
import {fingerprintHex} from './fingerprint.js'
import type {RootEntry, RootIndex} from './trust-store.js'

/**
 * The most certificates of one server's chain that are judged. A server sending more is broken (a
 * whole CA bundle as its chain file) or hostile; the probe keeps one more (net/tls-connect.ts) so
 * that evaluateChain can tell a cut chain (`chain-too-long`) from one that lacks its issuer.
 */
export const MAX_CHAIN_CERTIFICATES = 16

/** A set of trust anchors and what to call it (e.g. "apple", "extra", "mozilla"). */
export interface AnchorSource<S extends string> {
  source: S
  index: RootIndex
}

export interface ChainAnchor<S extends string> {
  parsed: ParsedCertificate
  entry: RootEntry
  source: S
  /** True when the anchor is a certificate the server sent; false when it came from the store. */
  sent: boolean
}

export interface ChainPath<S extends string> {
  /** Certificates from the sent chain in issuing order, leaf first (the anchor included when sent). */
  path: ParsedCertificate[]
  /** Their positions in the sent chain. */
  sentIndexes: number[]
  anchor?: ChainAnchor<S>
  /**
   * anchored: a trust anchor was reached; self-signed: the path ends at a sent self-signed
   * certificate that no source trusts; missing-issuer: the last certificate's issuer was neither
   * sent nor in any source.
   */
  end: 'anchored' | 'self-signed' | 'missing-issuer'
}

/** Walks leaf → issuers through the sent certificates until one of the sources anchors it. */
export function buildPath<S extends string>(sent: ParsedCertificate[], sources: Array<AnchorSource<S>>): ChainPath<S> {
  const leaf = sent[0]
  if (!leaf) throw new Error('buildPath: empty chain')
  const path = [leaf]
  const sentIndexes = [0]
  for (;;) {
    const cur = path[path.length - 1]!
    for (const {source, index} of sources) {
      const entry = index.contains(cur)
      if (entry) return {path, sentIndexes, anchor: {parsed: cur, entry, source, sent: true}, end: 'anchored'}
    }
    for (const {source, index} of sources) {
      const found = index.issuerOf(cur)
      if (!found) continue
      // The server may also send the root itself: then the anchor is that sent copy.
      const copy = sent.findIndex((c, i) => !sentIndexes.includes(i) && fingerprintHex(c.info) === found.entry.sha256)
      if (copy < 0) return {path, sentIndexes, anchor: {parsed: found.parsed, entry: found.entry, source, sent: false}, end: 'anchored'}
      path.push(sent[copy]!)
      sentIndexes.push(copy)
      return {path, sentIndexes, anchor: {parsed: sent[copy]!, entry: found.entry, source, sent: true}, end: 'anchored'}
    }
    if (cur.info.selfSigned) return {path, sentIndexes, end: 'self-signed'}
    const next = sent.findIndex((c, i) => !sentIndexes.includes(i) && isIssuedBy(cur, c))
    if (next < 0) return {path, sentIndexes, end: 'missing-issuer'}
    path.push(sent[next]!)
    sentIndexes.push(next)
  }
}
