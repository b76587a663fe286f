/**
 * The RFC 5280 rules (rules/path.ts, extensions.ts) in process; test/core/check/path-validation.test.ts
 * runs the same faults through real handshakes and cross-checks each verdict with `openssl verify`.
 */
import {describe, expect, it} from 'vitest'

import {parseCertificate} from '../../../src/core/x509/certificate.js'
import {type EvaluateChainOptions, evaluateChain} from '../../../src/core/x509/evaluate.js'
import {caExtensions, dnsWithinSubtree, ipWithinSubtree} from '../../../src/core/x509/extensions.js'
import {type CertOptions, type TestCert, createCertificate, getKey} from '../../helpers/pki.js'
import {storesTrusting} from '../../helpers/x509-fixtures.js'

const HOST = 'mail.example.com'
const root = createCertificate({subject: {commonName: 'Path Root'}, isCA: true, key: {slot: 'root'}})
const int = (extra: Omit<CertOptions, 'issuer'> = {}, issuer: TestCert = root) => createCertificate({subject: {commonName: 'Path Int'}, isCA: true, key: {slot: 'intermediate'}, ...extra, issuer})
const leafOf = (issuer: TestCert, extra: Omit<CertOptions, 'issuer'> = {}) => createCertificate({subject: {commonName: HOST}, dnsNames: [HOST], key: {slot: 'leaf'}, ...extra, issuer})

function codes(chain: TestCert[], options: Partial<EvaluateChainOptions> = {}): string[] {
  return evaluateChain({host: HOST, now: new Date(), warnDays: 0, extraRoots: [], chain: chain.map((c) => c.der), ...storesTrusting([root]), ...options}).findings.map((f) => f.code).sort()
}

describe('extensions', () => {
  it('reads basicConstraints, pathLen, keyUsage and nameConstraints as openssl wrote them', () => {
    const ca = parseCertificate(int({pathLen: 2, nameConstraints: {permittedDns: ['Example.COM'], excludedDns: ['.bad.example.com']}}).der)
    expect(caExtensions(ca)).toEqual({
      basicConstraints: {ca: true, pathLen: 2},
      keyUsage: {keyCertSign: true},
      nameConstraints: {permitted: {dns: ['example.com'], ip: [], other: 0}, excluded: {dns: ['.bad.example.com'], ip: [], other: 0}},
    })
    expect(caExtensions(parseCertificate(leafOf(root).der))).toMatchObject({basicConstraints: {ca: false}, keyUsage: {keyCertSign: false}})
  })

  it('dNSName and iPAddress subtrees (RFC 5280 4.2.1.10)', () => {
    expect(dnsWithinSubtree('mail.example.com', 'example.com')).toBe(true)
    expect(dnsWithinSubtree('example.com', 'example.com')).toBe(true)
    expect(dnsWithinSubtree('example.com', '.example.com')).toBe(false)
    expect(dnsWithinSubtree('badexample.com', 'example.com')).toBe(false)
    const net = {address: [192, 0, 2, 0], mask: [255, 255, 255, 0]}
    expect(ipWithinSubtree('192.0.2.7', net)).toBe(true)
    expect(ipWithinSubtree('192.0.3.7', net)).toBe(false)
    expect(ipWithinSubtree('2001:db8::1', net)).toBe(false)
  })
})

describe('path rules', () => {
  it('ca-not-ca', () => {
    const i = int({basicConstraints: {cA: false}})
    expect(codes([leafOf(i), i])).toEqual(['ca-not-ca'])
  })

  it('key-usage-no-cert-sign', () => {
    const i = int({keyUsage: {digitalSignature: true}})
    expect(codes([leafOf(i), i])).toEqual(['key-usage-no-cert-sign'])
  })

  it('path-length-exceeded, counted from the CA down (the root constrains too)', () => {
    const tight = createCertificate({subject: {commonName: 'Tight Root'}, isCA: true, pathLen: 0, key: {slot: 'root'}})
    const i = int({}, tight)
    expect(codes([leafOf(i), i], storesTrusting([tight]))).toEqual(['path-length-exceeded'])
    expect(codes([leafOf(tight)], storesTrusting([tight]))).toEqual([])
  })

  it('chain-signature-invalid: a store root with the issuer\'s name but another key', () => {
    const impostor = createCertificate({subject: {commonName: 'Path Root'}, isCA: true, key: {slot: 'impostor-root'}})
    const i = int()
    expect(codes([leafOf(i), i], storesTrusting([impostor]))).toEqual(['chain-signature-invalid'])
  })

  it('name-constraints-violation on the host and on IP SAN entries; a permitting constraint is clean', () => {
    const ncRoot = createCertificate({subject: {commonName: 'Nc Root'}, isCA: true, key: {slot: 'root'}, nameConstraints: {permittedDns: ['example.org']}})
    const i = int({}, ncRoot)
    const result = evaluateChain({host: HOST, now: new Date(), warnDays: 0, extraRoots: [], chain: [leafOf(i).der, i.der], ...storesTrusting([ncRoot])})
    expect(result.findings.map((f) => f.code)).toEqual(['name-constraints-violation'])
    expect(result.findings[0]!.message).toContain('"mail.example.com" is outside the permitted "example.org"')
    const ok = int({nameConstraints: {permittedDns: ['example.com']}})
    expect(codes([leafOf(ok), ok])).toEqual([])
  })

  it('chain-too-long: more than 16 certificates, the path cut inside them', () => {
    let issuer = root
    const cas: TestCert[] = []
    for (let n = 0; n < 17; n++) {
      issuer = createCertificate({subject: {commonName: `Long ${n}`}, isCA: true, key: getKey({type: 'ec', slot: `path-long-${n}`}), issuer})
      cas.unshift(issuer)
    }
    expect(codes([leafOf(issuer), ...cas])).toEqual(['chain-too-long'])
  })
})
