/**
 * Extended key usage: the server certificate needs id-kp-serverAuth (Apple, HT210176), and an
 * intermediate whose EKU excludes serverAuth may not issue it (missing-server-auth-eku).
 */
import {finding} from '../../codes.js'
import type {Finding} from '../../findings.js'
import {appleAlert} from '../alerts.js'
import {type ChainContext, isAnchor, label} from '../chain-context.js'
import {hasServerAuthEku, intermediateEkuAllowsServerAuth, requiresServerAuthEku} from '../policy-apple.js'
import type {ChainRule} from './types.js'

function leafEku(ctx: ChainContext): Finding[] {
  const {leaf, host, publicRoot} = ctx
  if (ctx.leafIsAnchor || !requiresServerAuthEku(leaf.info, publicRoot) || hasServerAuthEku(leaf.info)) return []
  const eku = leaf.info.extendedKeyUsage
  return [
    finding('missing-server-auth-eku', {
      message:
        `The server certificate ${eku === undefined ? 'has no ExtendedKeyUsage extension' : `has an ExtendedKeyUsage without serverAuth (${eku.join(', ') || 'empty'})`}; ` +
        `Apple requires id-kp-serverAuth in certificates issued after 1 July 2019 (HT210176)${publicRoot ? ' and in every certificate from a public root' : ''}. ${appleAlert(host)}`,
      fix: 'Reissue the certificate with extendedKeyUsage = serverAuth (OID 1.3.6.1.5.5.7.3.1).',
    }),
  ]
}

/** Under any root, public or private: Apple and OpenSSL both refuse a server certificate below an intermediate restricted to other uses. */
function intermediateEku(ctx: ChainContext): Finding[] {
  const findings: Finding[] = []
  for (const c of ctx.applePath.path.slice(1)) {
    if (isAnchor(ctx, c) || intermediateEkuAllowsServerAuth(c.info)) continue
    findings.push(
      finding('missing-server-auth-eku', {
        message: `${label(ctx, c)} restricts its ExtendedKeyUsage to ${c.info.extendedKeyUsage!.join(', ')}, without serverAuth; Apple rejects server certificates it issues. ${appleAlert(ctx.host)}`,
        fix: 'Use an intermediate CA that is allowed to issue TLS server certificates.',
      }),
    )
  }
  return findings
}

export const leafEkuRule: ChainRule = {name: 'server certificate EKU', check: leafEku}
export const intermediateEkuRule: ChainRule = {name: 'intermediate EKU', check: intermediateEku}
