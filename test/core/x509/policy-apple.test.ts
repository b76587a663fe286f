import {describe, expect, it} from 'vitest'

import {evaluateChain} from '../../../src/core/x509/evaluate.js'
import {ctLifetimeDays, isWeakKey, isWeakSignature, requiredEmbeddedScts} from '../../../src/core/x509/policy-apple.js'
import {JUL_2019, SEP_2020, validityLimit} from '../../../src/core/x509/validity.js'
import {RootIndex} from '../../../src/core/x509/trust-store.js'
import type {TestChain} from '../../helpers/pki.js'
import {chainWithLeafValidity, daysAfter, storesTrusting} from '../../helpers/x509-fixtures.js'

const HOST = 'mail.example.com'
const SECOND_DAYS = 1 / 86_400

/** Codes for a chain to a public root (a root in the Apple store). */
function publicCodes(pki: TestChain): string[] {
  const now = daysAfter(new Date(pki.leaf.x509.validFrom), 1)
  return evaluateChain({host: HOST, chain: [pki.leaf.der, pki.intermediate.der], now, warnDays: 0, extraRoots: [], ...storesTrusting([pki.root])})
    .findings.map((f) => f.code)
    .sort()
}

/** Codes for a chain to a private root the admin trusts (--ca); Mozilla is told to trust it too so only Apple rules speak. */
function privateCodes(pki: TestChain): string[] {
  const now = daysAfter(new Date(pki.leaf.x509.validFrom), 1)
  return evaluateChain({
    host: HOST,
    chain: [pki.leaf.der, pki.intermediate.der],
    now,
    warnDays: 0,
    extraRoots: [pki.root.der],
    appleStore: storesTrusting([]).appleStore,
    mozillaStore: RootIndex.fromDer([pki.root.der]),
  })
    .findings.map((f) => f.code)
    .sort()
}

const utc = (y: number, m: number, d: number, h = 0) => new Date(Date.UTC(y, m - 1, d, h))

describe('validity-too-long: public roots (HT211025, 398 days from 1 September 2020)', () => {
  it.each([
    ['398 days', 398, []],
    ['398 days + 1 second (Apple allows no slip here)', 398 + SECOND_DAYS, ['validity-too-long']],
    ['399 days', 399, ['validity-too-long']],
  ])('issued 2024-01-01, %s', (_name, days, expected) => {
    expect(publicCodes(chainWithLeafValidity(utc(2024, 1, 1), days as number))).toEqual(expected)
  })

  it('issued just before 1 September 2020: the 825-day rule', () => {
    const before = new Date(SEP_2020 - 1000)
    expect(publicCodes(chainWithLeafValidity(before, 825))).toEqual([])
    expect(publicCodes(chainWithLeafValidity(before, 826))).toEqual(['validity-too-long'])
  })

  it('issued exactly on 1 September 2020: the 398-day rule', () => {
    expect(publicCodes(chainWithLeafValidity(new Date(SEP_2020), 398))).toEqual([])
    expect(publicCodes(chainWithLeafValidity(new Date(SEP_2020), 399))).toEqual(['validity-too-long'])
  })

  it('the message names the rule and says Outlook does not enforce it', () => {
    const pki = chainWithLeafValidity(utc(2024, 1, 1), 500)
    const f = evaluateChain({host: HOST, chain: [pki.leaf.der, pki.intermediate.der], now: utc(2024, 2, 1), warnDays: 0, extraRoots: [], ...storesTrusting([pki.root])}).findings[0]!
    expect(f.code).toBe('validity-too-long')
    expect(f.message).toContain('valid for 500 days')
    expect(f.message).toContain('398 days')
    expect(f.message).toContain('Outlook on Windows does not enforce')
    expect(f.fix).toBe('Reissue the certificate valid for at most 398 days.')
  })
})

describe('validity-too-long: private roots (HT210176, 825 days after 1 July 2019)', () => {
  it.each([
    ['500 days (over 398 is fine for a private root)', 500, ['private-root']],
    ['825 days', 825, ['private-root']],
    ['825 days + 1 hour (Apple\'s slip)', 825 + 1 / 24, ['private-root']],
    ['825 days + 1 hour + 1 second', 825 + 1 / 24 + SECOND_DAYS, ['private-root', 'validity-too-long']],
    ['826 days', 826, ['private-root', 'validity-too-long']],
  ])('issued 2024-01-01, %s', (_name, days, expected) => {
    expect(privateCodes(chainWithLeafValidity(utc(2024, 1, 1), days as number))).toEqual(expected)
  })

  it('issued just before the cut-off: no maximum; just after: 825 days', () => {
    expect(privateCodes(chainWithLeafValidity(utc(2019, 6, 30, 12), 1000))).toEqual(['private-root'])
    expect(privateCodes(chainWithLeafValidity(utc(2019, 7, 1), 826))).toEqual(['private-root', 'validity-too-long'])
    expect(privateCodes(chainWithLeafValidity(utc(2019, 7, 1), 825))).toEqual(['private-root'])
  })

  it('the message says private roots get 825, not 398', () => {
    const pki = chainWithLeafValidity(utc(2024, 1, 1), 900)
    const result = evaluateChain({host: HOST, chain: [pki.leaf.der, pki.intermediate.der], now: utc(2024, 2, 1), warnDays: 0, extraRoots: [pki.root.der], mozillaStore: RootIndex.fromDer([pki.root.der])})
    const f = result.findings.find((x) => x.code === 'validity-too-long')!
    expect(f.message).toContain('825, not 398')
    expect(f.fix).toBe('Reissue the certificate valid for at most 825 days.')
  })
})

describe('policy helpers', () => {
  it('validityLimit tiers', () => {
    expect(validityLimit(new Date(SEP_2020), true)?.days).toBe(398)
    expect(validityLimit(new Date(SEP_2020 - 1), true)?.days).toBe(825)
    expect(validityLimit(utc(2017, 1, 1), true)?.days).toBe(3 * 365 + 2 * 31 + 30 + 1)
    expect(validityLimit(utc(2015, 1, 1), true)?.days).toBe(5 * 365 + 2)
    expect(validityLimit(new Date(JUL_2019), false)).toBeUndefined()
    expect(validityLimit(new Date(JUL_2019 + 1000), false)?.days).toBe(825)
    expect(validityLimit(utc(2024, 1, 1), false, true)).toBeUndefined()
  })

  it('weak keys and signatures', () => {
    expect(isWeakKey({keyType: 'rsa', keyBits: 2047})).toBe(true)
    expect(isWeakKey({keyType: 'rsa', keyBits: 2048})).toBe(false)
    expect(isWeakKey({keyType: 'ec', keyBits: 224})).toBe(true)
    expect(isWeakKey({keyType: 'ec', keyBits: 256})).toBe(false)
    expect(isWeakKey({keyType: 'ed25519', keyBits: 256})).toBe(false)
    expect(isWeakSignature({signatureHash: 'SHA-1', signatureAlgorithm: 'sha1WithRSAEncryption'})).toBe(true)
    expect(isWeakSignature({signatureHash: 'MD5', signatureAlgorithm: 'md5WithRSAEncryption'})).toBe(true)
    expect(isWeakSignature({signatureHash: 'SHA-256', signatureAlgorithm: 'sha256WithRSAEncryption'})).toBe(false)
  })
})

describe("Certificate Transparency (Apple's CT policy, support.apple.com/103214)", () => {
  it('counts the lifetime notBefore through notAfter inclusive, any part of a day as a day', () => {
    const from = utc(2024, 1, 1)
    expect(ctLifetimeDays({notBefore: from.toISOString(), notAfter: new Date(from.getTime() + 90 * 86_400_000 - 1000).toISOString()})).toBe(90)
    expect(ctLifetimeDays({notBefore: from.toISOString(), notAfter: new Date(from.getTime() + 90 * 86_400_000).toISOString()})).toBe(91)
  })

  it('asks for SCTs from distinct logs by lifetime, with the tiers before and after 21 April 2021, and none before 15 October 2018', () => {
    const need = (notBefore: Date, days: number) => requiredEmbeddedScts({notBefore: notBefore.toISOString(), notAfter: new Date(notBefore.getTime() + days * 86_400_000 - 1000).toISOString()})?.count
    expect(need(utc(2024, 1, 1), 90)).toBe(2)
    expect(need(utc(2024, 1, 1), 180)).toBe(2)
    expect(need(utc(2024, 1, 1), 181)).toBe(3)
    expect(need(utc(2024, 1, 1), 398)).toBe(3)
    expect(need(utc(2020, 1, 1), 365)).toBe(2) // under 15 months
    expect(need(utc(2020, 1, 1), 500)).toBe(3) // 16 months
    expect(need(utc(2019, 1, 1), 825)).toBe(4) // 27 months
    expect(need(utc(2018, 10, 16), 60)).toBe(2)
    expect(need(utc(2018, 10, 15), 60)).toBeUndefined()
  })

  it('ct-scts-missing: a leaf from a public root with no embedded SCTs is an error; under a private root it is fine', () => {
    const none = chainWithLeafValidity(utc(2025, 1, 1), 90, {leaf: {embeddedScts: 0}})
    expect(publicCodes(none)).toEqual(['ct-scts-missing'])
    expect(privateCodes(none)).toEqual(['private-root'])
    expect(publicCodes(chainWithLeafValidity(utc(2018, 6, 1), 90, {leaf: {embeddedScts: 0}}))).toEqual([])
  })

  it('ct-scts-insufficient: fewer distinct logs than the lifetime needs (two SCTs from one log count once)', () => {
    expect(publicCodes(chainWithLeafValidity(utc(2025, 1, 1), 90, {leaf: {embeddedScts: 2}}))).toEqual([])
    expect(publicCodes(chainWithLeafValidity(utc(2025, 1, 1), 90, {leaf: {embeddedScts: ['one log', 'one log']}}))).toEqual(['ct-scts-insufficient'])
    const pki = chainWithLeafValidity(utc(2025, 1, 1), 200, {leaf: {embeddedScts: 2}})
    expect(publicCodes(pki)).toEqual(['ct-scts-insufficient'])
    const f = evaluateChain({host: HOST, chain: [pki.leaf.der, pki.intermediate.der], now: utc(2025, 2, 1), warnDays: 0, extraRoots: [], ...storesTrusting([pki.root])}).findings[0]!
    expect(f.severity).toBe('warning')
    expect(f.message).toContain('embeds 2 Signed Certificate Timestamps from 2 logs')
    // notAfter = notBefore + 200 days exactly: 201 days counted inclusively, as Apple does.
    expect(f.message).toContain('(201 days here): a lifetime of 181 to 398 days needs 3')
  })
})
