/**
 * Helpers for certificate-policy tests (test/core/x509/): trust stores made of test roots, so a
 * generated chain can play "a chain to a public root" without anyone holding a real root's key,
 * and keys that test/helpers/pki.ts does not offer (EC curves below 256 bits).
 */
import {execFileSync} from 'node:child_process'
import {generateKeyPairSync} from 'node:crypto'
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import type {EvaluateChainOptions} from '../../src/core/x509/evaluate.js'
import {type AppleTrustStore, RootIndex} from '../../src/core/x509/trust-store.js'
import {type CertOptions, type TestCert, type TestChain, type TestKey, OID_SCT_LIST, createChain, sctListExtensionDer} from './pki.js'

export const TEST_STORE_VERSION = 'test-store-1'

/** An Apple trust store holding these test roots (and these "removed" roots). */
export function testAppleStore(roots: TestCert[], removed: TestCert[] = []): AppleTrustStore {
  return {version: TEST_STORE_VERSION, roots: RootIndex.fromDer(roots.map((r) => r.der)), removed: RootIndex.fromDer(removed.map((r) => r.der))}
}

/** Options for evaluateChain where both Apple's and Mozilla's store trust exactly `roots`. */
export function storesTrusting(roots: TestCert[]): Pick<EvaluateChainOptions, 'appleStore' | 'mozillaStore'> {
  return {appleStore: testAppleStore(roots), mozillaStore: RootIndex.fromDer(roots.map((r) => r.der))}
}

/** An EC key on a curve smaller than Apple's minimum (secp224r1 by default). */
export function weakEcKey(namedCurve = 'secp224r1'): TestKey {
  const pair = generateKeyPairSync('ec', {namedCurve})
  return {
    type: 'ec',
    bits: Number(/\d{3}/.exec(namedCurve)?.[0] ?? 0),
    privateKey: pair.privateKey,
    publicKey: pair.publicKey,
    privateKeyPem: pair.privateKey.export({type: 'pkcs8', format: 'pem'}).toString(),
    publicKeyPem: pair.publicKey.export({type: 'spki', format: 'pem'}).toString(),
  }
}

const DAY_MS = 86_400_000

/**
 * A chain whose leaf is valid from `notBefore` for exactly `days` days (fractional allowed), with a
 * root and intermediate valid from 2010 to 2050 so only the leaf's dates matter. The leaf embeds 5
 * SCTs (enough for any lifetime under Apple's CT policy) unless `options.leaf` says otherwise.
 */
export function chainWithLeafValidity(notBefore: Date, days: number, options: {label?: string; leaf?: Omit<CertOptions, 'issuer'>} = {}): TestChain {
  const caDates = {notBefore: new Date(Date.UTC(2010, 0, 1)), notAfter: new Date(Date.UTC(2050, 0, 1))}
  return createChain({
    label: options.label,
    dnsNames: ['mail.example.com'],
    root: caDates,
    intermediate: caDates,
    leaf: {embeddedScts: 5, ...options.leaf, notBefore, notAfter: new Date(notBefore.getTime() + days * DAY_MS)},
  })
}

export function daysAfter(date: Date, days: number): Date {
  return new Date(date.getTime() + days * DAY_MS)
}

/**
 * A leaf issued by `issuer` with the `openssl` CLI (an independent encoder), carrying the given
 * extensions in openssl.cnf syntax, e.g. "authorityInfoAccess = caIssuers;URI:http://…", and, as a
 * public CA's would, 3 embedded SCTs (unless `extensions` sets the SCT list itself). DER out.
 */
export function opensslLeaf(issuer: TestCert, dnsName: string, extensions: string[] = []): Buffer {
  const dir = mkdtempSync(join(tmpdir(), 'mailprofile-x509-'))
  try {
    const key = generateKeyPairSync('rsa', {modulusLength: 2048}).privateKey.export({type: 'pkcs8', format: 'pem'}).toString()
    writeFileSync(join(dir, 'leaf.key'), key)
    writeFileSync(join(dir, 'ca.pem'), issuer.pem)
    writeFileSync(join(dir, 'ca.key'), issuer.keyPem)
    const scts = extensions.some((e) => e.startsWith(`${OID_SCT_LIST} `)) ? [] : [`${OID_SCT_LIST} = DER:${sctListExtensionDer(['log a', 'log b', 'log c'], new Date()).toString('hex')}`]
    writeFileSync(join(dir, 'ext.cnf'), [`subjectAltName = DNS:${dnsName}`, 'extendedKeyUsage = serverAuth', 'basicConstraints = CA:FALSE', ...scts, ...extensions].join('\n') + '\n')
    const run = (args: string[]) => execFileSync('openssl', args, {cwd: dir, stdio: ['ignore', 'pipe', 'pipe']})
    run(['req', '-new', '-key', 'leaf.key', '-subj', `/CN=${dnsName}`, '-out', 'leaf.csr'])
    run(['x509', '-req', '-in', 'leaf.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '90', '-sha256', '-extfile', 'ext.cnf', '-outform', 'DER', '-out', 'leaf.der'])
    return readFileSync(join(dir, 'leaf.der'))
  } finally {
    rmSync(dir, {recursive: true, force: true})
  }
}
