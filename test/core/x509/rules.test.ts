/**
 * Each named chain rule on its own (src/core/x509/rules/): a fault gives exactly that rule's code,
 * and a good chain gives nothing from any rule. evaluate.test.ts covers the rules together.
 */
import {describe, expect, it} from 'vitest'

import {type EvaluateChainOptions, buildChainContext} from '../../../src/core/x509/evaluate.js'
import {CHAIN_RULES, type ChainRule} from '../../../src/core/x509/rules/index.js'
import {createCertificate, createChain} from '../../helpers/pki.js'
import {storesTrusting, testAppleStore} from '../../helpers/x509-fixtures.js'

const HOST = 'mail.example.com'
const good = createChain({label: 'Rules', dnsNames: [HOST]})

function run(name: string, options: Partial<EvaluateChainOptions> & Pick<EvaluateChainOptions, 'chain'>): string[] {
  const rule = CHAIN_RULES.find((r) => r.name === name) as ChainRule
  expect(rule, name).toBeDefined()
  const ctx = buildChainContext({host: HOST, now: new Date(), warnDays: 30, extraRoots: [], ...storesTrusting([good.root]), ...options})
  return rule.check(ctx).map((f) => f.code)
}

describe('chain rules, one at a time', () => {
  it('every rule is silent on a good chain', () => {
    const ctx = buildChainContext({host: HOST, chain: [good.leaf.der, good.intermediate.der], now: new Date(), warnDays: 30, extraRoots: [], ...storesTrusting([good.root])})
    for (const rule of CHAIN_RULES) expect(rule.check(ctx), rule.name).toEqual([])
  })

  it('rule names are unique', () => {
    expect(new Set(CHAIN_RULES.map((r) => r.name)).size).toBe(CHAIN_RULES.length)
  })

  it('host name', () => {
    expect(run('host name', {host: 'other.example.com', chain: [good.leaf.der, good.intermediate.der]})).toEqual(['hostname-mismatch'])
    const cnOnly = createChain({label: 'RulesCn', dnsNames: [], leaf: {subject: {commonName: HOST}}})
    expect(run('host name', {chain: [cnOnly.leaf.der, cnOnly.intermediate.der], ...storesTrusting([cnOnly.root])})).toEqual(['san-missing'])
  })

  it('validity', () => {
    const at = (days: number) => new Date(Date.now() + days * 86_400_000)
    expect(run('validity', {chain: [good.leaf.der, good.intermediate.der], now: at(100)})).toEqual(['expired'])
    const later = createChain({label: 'RulesLater', dnsNames: [HOST], leaf: {notBefore: at(5)}})
    expect(run('validity', {chain: [later.leaf.der, later.intermediate.der], ...storesTrusting([later.root])})).toEqual(['not-yet-valid'])
    expect(run('validity', {chain: [good.leaf.der, good.intermediate.der], now: at(80)})).toEqual(['expires-soon'])
  })

  it('trust and anchor', () => {
    expect(run('trust and anchor', {chain: [good.leaf.der]})).toEqual(['incomplete-chain'])
    expect(run('trust and anchor', {chain: [good.leaf.der, good.intermediate.der, good.root.der], ...storesTrusting([])})).toEqual(['untrusted-root'])
    expect(run('trust and anchor', {chain: [good.leaf.der, good.intermediate.der], appleStore: testAppleStore([], [good.root])})).toEqual(['distrusted-root'])
  })

  it('validity period', () => {
    const long = createChain({label: 'RulesLong', dnsNames: [HOST], leaf: {validityDays: 500}})
    expect(run('validity period', {chain: [long.leaf.der, long.intermediate.der], ...storesTrusting([long.root])})).toEqual(['validity-too-long'])
  })

  it('server certificate EKU and intermediate EKU', () => {
    const noEku = createChain({label: 'RulesEku', dnsNames: [HOST], leaf: {extendedKeyUsage: ['clientAuth']}})
    expect(run('server certificate EKU', {chain: [noEku.leaf.der, noEku.intermediate.der], ...storesTrusting([noEku.root])})).toEqual(['missing-server-auth-eku'])
    const intEku = createChain({label: 'RulesIntEku', dnsNames: [HOST], intermediate: {extendedKeyUsage: ['emailProtection']}})
    expect(run('intermediate EKU', {chain: [intEku.leaf.der, intEku.intermediate.der], ...storesTrusting([intEku.root])})).toEqual(['missing-server-auth-eku'])
  })

  it('Certificate Transparency', () => {
    const none = createChain({label: 'RulesCt', dnsNames: [HOST], leaf: {embeddedScts: 0}})
    expect(run('Certificate Transparency', {chain: [none.leaf.der, none.intermediate.der], ...storesTrusting([none.root])})).toEqual(['ct-scts-missing'])
    const one = createChain({label: 'RulesCt1', dnsNames: [HOST], leaf: {embeddedScts: 1}})
    expect(run('Certificate Transparency', {chain: [one.leaf.der, one.intermediate.der], ...storesTrusting([one.root])})).toEqual(['ct-scts-insufficient'])
  })

  it('key strength and signature strength', () => {
    const weak = createChain({label: 'RulesWeak', dnsNames: [HOST], leaf: {key: {bits: 1024, slot: 'rules-weak'}, signatureHash: 'sha1'}})
    const chain = [weak.leaf.der, weak.intermediate.der]
    expect(run('key strength', {chain, ...storesTrusting([weak.root])})).toEqual(['weak-key'])
    expect(run('signature strength', {chain, ...storesTrusting([weak.root])})).toEqual(['weak-signature'])
  })

  it('pins', () => {
    expect(run('pins', {chain: [good.leaf.der, good.intermediate.der], pins: ['AB'.repeat(32)]})).toEqual(['pin-mismatch'])
    expect(run('pins', {chain: [good.leaf.der, good.intermediate.der], pins: [good.root.x509.fingerprint256]})).toEqual([])
  })

  it('Mozilla verdict', () => {
    expect(run('Mozilla verdict', {chain: [good.leaf.der, good.intermediate.der], mozillaStore: testAppleStore([]).roots})).toEqual(['mozilla-untrusted'])
  })

  it('chain order', () => {
    const other = createCertificate({subject: {commonName: 'Unrelated'}, dnsNames: ['x.example'], key: {slot: 'unrelated'}})
    expect(run('chain order', {chain: [good.leaf.der, good.intermediate.der, other.der]})).toEqual(['chain-order'])
  })
})
