/**
 * Mozilla's verdict, reported apart (mozilla-untrusted, info): Node's bundled Mozilla store and the
 * device's anchors (Apple's store or the admin's roots) disagree about the chain.
 */
import {finding} from '../../codes.js'
import type {Finding} from '../../findings.js'
import type {ChainContext} from '../chain-context.js'
import type {ChainPath} from '../chain.js'
import {certificateName, issuerName} from '../names.js'
import type {ChainRule} from './types.js'

/** Why Mozilla's store does not anchor the chain. */
export function mozillaReason(path: ChainPath<'mozilla'>): string {
  const last = path.path[path.path.length - 1]!
  if (path.end === 'self-signed') return path.path.length === 1 ? 'the server certificate is self-signed' : `the chain ends at "${certificateName(last.info)}", which is not in Mozilla's store`
  return `the issuer "${issuerName(last.info)}" was not sent and is not in Mozilla's store`
}

function check(ctx: ChainContext): Finding[] {
  const mozillaAnchor = ctx.mozillaPath.anchor
  const deviceTrusts = (ctx.publicRoot || ctx.privateRoot) && !ctx.removedRoot
  if (deviceTrusts === !!mozillaAnchor) return []
  let message: string
  if (ctx.privateRoot) {
    message = `The chain ends at your private root "${ctx.extra.nameOf(ctx.anchor!.entry)}", which Mozilla's root store does not include: Thunderbird and other clients using Mozilla's store will warn unless the root is installed there too.`
  } else if (deviceTrusts) {
    message = `Apple's trust store trusts this chain (root "${ctx.store.roots.nameOf(ctx.anchor!.entry)}") but Node's bundled Mozilla store does not (${mozillaReason(ctx.mozillaPath)}): Thunderbird and tools using Mozilla's store may warn.`
  } else {
    message = `Mozilla's root store trusts this chain (root "${ctx.mozillaStore.nameOf(mozillaAnchor!.entry)}") but Apple devices do not: desktop tools may connect while iPhones and Macs fail.`
  }
  return [finding('mozilla-untrusted', {message, fix: 'Nothing to do for Apple devices beyond the other findings; for clients using Mozilla\'s store, use a CA both trust.'})]
}

export const mozillaRule: ChainRule = {name: 'Mozilla verdict', check}
