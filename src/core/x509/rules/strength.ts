/** Key and signature strength on the leaf and the issuing CAs (weak-key, weak-signature). */
import {finding} from '../../codes.js'
import type {Finding} from '../../findings.js'
import {appleAlert} from '../alerts.js'
import {type ChainContext, bothAlerts, isAnchor, label} from '../chain-context.js'
import {describeKey, isWeakKey, isWeakSignature} from '../policy-apple.js'
import type {ChainRule} from './types.js'

function keys(ctx: ChainContext): Finding[] {
  return ctx.judged.filter((c) => isWeakKey(c.info)).map((c) =>
    finding('weak-key', {
      message: `${label(ctx, c)} has a ${describeKey(c.info)} key; Apple no longer trusts TLS certificates or issuing CAs with RSA keys below 2048 bits or EC keys below 256 bits. ${appleAlert(ctx.host)}`,
      fix: c === ctx.leaf ? 'Generate a new RSA 2048+ or EC P-256 key and reissue the certificate.' : 'Use a CA whose certificates have RSA 2048+ or EC P-256+ keys.',
    }),
  )
}

/** The signature on a self-signed root (or the anchor) does not matter: nobody verifies it. */
function signatures(ctx: ChainContext): Finding[] {
  return ctx.applePath.path.filter((c) => !c.info.selfSigned && !isAnchor(ctx, c) && isWeakSignature(c.info)).map((c) =>
    finding('weak-signature', {
      message: `${label(ctx, c)} is signed with ${c.info.signatureAlgorithm} (${c.info.signatureHash}); Apple and Windows no longer trust SHA-1 or MD5 signatures on TLS certificates. ${bothAlerts(ctx.host)}`,
      fix: 'Reissue it with a SHA-256 (or stronger) signature.',
    }),
  )
}

export const keyStrengthRule: ChainRule = {name: 'key strength', check: keys}
export const signatureStrengthRule: ChainRule = {name: 'signature strength', check: signatures}
