/**
 * The chain policy as a list of named rules, in the order their findings are reported. Each is a
 * pure function of the ChainContext (chain-context.ts) that evaluate.ts builds once per chain.
 */
import {ctRule} from './ct.js'
import {intermediateEkuRule, leafEkuRule} from './eku.js'
import {hostNameRule} from './host-name.js'
import {mozillaRule} from './mozilla.js'
import {chainOrderRule} from './order.js'
import {caIssuersRule, nameConstraintsRule} from './path.js'
import {pinsRule} from './pins.js'
import {keyStrengthRule, signatureStrengthRule} from './strength.js'
import {trustRule} from './trust.js'
import type {ChainRule} from './types.js'
import {validityPeriodRule} from './validity-period.js'
import {validityRule} from './validity.js'

export type {ChainRule} from './types.js'

export const CHAIN_RULES: readonly ChainRule[] = [
  hostNameRule,
  validityRule,
  trustRule,
  caIssuersRule,
  nameConstraintsRule,
  validityPeriodRule,
  leafEkuRule,
  intermediateEkuRule,
  ctRule,
  keyStrengthRule,
  signatureStrengthRule,
  pinsRule,
  mozillaRule,
  chainOrderRule,
]
