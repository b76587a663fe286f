import {X509Certificate, createHash} from 'node:crypto'
import {existsSync, readFileSync, readdirSync} from 'node:fs'
import {join} from 'node:path'
import {rootCertificates} from 'node:tls'
import {fileURLToPath} from 'node:url'

import {describe, expect, it} from 'vitest'

import {parseCertificate} from '../../../src/core/x509/certificate.js'
import {evaluateChain} from '../../../src/core/x509/evaluate.js'
import {InputError} from '../../../src/core/errors.js'
import {RootIndex, loadMozillaStore, loadTrustStore, parseTrustStore} from '../../../src/core/x509/trust-store.js'
import {createChain} from '../../helpers/pki.js'

const repo = fileURLToPath(new URL('../../../', import.meta.url))
const reference = join(repo, '..', 'shared', 'reference', 'apple-trust-store')
const shipped = JSON.parse(readFileSync(join(repo, 'data', 'apple-trust-store', 'trust-store.json'), 'utf8')) as {
  version: string
  roots: Array<{sha256: string; name: string; der: string}>
  removed: Array<{sha256: string; name: string; der: string}>
}
const der = (entry: {der: string}) => Buffer.from(entry.der, 'base64')
const emptyStore = new RootIndex([])

function codes(result: {findings: Array<{code: string}>}): string[] {
  return result.findings.map((f) => f.code).sort()
}

describe('Apple trust store data', () => {
  it('loads with its version, which the README names too', () => {
    const store = loadTrustStore()
    expect(store.version).toBe('2025072000')
    expect(readFileSync(join(repo, 'data', 'apple-trust-store', 'README.md'), 'utf8')).toContain(`Trust store version: **${store.version}**`)
    expect(store.roots.size).toBe(156)
    expect(store.removed.size).toBe(209)
    expect(loadTrustStore()).toBe(store)
  })

  it('every entry\'s sha256 is the SHA-256 of its certificate', () => {
    for (const entry of [...shipped.roots, ...shipped.removed]) {
      expect(new X509Certificate(der(entry)).fingerprint256.replaceAll(':', '')).toBe(entry.sha256)
    }
  })

  it.skipIf(!existsSync(reference))('holds every root of the reference extract (files named by SHA-256)', () => {
    const store = loadTrustStore()
    const files = readdirSync(join(reference, 'roots')).filter((f) => /^[0-9A-F]{64}\.cer$/.test(f))
    expect(files.length).toBe(156)
    for (const f of files) expect(store.roots.get(f.slice(0, 64)), f).toBeDefined()
  })

  it.skipIf(!existsSync(reference))('is what the refresh script builds from the reference (npm run refresh:trust-store -- --check)', async () => {
    const script = (await import(join(repo, 'scripts', 'refresh-trust-store.js'))) as {build(from: string): {json: string}}
    expect(script.build(reference).json).toBe(readFileSync(join(repo, 'data', 'apple-trust-store', 'trust-store.json'), 'utf8'))
  })
})

describe('parseTrustStore (--apple-trust-store FILE)', () => {
  const text = readFileSync(join(repo, 'data', 'apple-trust-store', 'trust-store.json'), 'utf8')
  const failure = (json: string): InputError => {
    try {
      parseTrustStore(json, 'store.json')
    } catch (error) {
      expect(error).toBeInstanceOf(InputError)
      expect((error as InputError).location).toEqual({file: 'store.json'})
      return error as InputError
    }
    throw new Error('parsed')
  }

  it('reads the file refresh:trust-store writes, with its version and both lists', () => {
    const store = parseTrustStore(text, 'trust-store.json')
    expect(store.version).toBe(shipped.version)
    expect(store.roots.size).toBe(shipped.roots.length)
    expect(store.removed.size).toBe(shipped.removed.length)
    expect(store.removed.get(shipped.removed[0]!.sha256)?.name).toBe(shipped.removed[0]!.name)
  })

  it('refuses an entry whose sha256 is not its certificate\'s: a store is a list of trust anchors', () => {
    const doc = JSON.parse(text) as typeof shipped
    doc.removed[3] = {...doc.removed[3]!, sha256: doc.roots[0]!.sha256}
    expect(failure(JSON.stringify(doc)).message).toMatch(/removed\[3\]: "sha256" is not the SHA-256 of its certificate/)
  })

  it.each([
    ['{', /invalid JSON/],
    ['[]', /no "version" string/],
    ['{"version": "1", "roots": []}', /no "removed" list/],
    ['{"version": "1", "roots": [{"name": "x"}], "removed": []}', /roots\[0\] lacks "der" or "sha256"/],
  ])('refuses %s', (json, message) => {
    expect(failure(json).message).toMatch(message)
  })
})

describe('RootIndex', () => {
  const good = der(shipped.roots[0]!)
  // A certificate whose fingerprint is right but whose subject cannot be read: left out of the index.
  const unreadable = Buffer.from([0x30, 0x03, 0x02, 0x01, 0x01])
  const sha = (d: Buffer) => createHash('sha256').update(d).digest('hex').toUpperCase()
  const entries = () => [{sha256: sha(good), der: good}, {sha256: sha(unreadable), der: unreadable}]

  it('leaves out an entry whose subject cannot be read, whichever lookup comes first', () => {
    expect(new RootIndex(entries()).get(sha(unreadable))).toBeUndefined()
    expect(new RootIndex(entries()).size).toBe(1)
    const index = new RootIndex(entries())
    expect(index.issuerOf(parseCertificate(good))?.entry.sha256).toBe(sha(good))
    expect(index.get(sha(unreadable))).toBeUndefined()
    expect(index.get(sha(good))?.sha256).toBe(sha(good))
    expect(index.size).toBe(1)
  })
})

describe('real roots', () => {
  const now = new Date(Date.UTC(2021, 0, 1))
  const base = {host: 'mail.example.com', now, warnDays: 0, extraRoots: [] as Buffer[]}

  it('distrusted-root: DST Root CA X3, which Apple removed, is detected from the shipped data', () => {
    const dst = shipped.removed.find((r) => r.name === 'DST Root CA X3')!
    expect(dst).toBeDefined()
    const result = evaluateChain({...base, chain: [der(dst)], mozillaStore: emptyStore})
    expect(codes(result)).toEqual(['distrusted-root', 'san-missing'])
    const f = result.findings.find((x) => x.code === 'distrusted-root')!
    expect(f.message).toContain('"DST Root CA X3"')
    expect(f.message).toContain('version 2025072000')
    expect(result.trust.apple).toMatchObject({trusted: false, storeVersion: '2025072000'})
  })

  it('a root in Apple\'s store is trusted and named, with the store version', () => {
    const isrg = shipped.roots.find((r) => r.name === 'ISRG Root X1')!
    const result = evaluateChain({...base, host: 'ISRG Root X1', chain: [der(isrg)]})
    expect(result.trust.apple).toEqual({trusted: true, storeVersion: '2025072000', root: {name: 'ISRG Root X1', sha256: new X509Certificate(der(isrg)).fingerprint256}})
    expect(result.trust.mozilla.trusted).toBe(true)
    expect(codes(result)).not.toContain('mozilla-untrusted')
  })

  it('mozilla-untrusted: a root only Apple trusts, and one only Mozilla trusts', () => {
    const mozilla = new Set(rootCertificates.map((pem) => new X509Certificate(pem).fingerprint256.replaceAll(':', '')))
    // Not in Mozilla's store, not even as a re-issued certificate with the same name and key.
    const appleOnly = shipped.roots.find((r) => !mozilla.has(r.sha256) && !loadMozillaStore().issuerOf(parseCertificate(der(r))))!
    const a = evaluateChain({...base, chain: [der(appleOnly)]})
    expect(a.trust.apple.trusted).toBe(true)
    expect(a.trust.mozilla.trusted).toBe(false)
    expect(a.findings.filter((f) => f.code === 'mozilla-untrusted').map((f) => f.severity)).toEqual(['info'])

    const apple = new Set(shipped.roots.map((r) => r.sha256))
    const removed = new Set(shipped.removed.map((r) => r.sha256))
    const mozillaOnlyPem = rootCertificates.find((pem) => {
      const sha = new X509Certificate(pem).fingerprint256.replaceAll(':', '')
      return !apple.has(sha) && !removed.has(sha)
    })!
    const m = evaluateChain({...base, chain: [new X509Certificate(mozillaOnlyPem).raw]})
    expect(m.trust.apple.trusted).toBe(false)
    expect(m.trust.mozilla.trusted).toBe(true)
    expect(codes(m)).toContain('mozilla-untrusted')
    expect(m.findings.find((f) => f.code === 'mozilla-untrusted')!.message).toContain('Apple devices do not')
  })

  it('a private root: Apple side trusts it through --ca, Mozilla\'s real store does not', () => {
    const pki = createChain({label: 'Private', dnsNames: ['mail.example.com']})
    const result = evaluateChain({...base, now: new Date(), chain: [pki.leaf.der, pki.intermediate.der], extraRoots: [pki.root.der]})
    expect(result.trust.privateRoot?.name).toBe('Private Root CA')
    expect(result.trust.mozilla.trusted).toBe(false)
    expect(codes(result)).toEqual(['mozilla-untrusted', 'private-root'])
  })

  it('the Mozilla store is Node\'s bundled one, indexed once', () => {
    const store = loadMozillaStore()
    expect(store.size).toBe(new Set(rootCertificates.map((pem) => new X509Certificate(pem).fingerprint256)).size)
    expect(loadMozillaStore()).toBe(store)
  })
})
