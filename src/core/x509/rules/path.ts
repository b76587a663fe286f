/**
 * RFC 5280 §6 path validation of the chain as sent, to the anchor, on what the path building in
 * chain.ts does not already guarantee (it links each certificate to an issuer whose name matches
 * and whose key verifies the signature, and validity.ts judges every certificate's dates): every
 * issuing certificate is a CA (ca-not-ca), its keyUsage allows keyCertSign
 * (key-usage-no-cert-sign), pathLenConstraint holds (path-length-exceeded), and the nameConstraints
 * of the anchor and the intermediates permit the host and the server certificate's names
 * (name-constraints-violation). Only dNSName and iPAddress constraints are judged: they are the
 * forms a mail server's names take; directoryName and other forms are not evaluated.
 */

import {finding} from '../../codes.js'
import type {Finding} from '../../findings.js'
import {ipLiteralVersion} from '../../mail/host.js'
import {appleAlert} from '../alerts.js'
import type {ParsedCertificate} from '../certificate.js'
import {type ChainContext, bothAlerts, label, storeAnchor} from '../chain-context.js'
import {type NameSubtrees, caExtensions, dnsWithinSubtree, ipWithinSubtree} from '../extensions.js'
import {normalizeHostName} from '../hostname.js'
import {certificateName} from '../names.js'
import type {ChainRule} from './types.js'

/** The path from the leaf up, with the anchor when it came from a store. */
function fullPath(ctx: ChainContext): ParsedCertificate[] {
  const fromStore = storeAnchor(ctx)
  return fromStore ? [...ctx.applePath.path, fromStore] : [...ctx.applePath.path]
}

const selfIssued = (c: ParsedCertificate) => c.issuerKey === c.subjectKey

function issuers(ctx: ChainContext): Finding[] {
  const findings: Finding[] = []
  const path = fullPath(ctx)
  for (let k = 1; k < path.length; k++) {
    const ca = path[k]!
    const issued = path[k - 1]!
    const ext = caExtensions(ca)
    const what = `${label(ctx, ca)} issued "${certificateName(issued.info)}"`
    // An X.509 v1 self-signed anchor (no extensions at all) counts as a CA, as OpenSSL and Apple read it.
    const v1Anchor = k === path.length - 1 && ext.none && ca.info.selfSigned
    if (!ext.basicConstraints?.ca && !v1Anchor) {
      findings.push(
        finding('ca-not-ca', {
          message: `${what} but is not a CA: ${ext.unreadable === 'basicConstraints' ? 'its basicConstraints extension cannot be read' : ext.basicConstraints ? 'its basicConstraints say CA:FALSE' : 'it has no basicConstraints extension'}, so the chain is invalid (RFC 5280 6.1.4). ${bothAlerts(ctx.host)}`,
        }),
      )
    }
    if (ext.keyUsage && !ext.keyUsage.keyCertSign) {
      findings.push(finding('key-usage-no-cert-sign', {message: `${what}, but its keyUsage does not include keyCertSign, so it may not sign certificates (RFC 5280 4.2.1.3). ${bothAlerts(ctx.host)}`}))
    }
    const pathLen = ext.basicConstraints?.ca ? ext.basicConstraints.pathLen : undefined
    const below = path.slice(1, k).filter((c) => !selfIssued(c)).length
    if (pathLen !== undefined && below > pathLen) {
      findings.push(
        finding('path-length-exceeded', {
          message: `${label(ctx, ca)} allows at most ${pathLen} intermediate CA${pathLen === 1 ? '' : 's'} below it (pathlen:${pathLen}), but the chain has ${below}. ${bothAlerts(ctx.host)}`,
        }),
      )
    }
  }
  return findings
}

/** The names a CA's constraints are judged against: the host, and the server certificate's SAN entries. */
function namesBelow(ctx: ChainContext): {dns: string[]; ip: string[]} {
  const host = normalizeHostName(ctx.host)
  const dns = new Set<string>()
  const ip = new Set<string>()
  if (ipLiteralVersion(host)) ip.add(host)
  else dns.add(host)
  for (const n of ctx.leaf.info.dnsNames) dns.add(n.toLowerCase())
  for (const a of ctx.leaf.info.ipAddresses) ip.add(a)
  return {dns: [...dns], ip: [...ip]}
}

function violations(names: {dns: string[]; ip: string[]}, permitted: NameSubtrees | undefined, excluded: NameSubtrees | undefined): string[] {
  const out: string[] = []
  for (const n of names.dns) {
    if (permitted && permitted.dns.length > 0 && !permitted.dns.some((b) => dnsWithinSubtree(n, b))) out.push(`"${n}" is outside the permitted ${permitted.dns.map((b) => `"${b}"`).join(', ')}`)
    const hit = excluded?.dns.find((b) => dnsWithinSubtree(n, b))
    if (hit !== undefined) out.push(`"${n}" is within the excluded "${hit}"`)
  }
  for (const a of names.ip) {
    if (permitted && permitted.ip.length > 0 && !permitted.ip.some((s) => ipWithinSubtree(a, s))) out.push(`${a} is outside the permitted address ranges`)
    if (excluded?.ip.some((s) => ipWithinSubtree(a, s))) out.push(`${a} is within an excluded address range`)
  }
  return out
}

function nameConstraints(ctx: ChainContext): Finding[] {
  if (ctx.leafIsAnchor) return []
  const findings: Finding[] = []
  const names = namesBelow(ctx)
  for (const ca of fullPath(ctx).slice(1)) {
    const ext = caExtensions(ca)
    if (ext.unreadable === 'nameConstraints') {
      findings.push(finding('name-constraints-violation', {message: `${label(ctx, ca)} has a nameConstraints extension that cannot be read, so no name can be shown to be permitted. ${appleAlert(ctx.host)}`}))
      continue
    }
    const nc = ext.nameConstraints
    if (!nc) continue
    const problems = violations(names, nc.permitted, nc.excluded)
    if (problems.length === 0) continue
    findings.push(
      finding('name-constraints-violation', {
        message: `${label(ctx, ca)} restricts the names it may certify (nameConstraints): ${problems.join('; ')}. ${bothAlerts(ctx.host)}`,
      }),
    )
  }
  return findings
}

export const caIssuersRule: ChainRule = {name: 'issuing CAs (basicConstraints, keyUsage, pathLen)', check: issuers}
export const nameConstraintsRule: ChainRule = {name: 'name constraints', check: nameConstraints}
