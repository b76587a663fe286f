import type {Finding} from '../../findings.js'
import type {ChainContext} from '../chain-context.js'

/** One named rule of the chain policy: a pure function of the chain context. */
export interface ChainRule {
  name: string
  check(ctx: ChainContext): Finding[]
}
