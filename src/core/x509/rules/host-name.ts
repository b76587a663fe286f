/** Host name: the server certificate's subjectAltName must cover the host (san-missing, hostname-mismatch). */
import {finding} from '../../codes.js'
import type {Finding} from '../../findings.js'
import {appleAlert} from '../alerts.js'
import {type ChainContext, bothAlerts, listNames} from '../chain-context.js'
import {certificateCoversHost, coveredNames, suggestHostName, trailingDotNames} from '../hostname.js'
import type {ChainRule} from './types.js'

function check(ctx: ChainContext): Finding[] {
  const {host, leaf} = ctx
  const names = coveredNames(leaf.info)
  if (!leaf.info.hasSan || names.length === 0) {
    const cn = leaf.info.commonName
    return [
      finding('san-missing', {
        message:
          `The certificate has no subjectAltName names${cn ? `; its only name is the CN "${cn}"` : ''}, and Apple ignores the CN since iOS 13 and macOS 10.15. ` +
          `${appleAlert(host)} Outlook on Windows still accepts a matching CN, so only Apple devices fail.`,
        fix: `Reissue the certificate with subjectAltName DNS:${host}${cn && cn !== host ? ` (and DNS:${cn} if that name is used too)` : ''}.`,
      }),
    ]
  }
  if (certificateCoversHost(leaf.x509, host)) return []
  const suggestion = suggestHostName(leaf.info, host)
  const dotted = trailingDotNames(leaf.info)
  const dots = dotted.length ? ` (${listNames(dotted)} end${dotted.length === 1 ? 's' : ''} with a dot, which makes ${dotted.length === 1 ? 'it' : 'them'} match no host name)` : ''
  return [
    finding('hostname-mismatch', {
      message: `The certificate does not cover "${host}"; it covers ${listNames(names)}${dots}. ${bothAlerts(host)}`,
      fix: suggestion && !dotted.length
        ? `Use ${suggestion} as the server name, or install a certificate that covers ${host}.`
        : `Install a certificate whose subjectAltName includes ${host}${dotted.length ? ' (written without a trailing dot)' : ''}.`,
    }),
  ]
}

export const hostNameRule: ChainRule = {name: 'host name', check}
