/** Pins (trust.pins): some certificate on the path, or the anchor, must match one (pin-mismatch). */
import {finding} from '../../codes.js'
import type {Finding} from '../../findings.js'
import {type ChainContext, storeAnchor} from '../chain-context.js'
import {fingerprintHex} from '../fingerprint.js'
import type {ChainRule} from './types.js'

function check(ctx: ChainContext): Finding[] {
  if (ctx.pins.size === 0) return []
  const fromStore = storeAnchor(ctx)
  const candidates = [...ctx.applePath.path, ...(fromStore ? [fromStore] : [])]
  if (candidates.some((c) => ctx.pins.has(fingerprintHex(c.info)))) return []
  return [
    finding('pin-mismatch', {
      message: `No certificate in the chain matches the pinned fingerprints (trust.pins); the server certificate's SHA-256 is ${ctx.leaf.info.sha256}. The certificate was replaced, or something between you and the server (antivirus, proxy) intercepts TLS.`,
      fix: 'If the certificate was renewed on purpose, put its SHA-256 fingerprint in trust.pins; otherwise find out who presents this certificate.',
    }),
  ]
}

export const pinsRule: ChainRule = {name: 'pins', check}
