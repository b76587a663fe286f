/** Validity in time of every certificate on the path and the anchor, at --at (expired, not-yet-valid, expires-soon). */
import {finding} from '../../codes.js'
import type {Finding} from '../../findings.js'
import {appleAlert} from '../alerts.js'
import {type ChainContext, bothAlerts, label, storeAnchor} from '../chain-context.js'
import {isoDay, validityAt} from '../validity.js'
import type {ChainRule} from './types.js'

function check(ctx: ChainContext): Finding[] {
  const {host, now, leaf} = ctx
  const findings: Finding[] = []
  const fromStore = storeAnchor(ctx)
  for (const c of ctx.judged) {
    const w = validityAt(c.info, now, ctx.warnDays)
    if (w.status === 'expired') {
      findings.push(
        finding('expired', {
          message: `${label(ctx, c)} expired on ${isoDay(w.notAfter)} (checked as of ${isoDay(now)}). ${bothAlerts(host)}`,
          fix: c === leaf ? 'Renew the certificate, install it and reload every mail daemon that serves it.' : 'Serve the CA\'s current intermediate certificate (download the chain again from the CA).',
        }),
      )
    } else if (w.status === 'not-yet-valid') {
      findings.push(
        finding('not-yet-valid', {
          message: `${label(ctx, c)} is not valid until ${w.notBefore.toISOString()} (checked as of ${now.toISOString()}). ${bothAlerts(host)}`,
          fix: 'Switch to this certificate only once it is valid, or reissue it; check the server\'s clock.',
        }),
      )
    } else if (w.status === 'expires-soon' && c !== fromStore) {
      findings.push(
        finding('expires-soon', {
          message: `${label(ctx, c)} expires on ${isoDay(w.notAfter)}, in ${w.daysLeft} day${w.daysLeft === 1 ? '' : 's'}; from then on ${appleAlert(host)}`,
          fix: c === leaf ? 'Renew it now and reload the IMAP, POP3 and SMTP daemons afterwards.' : 'Serve the CA\'s current intermediate certificate.',
        }),
      )
    }
  }
  return findings
}

export const validityRule: ChainRule = {name: 'validity', check}
