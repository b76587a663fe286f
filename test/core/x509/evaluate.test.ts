import {describe, expect, it} from 'vitest'

import {type EvaluateChainOptions, chainEvaluator, evaluateChain} from '../../../src/core/x509/evaluate.js'
import {createCertificate, createChain, createSelfSigned, getKey} from '../../helpers/pki.js'
import {TEST_STORE_VERSION, daysAfter, opensslLeaf, storesTrusting, testAppleStore, weakEcKey} from '../../helpers/x509-fixtures.js'

const NOW = new Date()
const HOST = 'mail.example.com'
/** Root and intermediate valid 2010–2050, so only the leaf's dates matter. */
const CA_DATES = {notBefore: new Date(Date.UTC(2010, 0, 1)), notAfter: new Date(Date.UTC(2050, 0, 1))}

function evaluate(options: Partial<EvaluateChainOptions> & Pick<EvaluateChainOptions, 'chain'>) {
  return evaluateChain({host: HOST, now: NOW, warnDays: 30, extraRoots: [], ...options})
}

function codes(result: {findings: Array<{code: string}>}): string[] {
  return result.findings.map((f) => f.code).sort()
}

describe('evaluateChain: a good chain', () => {
  it('a complete chain to a trusted root has no findings and names the root and store version', () => {
    const pki = createChain({dnsNames: [HOST]})
    const result = evaluate({chain: [pki.leaf.der, pki.intermediate.der], ...storesTrusting([pki.root])})
    expect(codes(result)).toEqual([])
    expect(result.trust.apple).toEqual({trusted: true, storeVersion: TEST_STORE_VERSION, root: {name: 'Test Root CA', sha256: pki.root.x509.fingerprint256}})
    expect(result.trust.mozilla.trusted).toBe(true)
    expect(result.trust.privateRoot).toBeUndefined()
    expect(result.certificates.map((c) => [c.commonName, c.role, c.sent, c.trustedBy])).toEqual([
      [HOST, 'leaf', true, undefined],
      ['Test Intermediate CA', 'intermediate', true, undefined],
      ['Test Root CA', 'root', false, 'apple'],
    ])
  })

  it('a sent root that the store holds is used as the anchor, not appended again', () => {
    const pki = createChain({dnsNames: [HOST]})
    const result = evaluate({chain: [pki.leaf.der, pki.intermediate.der, pki.root.der], ...storesTrusting([pki.root])})
    expect(codes(result)).toEqual([])
    expect(result.certificates.map((c) => [c.role, c.sent])).toEqual([
      ['leaf', true],
      ['intermediate', true],
      ['root', true],
    ])
  })
})

describe('evaluateChain: host names', () => {
  it('hostname-mismatch lists the covered names and suggests the name to use (shared hosting)', () => {
    const pki = createChain({dnsNames: ['server12.host.com', 'www.server12.host.com']})
    const result = evaluate({host: 'mail.customer.com', chain: [pki.leaf.der, pki.intermediate.der], ...storesTrusting([pki.root])})
    expect(codes(result)).toEqual(['hostname-mismatch'])
    const f = result.findings[0]!
    expect(f.severity).toBe('error')
    expect(f.message).toContain('"server12.host.com", "www.server12.host.com"')
    expect(f.message).toContain('The identity of "mail.customer.com" cannot be verified by Mail')
    expect(f.fix).toBe('Use server12.host.com as the server name, or install a certificate that covers mail.customer.com.')
  })

  it('a certificate with many names lists the first ten', () => {
    const names = Array.from({length: 14}, (_, i) => `site${i + 1}.host.com`)
    const pki = createChain({dnsNames: names})
    const f = evaluate({chain: [pki.leaf.der, pki.intermediate.der], ...storesTrusting([pki.root])}).findings[0]!
    expect(f.code).toBe('hostname-mismatch')
    expect(f.message).toContain('"site10.host.com" and 4 more')
    expect(f.message).not.toContain('site11')
  })

  it('a wildcard covers one label only', () => {
    const pki = createChain({dnsNames: ['*.example.com']})
    const stores = storesTrusting([pki.root])
    expect(codes(evaluate({host: 'imap.example.com', chain: [pki.leaf.der, pki.intermediate.der], ...stores}))).toEqual([])
    expect(codes(evaluate({host: 'a.imap.example.com', chain: [pki.leaf.der, pki.intermediate.der], ...stores}))).toEqual(['hostname-mismatch'])
  })

  it('san-missing when the name is only in the CN (Apple ignores the CN)', () => {
    const pki = createChain({dnsNames: [], leaf: {subject: {commonName: HOST}}})
    const result = evaluate({chain: [pki.leaf.der, pki.intermediate.der], ...storesTrusting([pki.root])})
    expect(codes(result)).toEqual(['san-missing'])
    expect(result.findings[0]!.message).toContain(`CN "${HOST}"`)
    expect(result.findings[0]!.message).toContain('Outlook on Windows still accepts')
  })
})

describe('evaluateChain: dates', () => {
  const pki = createChain({dnsNames: [HOST], root: CA_DATES, intermediate: CA_DATES, leaf: {notBefore: new Date(Date.UTC(2025, 0, 1)), validityDays: 90}})
  const stores = storesTrusting([pki.root])
  const chain = [pki.leaf.der, pki.intermediate.der]

  it('expired', () => {
    const result = evaluate({chain, ...stores, now: new Date(Date.UTC(2025, 5, 1))})
    expect(codes(result)).toEqual(['expired'])
    expect(result.findings[0]!.message).toContain('expired on 2025-04-01')
  })

  it('not-yet-valid', () => {
    expect(codes(evaluate({chain, ...stores, now: new Date(Date.UTC(2024, 11, 31))}))).toEqual(['not-yet-valid'])
  })

  it('expires-soon within warnDays, not outside it', () => {
    const now = new Date(Date.UTC(2025, 2, 20))
    const soon = evaluate({chain, ...stores, now, warnDays: 30})
    expect(codes(soon)).toEqual(['expires-soon'])
    expect(soon.findings[0]!.severity).toBe('warning')
    expect(codes(evaluate({chain, ...stores, now, warnDays: 5}))).toEqual([])
  })

  it('an expired intermediate is reported as such', () => {
    const chain2 = createChain({
      label: 'Old',
      dnsNames: [HOST],
      root: CA_DATES,
      intermediate: {notBefore: new Date(Date.UTC(2020, 0, 1)), validityDays: 365},
      leaf: {notBefore: new Date(Date.UTC(2020, 1, 1)), validityDays: 90},
    })
    const result = evaluate({chain: [chain2.leaf.der, chain2.intermediate.der], ...storesTrusting([chain2.root]), now: new Date(Date.UTC(2021, 6, 1))})
    expect(codes(result)).toEqual(['expired', 'expired'])
    expect(result.findings.map((f) => f.message.split(' expired')[0])).toEqual([`The server certificate "${HOST}"`, 'The intermediate certificate "Old Intermediate CA"'])
  })
})

describe('evaluateChain: trust', () => {
  it('self-signed', () => {
    const cert = createSelfSigned({dnsNames: [HOST]})
    const result = evaluate({chain: [cert.der], ...storesTrusting([])})
    expect(codes(result)).toEqual(['self-signed'])
    expect(result.trust.apple).toMatchObject({trusted: false, reason: 'the server certificate is self-signed'})
  })

  it('untrusted-root: the server sends a root nobody trusts', () => {
    const pki = createChain({dnsNames: [HOST]})
    const result = evaluate({chain: [pki.leaf.der, pki.intermediate.der, pki.root.der], ...storesTrusting([])})
    expect(codes(result)).toEqual(['untrusted-root'])
    expect(result.findings[0]!.message).toContain('"Test Root CA"')
  })

  it('incomplete-chain: the intermediate is missing, judged exactly as sent; the complete chain passes', () => {
    const pki = createChain({dnsNames: [HOST]})
    const stores = storesTrusting([pki.root])
    const result = evaluate({chain: [pki.leaf.der], ...stores})
    expect(codes(result)).toEqual(['incomplete-chain'])
    const f = result.findings[0]!
    expect(f.message).toContain('"Test Intermediate CA"')
    expect(f.message).toContain('Outlook on Windows')
    expect(result.trust.apple.trusted).toBe(false)
    expect(codes(evaluate({chain: [pki.leaf.der, pki.intermediate.der], ...stores}))).toEqual([])
  })

  it('a cross-signed root the server sends does not hide the store root with the same name and key', () => {
    const pki = createChain({label: 'New', dnsNames: [HOST]})
    const oldRoot = createCertificate({subject: {commonName: 'Old Root CA'}, isCA: true, key: {slot: 'old-root'}})
    const crossSigned = createCertificate({subject: {commonName: 'New Root CA', organization: 'mailprofile tests'}, isCA: true, key: pki.root.key, issuer: oldRoot})
    const result = evaluate({chain: [pki.leaf.der, pki.intermediate.der, crossSigned.der], ...storesTrusting([pki.root])})
    expect(codes(result)).toEqual([])
    expect(result.trust.apple.root?.name).toBe('New Root CA')
    expect(result.certificates.map((c) => c.role)).toEqual(['leaf', 'intermediate', 'unused', 'root'])
    // Without the new root in the store, the walk follows the cross-signature to the old root, which is missing.
    expect(codes(evaluate({chain: [pki.leaf.der, pki.intermediate.der, crossSigned.der], ...storesTrusting([])}))).toEqual(['incomplete-chain'])
  })

  it('incomplete-chain: a leaf naming its issuer\'s download address (AIA) is said to miss an intermediate', () => {
    const pki = createChain({label: 'Aia', dnsNames: [HOST]})
    const leaf = opensslLeaf(pki.intermediate, HOST, ['authorityInfoAccess = caIssuers;URI:http://ca.example.test/aia-int.cer'])
    const now = daysAfter(new Date(), 1) // openssl starts the leaf's validity at this second
    const result = evaluate({chain: [leaf], now, ...storesTrusting([pki.root])})
    expect(codes(result)).toEqual(['incomplete-chain'])
    expect(result.findings[0]!.message).toContain('"Aia Intermediate CA", an intermediate CA (the certificate names where to download it: http://ca.example.test/aia-int.cer)')
    expect(result.certificates[0]!.caIssuers).toEqual(['http://ca.example.test/aia-int.cer'])
    expect(codes(evaluate({chain: [leaf, pki.intermediate.der], now, ...storesTrusting([pki.root])}))).toEqual([])
  })

  it('private-root: the admin trusts the root (--ca); Mozilla does not, reported apart', () => {
    const pki = createChain({label: 'Corp', dnsNames: [HOST]})
    const result = evaluate({chain: [pki.leaf.der, pki.intermediate.der], extraRoots: [pki.root.der]})
    expect(codes(result)).toEqual(['mozilla-untrusted', 'private-root'])
    const f = result.findings.find((x) => x.code === 'private-root')!
    expect(f.severity).toBe('warning')
    expect(f.message).toContain('Certificate Trust Settings')
    expect(f.message).toContain('MDM')
    expect(f.fix).toContain('mailprofile build')
    expect(result.trust.privateRoot).toEqual({name: 'Corp Root CA', sha256: pki.root.x509.fingerprint256})
    expect(result.trust.apple.trusted).toBe(false)
    expect(result.trust.mozilla.trusted).toBe(false)
    expect(result.certificates.at(-1)).toMatchObject({role: 'root', sent: false, trustedBy: 'extra'})
    // Without the extra root the same chain is incomplete (the root is not in any store).
    expect(codes(evaluate({chain: [pki.leaf.der, pki.intermediate.der]}))).toEqual(['incomplete-chain'])
  })

  it('a self-signed leaf the admin trusts counts as a private root', () => {
    const cert = createSelfSigned({dnsNames: [HOST]})
    const result = evaluate({chain: [cert.der], extraRoots: [cert.der], ...storesTrusting([])})
    expect(codes(result)).toEqual(['mozilla-untrusted', 'private-root'])
  })

  it('distrusted-root: the chain ends at a root the store lists as removed (not sent)', () => {
    const pki = createChain({label: 'Gone', dnsNames: [HOST]})
    const appleStore = testAppleStore([], [pki.root])
    const result = evaluate({chain: [pki.leaf.der, pki.intermediate.der], appleStore, mozillaStore: appleStore.roots})
    expect(codes(result)).toEqual(['distrusted-root'])
    expect(result.findings[0]!.message).toContain('"Gone Root CA"')
    expect(result.trust.apple).toMatchObject({trusted: false})
  })

  it('mozilla-untrusted: Apple trusts the chain, Mozilla does not', () => {
    const pki = createChain({dnsNames: [HOST]})
    const result = evaluate({chain: [pki.leaf.der, pki.intermediate.der], appleStore: testAppleStore([pki.root]), mozillaStore: testAppleStore([]).roots})
    expect(codes(result)).toEqual(['mozilla-untrusted'])
    expect(result.findings[0]!.severity).toBe('info')
  })
})

describe('evaluateChain: Apple rules on keys, signatures and EKU', () => {
  it('weak-key: RSA 1024 leaf', () => {
    const pki = createChain({dnsNames: [HOST], leaf: {key: {bits: 1024, slot: 'weak-leaf'}}})
    const result = evaluate({chain: [pki.leaf.der, pki.intermediate.der], ...storesTrusting([pki.root])})
    expect(codes(result)).toEqual(['weak-key'])
    expect(result.findings[0]!.message).toContain('RSA 1024-bit')
  })

  it('weak-key: RSA 1024 intermediate', () => {
    const pki = createChain({dnsNames: [HOST], intermediate: {key: {bits: 1024, slot: 'weak-intermediate'}}})
    const result = evaluate({chain: [pki.leaf.der, pki.intermediate.der], ...storesTrusting([pki.root])})
    expect(codes(result)).toEqual(['weak-key'])
    expect(result.findings[0]!.message).toContain('intermediate')
  })

  it('weak-key: EC P-224 leaf; EC P-256 passes', () => {
    const pki = createChain({dnsNames: [HOST], leaf: {key: weakEcKey()}})
    expect(codes(evaluate({chain: [pki.leaf.der, pki.intermediate.der], ...storesTrusting([pki.root])}))).toEqual(['weak-key'])
    const ok = createChain({dnsNames: [HOST], leaf: {key: getKey({type: 'ec', curve: 'P-256', slot: 'leaf'})}})
    expect(codes(evaluate({chain: [ok.leaf.der, ok.intermediate.der], ...storesTrusting([ok.root])}))).toEqual([])
  })

  it('weak-signature: SHA-1 on the leaf or the intermediate, but not on the self-signed root', () => {
    const leafSha1 = createChain({dnsNames: [HOST], leaf: {signatureHash: 'sha1'}})
    expect(codes(evaluate({chain: [leafSha1.leaf.der, leafSha1.intermediate.der], ...storesTrusting([leafSha1.root])}))).toEqual(['weak-signature'])
    const intSha1 = createChain({dnsNames: [HOST], intermediate: {signatureHash: 'sha1'}})
    const r = evaluate({chain: [intSha1.leaf.der, intSha1.intermediate.der], ...storesTrusting([intSha1.root])})
    expect(codes(r)).toEqual(['weak-signature'])
    expect(r.findings[0]!.message).toContain('sha1WithRSAEncryption')
    const rootSha1 = createChain({dnsNames: [HOST], root: {signatureHash: 'sha1'}})
    expect(codes(evaluate({chain: [rootSha1.leaf.der, rootSha1.intermediate.der, rootSha1.root.der], ...storesTrusting([rootSha1.root])}))).toEqual([])
  })

  it('missing-server-auth-eku: no EKU, or an EKU without serverAuth (anyExtendedKeyUsage is not enough)', () => {
    for (const extendedKeyUsage of [null, ['clientAuth'], ['anyExtendedKeyUsage']]) {
      const pki = createChain({dnsNames: [HOST], leaf: {extendedKeyUsage}})
      expect(codes(evaluate({chain: [pki.leaf.der, pki.intermediate.der], ...storesTrusting([pki.root])}))).toEqual(['missing-server-auth-eku'])
    }
  })

  it('missing-server-auth-eku: a private-root leaf issued before 1 July 2019 without EKU is exempt; after, it is not', () => {
    const ca = {notBefore: new Date(Date.UTC(2015, 0, 1)), notAfter: new Date(Date.UTC(2045, 0, 1))}
    const before = createChain({dnsNames: [HOST], root: ca, intermediate: ca, leaf: {extendedKeyUsage: null, notBefore: new Date(Date.UTC(2019, 5, 30)), validityDays: 365}})
    const at = (d: Date) => daysAfter(d, 10)
    expect(codes(evaluate({chain: [before.leaf.der, before.intermediate.der], extraRoots: [before.root.der], mozillaStore: testAppleStore([before.root]).roots, now: at(new Date(Date.UTC(2019, 5, 30)))}))).toEqual(['private-root'])
    const after = createChain({dnsNames: [HOST], root: ca, intermediate: ca, leaf: {extendedKeyUsage: null, notBefore: new Date(Date.UTC(2019, 6, 1)), validityDays: 365}})
    expect(codes(evaluate({chain: [after.leaf.der, after.intermediate.der], extraRoots: [after.root.der], mozillaStore: testAppleStore([after.root]).roots, now: at(new Date(Date.UTC(2019, 6, 1)))}))).toEqual(['missing-server-auth-eku', 'private-root'])
  })

  it('missing-server-auth-eku: an intermediate under a public root restricted to clientAuth', () => {
    const pki = createChain({dnsNames: [HOST], intermediate: {extendedKeyUsage: ['clientAuth']}})
    const r = evaluate({chain: [pki.leaf.der, pki.intermediate.der], ...storesTrusting([pki.root])})
    expect(codes(r)).toEqual(['missing-server-auth-eku'])
    expect(r.findings[0]!.message).toContain('intermediate')
  })
})

describe('evaluateChain: pins, order, unreadable input', () => {
  const pki = createChain({dnsNames: [HOST]})
  const stores = storesTrusting([pki.root])
  const chain = [pki.leaf.der, pki.intermediate.der]

  it('pin-mismatch when no certificate matches; the leaf, intermediate or root may be pinned', () => {
    expect(codes(evaluate({chain, ...stores, pins: ['AA'.repeat(32)]}))).toEqual(['pin-mismatch'])
    expect(codes(evaluate({chain, ...stores, pins: [pki.leaf.x509.fingerprint256]}))).toEqual([])
    expect(codes(evaluate({chain, ...stores, pins: [`sha256:${pki.root.x509.fingerprint256.replaceAll(':', '').toLowerCase()}`]}))).toEqual([])
    expect(codes(evaluate({chain, ...stores, pins: [pki.intermediate.x509.fingerprint256]}))).toEqual([])
    // A malformed pin is lint's business (pin-invalid); here it is ignored rather than failing every check.
    expect(codes(evaluate({chain, ...stores, pins: ['not-a-fingerprint']}))).toEqual([])
  })

  it('chain-order: certificates out of order', () => {
    const result = evaluate({chain: [pki.leaf.der, pki.root.der, pki.intermediate.der], ...stores})
    expect(codes(result)).toEqual(['chain-order'])
    expect(result.findings[0]!.message).toContain('out of order')
  })

  it('chain-order: an unrelated certificate', () => {
    const other = createCertificate({subject: {commonName: 'Unrelated'}, dnsNames: ['other.example'], key: {slot: 'unrelated'}})
    const result = evaluate({chain: [...chain, other.der], ...stores})
    expect(codes(result)).toEqual(['chain-order'])
    expect(result.findings[0]!.message).toContain('"Unrelated"')
    expect(result.certificates[2]!.role).toBe('unused')
  })

  it('certificate-unreadable: bytes that are not a certificate', () => {
    const result = evaluate({chain: [Buffer.from('not a certificate')], ...stores})
    expect(codes(result)).toEqual(['certificate-unreadable'])
    expect(result.trust.apple.trusted).toBe(false)
    expect(result.certificates).toEqual([])
  })

  it('an empty chain gives no certificate findings and an untrusted verdict', () => {
    const result = evaluate({chain: [], ...stores})
    expect(result.findings).toEqual([])
    expect(result.trust.apple).toMatchObject({trusted: false, reason: 'the server sent no certificate'})
  })
})

describe('evaluateChain: verdicts agree with the findings', () => {
  it('a chain anchored at Apple\'s root that fails path validation is not "trusted" by Apple or Mozilla', () => {
    const r = createCertificate({subject: {commonName: 'Verdict Root'}, isCA: true, key: {slot: 'root'}})
    const notCa = createCertificate({subject: {commonName: 'Verdict Int'}, isCA: true, basicConstraints: {cA: false}, key: {slot: 'intermediate'}, issuer: r})
    const leaf = createCertificate({subject: {commonName: HOST}, dnsNames: [HOST], key: {slot: 'leaf'}, issuer: notCa})
    const result = evaluate({chain: [leaf.der, notCa.der], ...storesTrusting([r])})
    expect(codes(result)).toEqual(['ca-not-ca'])
    expect(result.trust.apple).toMatchObject({trusted: false, root: {name: 'Verdict Root'}, reason: 'the chain is anchored but fails validation: ca-not-ca'})
    expect(result.trust.mozilla).toMatchObject({trusted: false, reason: 'the chain is anchored but fails validation: ca-not-ca'})
  })

  it('a host-name error leaves the chain verdict alone (the iPhone sentence says why it fails)', () => {
    const pki = createChain({dnsNames: ['other.example.com']})
    const result = evaluate({chain: [pki.leaf.der, pki.intermediate.der], ...storesTrusting([pki.root])})
    expect(codes(result)).toEqual(['hostname-mismatch'])
    expect(result.trust.apple.trusted).toBe(true)
  })

  it('hostname-mismatch says when a SAN entry is written with a trailing dot', () => {
    const pki = createChain({dnsNames: [`${HOST}.`]})
    const f = evaluate({chain: [pki.leaf.der, pki.intermediate.der], ...storesTrusting([pki.root])}).findings[0]!
    expect(f.code).toBe('hostname-mismatch')
    expect(f.message).toContain(`"${HOST}." ends with a dot, which makes it match no host name`)
  })
})

describe('evaluateChain: what the admin trusts', () => {
  it('trusted-ca-not-root: an intermediate given as the CA is no anchor, sent or not', () => {
    const pki = createChain({label: 'Inter', dnsNames: [HOST]})
    for (const chain of [[pki.leaf.der], [pki.leaf.der, pki.intermediate.der]]) {
      const result = evaluate({chain, extraRoots: [pki.intermediate.der], ...storesTrusting([])})
      expect(codes(result)).toEqual(['trusted-ca-not-root'])
      expect(result.findings[0]!.message).toContain('"Inter Intermediate CA"')
      expect(result.findings[0]!.fix).toContain('"Inter Root CA"')
      expect(result.trust.privateRoot).toBeUndefined()
      expect(result.trust.apple.trusted).toBe(false)
    }
  })

  it('private-root-embedded (info) when the profile carries the root; private-root (warning) for --ca alone', () => {
    const pki = createChain({label: 'Carried', dnsNames: [HOST]})
    const chain = [pki.leaf.der, pki.intermediate.der]
    const carried = evaluate({chain, extraRoots: [pki.root.der], profileRoots: [pki.root.der], mozillaStore: testAppleStore([]).roots})
    expect(codes(carried)).toEqual(['mozilla-untrusted', 'private-root-embedded'])
    expect(carried.findings.map((f) => f.severity)).toEqual(['info', 'info'])
    expect(carried.trust.privateRoot?.name).toBe('Carried Root CA')
    expect(carried.trust.apple.reason).toBe('the chain ends at your private root "Carried Root CA", not at a root in Apple\'s trust store')
    expect(codes(evaluate({chain, extraRoots: [pki.root.der], mozillaStore: testAppleStore([]).roots}))).toEqual(['mozilla-untrusted', 'private-root'])
  })

  it('incomplete-chain: an issuer no store knows may be a private root, and the advice says how to trust it', () => {
    const pki = createChain({label: 'Unknown', dnsNames: [HOST]})
    const f = evaluate({chain: [pki.leaf.der, pki.intermediate.der], ...storesTrusting([])}).findings[0]!
    expect(f.code).toBe('incomplete-chain')
    expect(f.message).toContain('If "Unknown Root CA" is your private root')
    expect(f.fix).toMatch(/^If "Unknown Root CA" is your private root: pass it with --ca and list it in the settings \(trust.caFiles\)/)
    const profile = evaluate({chain: [pki.leaf.der, pki.intermediate.der], trustInput: 'profile', ...storesTrusting([])}).findings[0]!
    expect(profile.fix).toContain('add it to the profile as a certificate payload')
    expect(profile.fix).not.toContain('trust.caFiles')
  })
})

describe('chainEvaluator: one chain judged for many hosts', () => {
  it('gives, host by host, what evaluateChain gives (names, mismatches, an unreadable certificate), working out each chain once', () => {
    const pki = createChain({dnsNames: ['*.example.com']})
    const other = createChain({dnsNames: [HOST]})
    const stores = storesTrusting([pki.root, other.root])
    const options = {now: NOW, warnDays: 30, extraRoots: [], ...stores}
    const evaluator = chainEvaluator(options)
    const chains = [[pki.leaf.der, pki.intermediate.der], [other.leaf.der, other.intermediate.der], [pki.leaf.der, Buffer.from('not a certificate')], [Buffer.from('junk')], []]
    const hosts = [HOST, 'imap.example.com', 'mail.example.org', 'a.b.example.com', '192.0.2.1']
    let compared = 0
    for (const chain of chains) {
      for (const host of hosts) {
        expect(evaluator(host, chain)).toEqual(evaluateChain({...options, host, chain}))
        compared++
      }
    }
    expect(compared).toBe(25)
    expect(codes(evaluator('mail.example.org', chains[0]!))).toContain('hostname-mismatch')
    expect(evaluator('x.example.com', chains[2]!).findings.find((f) => f.code === 'certificate-unreadable')?.message).toContain('"x.example.com"')
  })
})

describe('chainEvaluator: what it remembers', () => {
  it('two host names with the same chain (fresh copies, as each probe hands them over) each get their own host-name verdict and messages', () => {
    const pki = createChain({dnsNames: ['*.example.com']})
    const evaluator = chainEvaluator({now: NOW, warnDays: 30, extraRoots: [], ...storesTrusting([pki.root])})
    const sent = () => [Buffer.from(pki.leaf.der), Buffer.from(pki.intermediate.der)]
    const covered = evaluator('imap.example.com', sent())
    const uncovered = evaluator('mail.example.org', sent())
    const coveredAgain = evaluator('smtp.example.com', sent())
    expect(codes(covered)).toEqual([])
    expect(covered.trust.apple.trusted).toBe(true)
    expect(codes(uncovered)).toEqual(['hostname-mismatch'])
    expect(uncovered.findings[0]!.message).toContain('"mail.example.org"')
    expect(codes(coveredAgain)).toEqual([])
    // The same host again is the same verdict; another spelling is judged (and named) as written.
    expect(evaluator('mail.example.org', sent())).toBe(uncovered)
    const upper = evaluator('MAIL.example.org', sent())
    expect(upper).not.toBe(uncovered)
    expect(upper.findings[0]!.message).toContain('"MAIL.example.org"')
  })

  it('a different chain is evaluated anew, also when it shares the leaf or comes after the good one', () => {
    const pki = createChain({dnsNames: [HOST]})
    // Another CA (other names, other keys): its chain is trusted by no store here.
    const other = createChain({dnsNames: [HOST], label: 'Other', root: {key: {slot: 'other-root'}}, intermediate: {key: {slot: 'other-intermediate'}}})
    const evaluator = chainEvaluator({now: NOW, warnDays: 30, extraRoots: [], ...storesTrusting([pki.root])})
    const full = evaluator(HOST, [pki.leaf.der, pki.intermediate.der])
    const leafOnly = evaluator(HOST, [pki.leaf.der])
    const untrusted = evaluator(HOST, [other.leaf.der, other.intermediate.der])
    const fullAgain = evaluator(HOST, [Buffer.from(pki.leaf.der), Buffer.from(pki.intermediate.der)])
    expect(full.trust.apple.trusted).toBe(true)
    expect(leafOnly.trust.apple.trusted).toBe(false)
    expect(codes(leafOnly)).toEqual(['incomplete-chain'])
    expect(untrusted.trust.apple.trusted).toBe(false)
    expect(untrusted.certificates[0]!.sha256).toBe(other.leaf.x509.fingerprint256)
    expect(fullAgain).toBe(full)
    for (const [result, chain] of [
      [full, [pki.leaf.der, pki.intermediate.der]],
      [leafOnly, [pki.leaf.der]],
      [untrusted, [other.leaf.der, other.intermediate.der]],
    ] as const) {
      expect(result).toEqual(evaluateChain({host: HOST, chain: [...chain], now: NOW, warnDays: 30, extraRoots: [], ...storesTrusting([pki.root])}))
    }
  })
})
