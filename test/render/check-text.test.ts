/**
 * check/probe text: the verdict comes first and agrees with the trust lines — never "✔ trusted"
 * above a chain that fails — and a clean endpoint is one short block unless --verbose.
 */
import {describe, expect, it} from 'vitest'

import type {EndpointResult} from '../../src/core/check/run-check.js'
import {type EvaluateChainOptions, evaluateChain} from '../../src/core/x509/evaluate.js'
import {renderEndpoint} from '../../src/render/check-text.js'
import {PLAIN} from '../../src/render/style.js'
import {createCertificate, createChain} from '../helpers/pki.js'
import {storesTrusting, testAppleStore} from '../helpers/x509-fixtures.js'

const HOST = 'mail.example.test'

function endpoint(options: Partial<EvaluateChainOptions> & Pick<EvaluateChainOptions, 'chain'>): EndpointResult {
  const e = evaluateChain({host: HOST, now: new Date(), warnDays: 0, extraRoots: [], ...options})
  const status = e.findings.some((f) => f.severity === 'error') ? 'error' : e.findings.some((f) => f.severity === 'warning') ? 'warning' : 'ok'
  return {
    endpoint: {host: HOST, port: 993, protocol: 'imap', security: 'ssl'},
    settingsSources: [],
    connection: {durationMs: 5, tls: {version: 'TLSv1.3', cipher: 'TLS_AES_128_GCM_SHA256'}},
    certificates: e.certificates,
    trust: e.trust,
    findings: e.findings,
    status,
  }
}

describe('check text', () => {
  it('a failing chain under a public root: no "✔ trusted" anywhere, the verdict says why', () => {
    const root = createCertificate({subject: {commonName: 'Text Root'}, isCA: true, key: {slot: 'root'}})
    const notCa = createCertificate({subject: {commonName: 'Text Int'}, isCA: true, basicConstraints: {cA: false}, key: {slot: 'intermediate'}, issuer: root})
    const leaf = createCertificate({subject: {commonName: HOST}, dnsNames: [HOST], key: {slot: 'leaf'}, issuer: notCa})
    const text = renderEndpoint(endpoint({chain: [leaf.der, notCa.der], ...storesTrusting([root])}), PLAIN)
    expect(text).not.toContain('✔')
    expect(text).toContain('Apple (trust store test-store-1)  ✖ not trusted — the chain is anchored but fails validation: ca-not-ca')
    expect(text).toContain('✖ iPhone, iPad and Mac Mail would show "Cannot Verify Server Identity" for this server: ca-not-ca')
  })

  it('a failing chain under your private root: the private-root line says it fails too', () => {
    const pki = createChain({label: 'TextPriv', dnsNames: [HOST], intermediate: {keyUsage: {digitalSignature: true}}})
    const text = renderEndpoint(endpoint({chain: [pki.leaf.der, pki.intermediate.der], extraRoots: [pki.root.der], mozillaStore: testAppleStore([]).roots}), PLAIN)
    expect(text).toContain('your private root  ✖ not trusted — the chain to "TextPriv Root CA" fails validation')
    expect(text).not.toContain('✔')
  })

  it('a clean endpoint: verdict first, one line of facts; --verbose adds the chain and the trust lines', () => {
    const pki = createChain({label: 'TextOk', dnsNames: [HOST]})
    const r = endpoint({chain: [pki.leaf.der, pki.intermediate.der], ...storesTrusting([pki.root])})
    const short = renderEndpoint(r, PLAIN)
    expect(short.split('\n')).toEqual([
      `${HOST}:993  IMAP, implicit TLS`,
      '  ✔ Mail on iPhone, iPad and Mac would connect without a warning.',
      '  connection TLSv1.3, TLS_AES_128_GCM_SHA256; 2 certificates sent, root "TextOk Root CA" (--verbose: chain and fingerprints)',
      '',
    ])
    const long = renderEndpoint(r, PLAIN, {verbose: true})
    expect(long.split('\n')[1]).toBe('  ✔ Mail on iPhone, iPad and Mac would connect without a warning.')
    expect(long).toContain(pki.leaf.x509.fingerprint256)
    expect(long).toContain('Apple (trust store test-store-1)  ✔ trusted — root "TextOk Root CA"')
  })
})
