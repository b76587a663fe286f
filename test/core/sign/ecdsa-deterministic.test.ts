import {createHash, createHmac, createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, verify} from 'node:crypto'

import {ecdsa} from '@noble/curves/abstract/weierstrass.js'
import {p256, p384, p521} from '@noble/curves/nist.js'
import {sha256} from '@noble/hashes/sha2.js'
import {describe, expect, it} from 'vitest'

import {createDeterministicEcdsaSigner, hmacSha256, invert, signDeterministic, supportsDeterministicEcdsa} from '../../../src/core/sign/ecdsa-deterministic.js'

/**
 * The independent oracle: @noble/curves' RFC 6979 ECDSA on each curve with SHA-256 (the hash our
 * signer uses on every curve), high s allowed (node and OpenSSL do not normalize s either).
 */
const NOBLE = {'P-256': ecdsa(p256.Point, sha256), 'P-384': ecdsa(p384.Point, sha256), 'P-521': ecdsa(p521.Point, sha256)} as const
const BYTES = {'P-256': 32, 'P-384': 48, 'P-521': 66} as const
type CurveName = keyof typeof NOBLE

/** The RFC 6979 private keys of A.2.5 (P-256), A.2.6 (P-384) and A.2.7 (P-521). */
const RFC_KEYS: Record<CurveName, bigint> = {
  'P-256': 0xc9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721n,
  'P-384': 0x6b9d3dad2e1b8c1c05b19875b6659f4de23c3b667bf297ba9aa47740787137d896d5724e4c70a825f872c9ea60d2edf5n,
  'P-521': 0x0fad06daa62ba3b25d2fb40133da757205de67f5bb0018fee8c86e1b68c7e75caa896eb32f1f47c70855836a6d16fcc1466f6d8fbec67db89ec0c08b0e996b83538n,
}

const hex = (x: bigint, bytes: number) => x.toString(16).padStart(bytes * 2, '0')

function nobleSignature(curve: CurveName, d: bigint, message: Uint8Array): {r: bigint; s: bigint} {
  const secret = Buffer.from(hex(d, BYTES[curve]), 'hex')
  const compact = NOBLE[curve].sign(message, secret, {lowS: false, prehash: true})
  const half = compact.length / 2
  return {r: BigInt(`0x${Buffer.from(compact.subarray(0, half)).toString('hex')}`), s: BigInt(`0x${Buffer.from(compact.subarray(half)).toString('hex')}`)}
}

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

  it.each(['P-256', 'P-384', 'P-521'] as const)('agrees with @noble/curves on %s: the RFC 6979 keys with "sample" and "test", and random keys and messages', (curve) => {
    for (const message of ['sample', 'test']) {
      const ours = signDeterministic(Buffer.from(message), RFC_KEYS[curve], curve)
      expect({r: ours.r, s: ours.s}).toEqual(nobleSignature(curve, RFC_KEYS[curve], Buffer.from(message)))
    }
    for (let i = 0; i < 5; i++) {
      const {privateKey, publicKey} = generateKeyPairSync('ec', {namedCurve: curve})
      const d = BigInt(`0x${Buffer.from(privateKey.export({format: 'jwk'}).d!, 'base64url').toString('hex')}`)
      const sign = createDeterministicEcdsaSigner(privateKey)
      for (const length of [0, 1, 55, 64, 1000]) {
        const message = randomBytes(length)
        const {r, s} = nobleSignature(curve, d, message)
        expect(signDeterministic(message, d, curve)).toMatchObject({r, s})
        const der = sign(message)
        // The DER form noble writes for the same (r, s), and node verifies it.
        expect(der.toString('hex')).toBe(Buffer.from(NOBLE[curve].Signature.fromBytes(NOBLE[curve].sign(message, Buffer.from(hex(d, BYTES[curve]), 'hex'), {lowS: false}), 'compact').toBytes('der')).toString('hex'))
        expect(verify('sha256', message, {key: publicKey, dsaEncoding: 'der'}, der)).toBe(true)
      }
    }
  })

  it('computes HMAC-SHA256 as node:crypto does, for any key up to a block and messages in parts', () => {
    for (let i = 0; i < 300; i++) {
      const key = randomBytes(i % 65)
      const parts = Array.from({length: i % 5}, (_, j) => randomBytes((i * 7 + j * 13) % 300))
      const h = createHmac('sha256', key)
      for (const p of parts) h.update(p)
      expect(hmacSha256(key, ...parts).equals(h.digest())).toBe(true)
    }
    expect(() => hmacSha256(randomBytes(65))).toThrow(/longer than a block/)
  })

  it('inverts modulo each group order like the plain extended Euclidean algorithm (Lehmer steps), at the edges and at random', () => {
    const euclid = (a: bigint, n: bigint) => {
      let [r0, r1, s0, s1] = [a, n, 1n, 0n]
      while (r1 !== 0n) {
        const q = r0 / r1
        ;[r0, r1] = [r1, r0 - q * r1]
        ;[s0, s1] = [s1, s0 - q * s1]
      }
      return ((s0 % n) + n) % n
    }
    for (const curve of ['P-256', 'P-384', 'P-521'] as const) {
      const n = NOBLE[curve].Point.Fn.ORDER
      for (const a of [1n, 2n, 3n, n - 1n, n - 2n, 0xffffffffn, 0x100000000n, (1n << 200n) + 1n]) expect((invert(a, n) * a) % n, `${curve} ${a}`).toBe(1n)
      for (let i = 0; i < 2000; i++) {
        const a = (BigInt(`0x${randomBytes(BYTES[curve] + 8).toString('hex')}`) % (n - 1n)) + 1n
        expect(invert(a, n)).toBe(euclid(a, n))
      }
      expect(() => invert(n, n)).toThrow(/not invertible/)
    }
  })
})
