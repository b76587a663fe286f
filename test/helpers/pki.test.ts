import {execFileSync} from 'node:child_process'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, describe, expect, it} from 'vitest'

import {createCertificate, createChain, createSelfSigned, getKey} from './pki.js'

const dir = mkdtempSync(join(tmpdir(), 'pki-test-'))
afterAll(() => rmSync(dir, {recursive: true, force: true}))

/** Independent check: `openssl verify` the leaf against root + intermediate. */
function opensslVerify(root: string, intermediate: string, leaf: string): string {
  writeFileSync(join(dir, 'root.pem'), root)
  writeFileSync(join(dir, 'int.pem'), intermediate)
  writeFileSync(join(dir, 'leaf.pem'), leaf)
  return execFileSync('openssl', ['verify', '-CAfile', join(dir, 'root.pem'), '-untrusted', join(dir, 'int.pem'), join(dir, 'leaf.pem')], {
    encoding: 'utf8',
  })
}

function opensslText(pem: string): string {
  writeFileSync(join(dir, 'x.pem'), pem)
  return execFileSync('openssl', ['x509', '-in', join(dir, 'x.pem'), '-noout', '-text'], {encoding: 'utf8'})
}

describe('test PKI', () => {
  it('builds an RSA chain that openssl verifies, with SANs and serverAuth', () => {
    const chain = createChain({dnsNames: ['mail.example.test', 'imap.example.test'], ipAddresses: ['127.0.0.1']})
    expect(opensslVerify(chain.root.pem, chain.intermediate.pem, chain.leaf.pem)).toMatch(/leaf.pem: OK/)
    expect(chain.leaf.x509.subjectAltName).toBe('DNS:mail.example.test, DNS:imap.example.test, IP Address:127.0.0.1')
    expect(chain.leaf.x509.checkIssued(chain.intermediate.x509)).toBe(true)
    const text = opensslText(chain.leaf.pem)
    expect(text).toMatch(/TLS Web Server Authentication/)
    expect(text).toMatch(/sha256WithRSAEncryption/)
    expect(chain.root.x509.ca).toBe(true)
    expect(chain.leaf.x509.ca).toBe(false)
    expect(chain.serverChainPem).toBe(chain.leaf.pem + chain.intermediate.pem)
  })

  it('builds ECDSA chains and SHA-1 signatures', () => {
    const chain = createChain({
      label: 'EC',
      root: {key: {type: 'ec', curve: 'P-384', slot: 'ec-root'}},
      intermediate: {key: {type: 'ec', slot: 'ec-int'}},
      leaf: {key: {type: 'ec', slot: 'ec-leaf'}, signatureHash: 'sha384'},
    })
    expect(opensslVerify(chain.root.pem, chain.intermediate.pem, chain.leaf.pem)).toMatch(/OK/)
    expect(opensslText(chain.leaf.pem)).toMatch(/ecdsa-with-SHA384[\s\S]*id-ecPublicKey[\s\S]*prime256v1/)
    const sha1 = createSelfSigned({signatureHash: 'sha1', key: {bits: 1024, slot: 'small'}})
    const text = opensslText(sha1.pem)
    expect(text).toMatch(/sha1WithRSAEncryption/)
    expect(text).toMatch(/Public-Key: \(1024 bit\)/)
    expect(sha1.x509.verify(sha1.x509.publicKey)).toBe(true)
  })

  it('honours validity dates, CN-only names, EKU choices and omitted SAN', () => {
    const notBefore = new Date('2020-01-01T00:00:00Z')
    const notAfter = new Date('2020-12-31T00:00:00Z')
    const cert = createCertificate({
      subject: {commonName: 'cn-only.example.test'},
      notBefore,
      notAfter,
      extendedKeyUsage: ['clientAuth', '1.3.6.1.5.5.7.3.4'],
    })
    expect(new Date(cert.x509.validFrom).toISOString()).toBe(notBefore.toISOString())
    expect(new Date(cert.x509.validTo).toISOString()).toBe(notAfter.toISOString())
    expect(cert.x509.subjectAltName).toBeUndefined()
    expect(cert.x509.subject).toBe('CN=cn-only.example.test')
    expect(cert.x509.keyUsage).toEqual(['1.3.6.1.5.5.7.3.2', '1.3.6.1.5.5.7.3.4'])
    const noEku = createCertificate({extendedKeyUsage: null})
    expect(noEku.x509.keyUsage).toBeUndefined()
  })

  it('caches keys per slot and keeps slots apart', () => {
    expect(getKey({slot: 'a'})).toBe(getKey({slot: 'a'}))
    expect(getKey({slot: 'a'}).publicKeyPem).not.toBe(getKey({slot: 'b'}).publicKeyPem)
    const chain = createChain()
    expect(chain.leaf.keyId.equals(chain.intermediate.keyId)).toBe(false)
  })
})
