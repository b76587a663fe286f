/** The order of what was sent: out of issuing order, or unrelated certificates (chain-order). */
import {finding} from '../../codes.js'
import type {Finding} from '../../findings.js'
import type {ParsedCertificate} from '../certificate.js'
import type {ChainContext} from '../chain-context.js'
import type {ChainPath} from '../chain.js'
import {certificateName} from '../names.js'
import type {ChainRule} from './types.js'

/** Describes certificates sent out of issuing order, or sent but unrelated to the path; undefined when fine. */
export function chainOrderProblem(sent: ParsedCertificate[], path: ChainPath<string>): string | undefined {
  const used = path.sentIndexes
  const outOfOrder = used.some((v, i) => v !== i)
  const pathKeys = new Set(path.path.map((c) => c.issuerKey))
  if (path.anchor) pathKeys.add(path.anchor.parsed.subjectKey)
  const unrelated = sent.filter((c, i) => !used.includes(i) && !pathKeys.has(c.subjectKey) && !path.path.some((p) => p.issuerKey === c.subjectKey))
  const parts: string[] = []
  if (outOfOrder) parts.push(`The server sends its certificates out of order (positions ${used.map((i) => i + 1).join(' → ')} form the chain).`)
  if (unrelated.length) parts.push(`The server also sends ${unrelated.length === 1 ? 'a certificate' : `${unrelated.length} certificates`} unrelated to its chain: ${unrelated.map((c) => `"${certificateName(c.info)}"`).join(', ')}.`)
  return parts.length ? parts.join(' ') : undefined
}

function check(ctx: ChainContext): Finding[] {
  const order = chainOrderProblem(ctx.sent, ctx.applePath)
  if (!order) return []
  return [
    finding('chain-order', {
      message: `${order} Apple devices cope with this, but some older clients fail on it.`,
      fix: 'Serve the server certificate first, then each issuer in turn, without unrelated certificates.',
    }),
  ]
}

export const chainOrderRule: ChainRule = {name: 'chain order', check}
