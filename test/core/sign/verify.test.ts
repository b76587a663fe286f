import {writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {signCms} from '../../../src/core/sign/cms.js'
import {loadSigningIdentity, type SigningIdentity} from '../../../src/core/sign/identity.js'
import {CmsError, looksLikeCms, verifyCms} from '../../../src/core/sign/verify.js'
import {makeSigningPki, openssl, opensslVerify, requireOpenssl, signingSettingsFor, type SigningPki} from '../../helpers/signing-fixtures.js'

const PROFILE = Buffer.from('<?xml version="1.0" encoding="UTF-8"?>\n<plist version="1.0"><dict><key>PayloadType</key><string>Configuration</string></dict></plist>\n')

for (const keyType of ['rsa', 'ec'] as const) {
  describe(`verifyCms (${keyType.toUpperCase()})`, () => {
    const enabled = requireOpenssl()
    let pki: SigningPki
    let identity: SigningIdentity
    beforeAll(async () => {
      if (!enabled) return
      pki = makeSigningPki({keyType})
      identity = await loadSigningIdentity(signingSettingsFor(pki), {baseDir: pki.dir, env: {}})
    })
    afterAll(() => pki?.cleanup())

    it.runIf(enabled)('verifies its own signatures: content, signer, chain up to the root', () => {
      const result = verifyCms(signCms(PROFILE, identity))
      expect(result.content.equals(PROFILE)).toBe(true)
      expect(result.contentType).toBe('1.2.840.113549.1.7.1')
      expect(result.certificates).toHaveLength(3)
      expect(result.signers).toHaveLength(1)
      const [signer] = result.signers
      expect(signer!.signatureValid).toBe(true)
      expect(signer!.digestValid).toBe(true)
      expect(signer!.problem).toBeUndefined()
      expect(signer!.certificate?.info.commonName).toBe('Test Profile Signer')
      expect(signer!.chain.map((c) => c.info.commonName)).toEqual(['Test Signing Intermediate', 'Test Signing Root'])
    })

    it.runIf(enabled)('reads signingTime as UTCTime and GeneralizedTime', () => {
      for (const when of ['2031-05-06T07:08:09.000Z', '2051-12-31T23:59:58.000Z']) {
        const result = verifyCms(signCms(PROFILE, identity, {signingTime: new Date(when)}))
        expect(result.signers[0]!.signingTime?.toISOString()).toBe(when)
        expect(result.signers[0]!.signatureValid).toBe(true)
      }
    })

    it.runIf(enabled)('verifies what openssl smime -sign -nodetach writes (BER, indefinite lengths, signingTime)', () => {
      const content = join(pki.dir, 'content.xml')
      writeFileSync(content, PROFILE)
      const der = openssl(['smime', '-sign', '-nodetach', '-binary', '-outform', 'der', '-in', content, '-signer', pki.signerCert, '-inkey', pki.signerKey, '-certfile', pki.intermediateCert])
      const result = verifyCms(der)
      expect(result.content.equals(PROFILE)).toBe(true)
      expect(result.signers[0]!.signatureValid).toBe(true)
      expect(result.signers[0]!.digestValid).toBe(true)
      expect(result.signers[0]!.signingTime).toBeInstanceOf(Date)
      expect(Math.abs(result.signers[0]!.signingTime!.getTime() - Date.now())).toBeLessThan(120_000)
      expect(result.signers[0]!.chain.map((c) => c.info.commonName)).toEqual(['Test Signing Intermediate'])
    })

    it.runIf(enabled)('verifies openssl cms -sign with a subject key identifier and PEM wrapping', () => {
      const content = join(pki.dir, 'content.xml')
      writeFileSync(content, PROFILE)
      const pem = openssl(['cms', '-sign', '-nodetach', '-binary', '-keyid', '-outform', 'PEM', '-in', content, '-signer', pki.signerCert, '-inkey', pki.signerKey, '-md', 'sha384'])
      expect(looksLikeCms(pem)).toBe(true)
      const result = verifyCms(pem)
      expect(result.signers[0]!.certificate?.info.commonName).toBe('Test Profile Signer')
      expect(result.signers[0]!.signatureValid).toBe(true)
      expect(result.signers[0]!.digestValid).toBe(true)
      expect(result.signers[0]!.digestAlgorithm).toBe('2.16.840.1.101.3.4.2.2')
    })

    it.runIf(enabled)('a tampered content fails the digest check, as openssl also says', () => {
      const der = Buffer.from(signCms(PROFILE, identity))
      der[der.indexOf(Buffer.from('Configuration'))] = 'X'.charCodeAt(0)
      const result = verifyCms(der)
      expect(result.signers[0]!.digestValid).toBe(false)
      expect(result.signers[0]!.problem).toMatch(/changed after signing/)
      expect(opensslVerify(pki, der).ok).toBe(false)
    })

    it.runIf(enabled)('a damaged signature fails the signature check, as openssl also says', () => {
      const der = Buffer.from(signCms(PROFILE, identity))
      // The signature value is the last OCTET STRING: flip a byte near the end.
      der[der.length - 5]! ^= 0x01
      const result = verifyCms(der)
      expect(result.signers[0]!.digestValid).toBe(true)
      expect(result.signers[0]!.signatureValid).toBe(false)
      expect(opensslVerify(pki, der).ok).toBe(false)
    })
  })
}

describe('verifyCms input handling', () => {
  it('refuses what is not CMS with a CmsError', () => {
    expect(() => verifyCms(Buffer.from('<?xml version="1.0"?><plist/>'))).toThrow(CmsError)
    expect(() => verifyCms(Buffer.from([0x30, 0x82, 0x10, 0x00, 0x01]))).toThrow(/malformed CMS structure \(truncated/)
    expect(() => verifyCms(Buffer.from([0x30, 0x80, 0x30, 0x80]))).toThrow(CmsError)
    expect(looksLikeCms(Buffer.from('<?xml version="1.0"?>'))).toBe(false)
    expect(looksLikeCms(Buffer.from('bplist00'))).toBe(false)
  })

  it('refuses a CMS that is not SignedData', () => {
    const enabled = requireOpenssl()
    if (!enabled) return
    const pki = makeSigningPki()
    try {
      const content = join(pki.dir, 'c.txt')
      writeFileSync(content, 'secret')
      const enveloped = openssl(['cms', '-encrypt', '-outform', 'DER', '-in', content, pki.signerCert])
      expect(() => verifyCms(enveloped)).toThrow(/not SignedData/)
    } finally {
      pki.cleanup()
    }
  })
})
