/** Apple's Certificate Transparency policy for certificates from public roots (ct-scts-missing, ct-scts-insufficient). */
import {finding} from '../../codes.js'
import type {Finding} from '../../findings.js'
import {appleAlert} from '../alerts.js'
import type {ChainContext} from '../chain-context.js'
import {ctLifetimeDays, requiredEmbeddedScts} from '../policy-apple.js'
import type {ChainRule} from './types.js'

function check(ctx: ChainContext): Finding[] {
  const {leaf, host} = ctx
  if (!ctx.publicRoot || ctx.leafIsAnchor) return []
  const required = requiredEmbeddedScts(leaf.info)
  const scts = leaf.info.embeddedScts
  if (!required) return []
  if (!scts) {
    return [
      finding('ct-scts-missing', {
        message:
          `The server certificate embeds no Signed Certificate Timestamps. Apple trusts a certificate from a public CA issued after 15 October 2018 only when it was logged for Certificate Transparency (support.apple.com/103214); ` +
          `mail servers practically never deliver SCTs in the handshake instead (mailprofile cannot see those). ${appleAlert(host)}`,
        fix: 'Reissue the certificate from a CA that embeds SCTs (every major public CA does, Let\'s Encrypt included); a certificate made for a private network belongs under a private root instead.',
      }),
    ]
  }
  if (scts.logs >= required.count) return []
  return [
    finding('ct-scts-insufficient', {
      message:
        `The server certificate embeds ${scts.count} Signed Certificate Timestamp${scts.count === 1 ? '' : 's'} from ${scts.logs} log${scts.logs === 1 ? '' : 's'}; Apple's Certificate Transparency policy wants SCTs from distinct logs by lifetime (${ctLifetimeDays(leaf.info)} days here): ${required.rule}. ` +
        `Unless the server delivers more in the handshake, ${appleAlert(host)}`,
      fix: 'Reissue the certificate from a CA that embeds enough SCTs for its lifetime.',
    }),
  ]
}

export const ctRule: ChainRule = {name: 'Certificate Transparency', check}
