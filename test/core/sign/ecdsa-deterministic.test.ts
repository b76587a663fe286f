import {createHash, createPrivateKey, createPublicKey, generateKeyPairSync, verify} from 'node:crypto'

import {describe, expect, it} from 'vitest'

import {createDeterministicEcdsaSigner, signDeterministic, supportsDeterministicEcdsa} from '../../../src/core/sign/ecdsa-deterministic.js'

// RFC 6979 A.2.5: ECDSA on P-256 with SHA-256.
const RFC_D = 0xc9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721n
const RFC_Q = {
  x: '60fed4ba255a9d31c961eb74c6356d68c049b8923b61fa6ce669622e60f29fb6',
  y: '7903fe1008b8bc99a41ae9e95628bc64f2f1b20c2d7e9f5177a3c294d4462299',
}

describe('deterministic ECDSA (RFC 6979)', () => {
  it.each([
    ['sample', 0xa6e3c57dd01abe90086538398355dd4c3b17aa873382b0f24d6129493d8aad60n, 0xefd48b2aacb6a8fd1140dd9cd45e81d69d2c877b56aaf991c34d0ea84eaf3716n, 0xf7cb1c942d657c41d436c7a1b6e29f65f3e900dbb9aff4064dc4ab2f843acda8n],
    ['test', 0xd16b6ae827f17175e040871a1c7ec3500192c4c92677336ec2537acaee0008e0n, 0xf1abb023518351cd71d881567b1ea663ed3efcf6c5132b354f28d3b0b7d38367n, 0x019f4113742a2b14bd25926b49c649155f267e60d3814b4c0cc84250e46f0083n],
  ])('reproduces the RFC 6979 A.2.5 vectors for P-256/SHA-256, message "%s"', (message, k, r, s) => {
    expect(signDeterministic(Buffer.from(message), RFC_D, 'P-256')).toEqual({k, r, s})
  })

  it('gives DER signatures node:crypto verifies, the same bytes every time, on P-256, P-384 and P-521', () => {
    for (const namedCurve of ['P-256', 'P-384', 'P-521']) {
      const {privateKey, publicKey} = generateKeyPairSync('ec', {namedCurve})
      expect(supportsDeterministicEcdsa(privateKey)).toBe(true)
      const sign = createDeterministicEcdsaSigner(privateKey)
      for (const message of [Buffer.alloc(0), Buffer.from('mailprofile'), Buffer.alloc(100_000, 7)]) {
        const signature = sign(message)
        expect(sign(message).equals(signature), namedCurve).toBe(true)
        expect(verify('sha256', message, {key: publicKey, dsaEncoding: 'der'}, signature), namedCurve).toBe(true)
        expect(verify('sha256', Buffer.concat([message, Buffer.from('!')]), {key: publicKey, dsaEncoding: 'der'}, signature)).toBe(false)
      }
    }
  })

  it('signs with the RFC key through a KeyObject: node:crypto verifies with the RFC public key', () => {
    const jwk = {kty: 'EC', crv: 'P-256', d: Buffer.from(RFC_D.toString(16), 'hex').toString('base64url'), x: Buffer.from(RFC_Q.x, 'hex').toString('base64url'), y: Buffer.from(RFC_Q.y, 'hex').toString('base64url')}
    const privateKey = createPrivateKey({key: jwk, format: 'jwk'})
    const signature = createDeterministicEcdsaSigner(privateKey)(Buffer.from('sample'))
    // SEQUENCE { INTEGER r, INTEGER s } with the published r and s (both have the top bit set: a leading 0).
    expect(signature.toString('hex')).toBe(
      '3046022100efd48b2aacb6a8fd1140dd9cd45e81d69d2c877b56aaf991c34d0ea84eaf3716022100f7cb1c942d657c41d436c7a1b6e29f65f3e900dbb9aff4064dc4ab2f843acda8',
    )
    expect(verify('sha256', Buffer.from('sample'), {key: createPublicKey(privateKey), dsaEncoding: 'der'}, signature)).toBe(true)
    expect(createHash('sha256').update('sample').digest('hex')).toBe('af2bdbe1aa9b6ec1e2ade1d694f41fc71a831d0268e9891562113d8a62add1bf')
  })

  it('leaves curves it does not know to the randomized signer', () => {
    const {privateKey} = generateKeyPairSync('ec', {namedCurve: 'secp256k1'})
    expect(supportsDeterministicEcdsa(privateKey)).toBe(false)
    expect(() => createDeterministicEcdsaSigner(privateKey)).toThrow(/P-256, P-384 or P-521/)
  })
})
