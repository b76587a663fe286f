/** Apple's maximum validity period for the server certificate (validity-too-long; HT210176, HT211025). */
import {finding} from '../../codes.js'
import type {Finding} from '../../findings.js'
import {appleAlert} from '../alerts.js'
import type {ChainContext} from '../chain-context.js'
import {DAY_MS, isoDay, validityLimit, validityMs} from '../validity.js'
import type {ChainRule} from './types.js'

function check(ctx: ChainContext): Finding[] {
  const {leaf, host} = ctx
  // A server certificate that is itself the trust anchor has no maximum (Apple exempts anchors).
  if (ctx.leafIsAnchor) return []
  const limit = validityLimit(new Date(leaf.info.notBefore), ctx.publicRoot, ctx.leafIsAnchor)
  const lengthMs = validityMs(leaf.info)
  if (!limit || lengthMs <= limit.maxMs) return []
  const days = Math.round((lengthMs / DAY_MS) * 100) / 100
  return [
    finding('validity-too-long', {
      message:
        `The server certificate is valid for ${days} days (${isoDay(leaf.info.notBefore)} to ${isoDay(leaf.info.notAfter)}); Apple allows ${limit.rule}. ` +
        `${appleAlert(host)} Outlook on Windows does not enforce this limit, so only Apple devices fail.`,
      fix: `Reissue the certificate valid for at most ${limit.days} days.`,
    }),
  ]
}

export const validityPeriodRule: ChainRule = {name: 'validity period', check}
