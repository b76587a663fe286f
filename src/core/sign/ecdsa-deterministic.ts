/**
 * Deterministic ECDSA (RFC 6979) with SHA-256, so that a profile signed with an EC key is
 * byte-identical from run to run, as one signed with RSA is. node:crypto only makes randomized
 * ECDSA signatures; here the nonce k comes from RFC 6979's HMAC-DRBG over the private key and the
 * message hash, the point k·G is computed natively (it is the public key of the private key k,
 * via ECDH), and only the scalar arithmetic modulo the group order is done with BigInt.
 *
 * The result is an ordinary ECDSA signature: any verifier accepts it. The one modular inversion
 * is blinded with a random factor, so its running time says nothing about k.
 */
import {createECDH, createHash, createHmac, randomBytes, type KeyObject} from 'node:crypto'

import {tlv} from '../asn1/writer.js'

interface Curve {
  /** OpenSSL's name, as createECDH takes it. */
  ecdh: string
  /** The group order. */
  n: bigint
  /** Bits in n. */
  qlen: number
}

const CURVES: Record<string, Curve> = {
  'P-256': {ecdh: 'prime256v1', n: 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n, qlen: 256},
  'P-384': {ecdh: 'secp384r1', n: 0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973n, qlen: 384},
  'P-521': {
    ecdh: 'secp521r1',
    n: 0x01fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffa51868783bf2f966b7fcc0148f709a5d03bb5c9b8899c47aebb6fb71e91386409n,
    qlen: 521,
  },
}

/** Whether deterministic signing supports this key's curve (NIST P-256, P-384, P-521). */
export function supportsDeterministicEcdsa(key: KeyObject): boolean {
  const jwk = key.export({format: 'jwk'})
  return typeof jwk.crv === 'string' && jwk.crv in CURVES
}

const toBigInt = (bytes: Uint8Array): bigint => (bytes.length === 0 ? 0n : BigInt(`0x${Buffer.from(bytes).toString('hex')}`))

function toBytes(x: bigint, length: number): Buffer {
  const hex = x.toString(16).padStart(length * 2, '0')
  if (hex.length > length * 2) throw new Error('integer too large')
  return Buffer.from(hex, 'hex')
}

const mod = (a: bigint, n: bigint): bigint => ((a % n) + n) % n

/** a⁻¹ mod n by the extended Euclidean algorithm (n prime, a not 0 mod n). */
function invert(a: bigint, n: bigint): bigint {
  let [r0, r1] = [mod(a, n), n]
  let [s0, s1] = [1n, 0n]
  while (r1 !== 0n) {
    const q = r0 / r1
    ;[r0, r1] = [r1, r0 - q * r1]
    ;[s0, s1] = [s1, s0 - q * s1]
  }
  if (r0 !== 1n) throw new Error('not invertible')
  return mod(s0, n)
}

/** The ECDSA signature (r, s) of SHA-256(message) under the private scalar `d`, RFC 6979 nonce. */
export function signDeterministic(message: Uint8Array, d: bigint, curveName: string): {r: bigint; s: bigint; k: bigint} {
  const curve = CURVES[curveName]
  if (!curve) throw new Error(`deterministic ECDSA: unsupported curve ${curveName}`)
  const {n, qlen} = curve
  const rlen = Math.ceil(qlen / 8)
  const h1 = createHash('sha256').update(message).digest()
  // RFC 6979 2.3.2 bits2int: the leftmost qlen bits.
  const bits2int = (b: Uint8Array): bigint => {
    const x = toBigInt(b)
    const blen = b.length * 8
    return blen > qlen ? x >> BigInt(blen - qlen) : x
  }
  const x = toBytes(d, rlen)
  const h = toBytes(mod(bits2int(h1), n), rlen) // bits2octets
  const hmac = (key: Buffer, ...parts: Buffer[]) => createHmac('sha256', key).update(Buffer.concat(parts)).digest()
  // RFC 6979 3.2 b–f.
  let v: Buffer = Buffer.alloc(32, 0x01)
  let k: Buffer = Buffer.alloc(32, 0x00)
  k = hmac(k, v, Buffer.from([0x00]), x, h)
  v = hmac(k, v)
  k = hmac(k, v, Buffer.from([0x01]), x, h)
  v = hmac(k, v)
  const e = bits2int(h1)
  const ecdh = createECDH(curve.ecdh)
  for (;;) {
    // 3.2 h: T of at least qlen bits, k = bits2int(T), retried until 1 ≤ k < n and r, s ≠ 0.
    let t: Buffer = Buffer.alloc(0)
    while (t.length * 8 < qlen) {
      v = hmac(k, v)
      t = Buffer.concat([t, v])
    }
    const nonce = bits2int(t)
    if (nonce >= 1n && nonce < n) {
      ecdh.setPrivateKey(toBytes(nonce, rlen))
      const point = ecdh.getPublicKey() // 0x04 ‖ X ‖ Y
      const r = mod(toBigInt(point.subarray(1, 1 + rlen)), n)
      if (r !== 0n) {
        const blind = mod(toBigInt(randomBytes(rlen + 8)), n - 1n) + 1n
        const kInverse = mod(invert(nonce * blind, n) * blind, n)
        const s = mod(kInverse * (e + r * d), n)
        if (s !== 0n) return {r, s, k: nonce}
      }
    }
    k = hmac(k, v, Buffer.from([0x00]))
    v = hmac(k, v)
  }
}

function derInteger(x: bigint): Buffer {
  let hex = x.toString(16)
  if (hex.length % 2) hex = `0${hex}`
  const bytes = Buffer.from(hex, 'hex')
  return tlv(0x02, bytes[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), bytes]) : bytes)
}

/** An Ecdsa-Sig-Value (DER SEQUENCE of r and s) over SHA-256(message), as crypto.sign(…, {dsaEncoding: 'der'}) gives. */
export function createDeterministicEcdsaSigner(key: KeyObject): (message: Uint8Array) => Buffer {
  const jwk = key.export({format: 'jwk'})
  if (typeof jwk.crv !== 'string' || !(jwk.crv in CURVES) || typeof jwk.d !== 'string') throw new Error('deterministic ECDSA needs a P-256, P-384 or P-521 private key')
  const d = toBigInt(Buffer.from(jwk.d, 'base64url'))
  const crv = jwk.crv
  return (message) => {
    const {r, s} = signDeterministic(message, d, crv)
    return tlv(0x30, Buffer.concat([derInteger(r), derInteger(s)]))
  }
}
