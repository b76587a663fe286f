/**
 * Deterministic ECDSA (RFC 6979) with SHA-256, so that a profile signed with an EC key is
 * byte-identical from run to run, as one signed with RSA is. Hand-written because node:crypto only
 * makes randomized ECDSA signatures (OpenSSL 3.2's deterministic nonces are not reachable from
 * node). Here the nonce k comes from RFC 6979's HMAC-DRBG over the private key and the message
 * hash, the point k·G is computed natively (it is the public key of the private key k, via one
 * ECDH object kept per signer), and only the scalar arithmetic modulo the group order is BigInt.
 * It is tested against RFC 6979's vectors and @noble/curves (an independent implementation) on
 * P-256, P-384 and P-521, and every signature verifies with crypto.verify.
 *
 * Speed (bench/ecdsa.bench.js): one ECDH object per signer instead of one per signature, a
 * Lehmer extended-Euclid inversion (about 2.5× the plain one in BigInt), random blinding factors
 * drawn from a pool, and no BigInt↔hex round trips beyond the few the arithmetic needs. HMAC-SHA256
 * is written out (RFC 2104: two one-shot crypto.hash calls over one reused buffer) because a
 * signature needs five HMACs and each createHmac object cost more than its two hashes; it is
 * tested against createHmac.
 *
 * The result is an ordinary ECDSA signature: any verifier accepts it. The one modular inversion
 * is blinded with a random factor, so its running time says nothing about k.
 */
import {createECDH, hash, randomFillSync, type ECDH, type KeyObject} from 'node:crypto'

import {tlv, unsignedInteger} from '../asn1/writer.js'

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

const toBigInt = (bytes: Uint8Array): bigint => (bytes.length === 0 ? 0n : BigInt(`0x${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('hex')}`))

function toBytes(x: bigint, length: number): Buffer {
  const hex = x.toString(16).padStart(length * 2, '0')
  if (hex.length > length * 2) throw new Error('integer too large')
  return Buffer.from(hex, 'hex')
}

/** Leading bits of the operands the inner (Number) steps of the inversion work on: products stay below 2^53. */
const LEHMER_BITS = 50

/**
 * a⁻¹ mod n (n prime, a not 0 mod n) by Lehmer's extended Euclidean algorithm (Knuth, TAOCP 4.5.2,
 * Algorithm L): the quotients are found on the leading 50 bits in Number arithmetic, and the BigInt
 * operands are updated once per about 25 bits instead of once per quotient.
 */
export function invert(a: bigint, n: bigint): bigint {
  // Invariant: u ≡ s·a and v ≡ t·a (mod n).
  let u = n
  let v = ((a % n) + n) % n
  let s = 0n
  let t = 1n
  while (v > 0xffffffffn) {
    const bits = u.toString(16).length * 4
    const shift = BigInt(bits > LEHMER_BITS ? bits - LEHMER_BITS : 0)
    let x = Number(u >> shift)
    let y = Number(v >> shift)
    let [A, B, C, D] = [1, 0, 0, 1]
    while (y + C !== 0 && y + D !== 0) {
      const q = Math.floor((x + A) / (y + C))
      if (q !== Math.floor((x + B) / (y + D))) break
      ;[A, C] = [C, A - q * C]
      ;[B, D] = [D, B - q * D]
      ;[x, y] = [y, x - q * y]
    }
    if (B === 0) {
      // No quotient was certain from the leading bits: one full-precision step.
      const q = u / v
      ;[u, v] = [v, u - q * v]
      ;[s, t] = [t, s - q * t]
    } else {
      const [bA, bB, bC, bD] = [BigInt(A), BigInt(B), BigInt(C), BigInt(D)]
      ;[u, v] = [bA * u + bB * v, bC * u + bD * v]
      ;[s, t] = [bA * s + bB * t, bC * s + bD * t]
    }
  }
  while (v !== 0n) {
    const q = u / v
    ;[u, v] = [v, u - q * v]
    ;[s, t] = [t, s - q * t]
  }
  if (u !== 1n) throw new Error('not invertible')
  s %= n
  return s < 0n ? s + n : s
}

/** Random blinding bytes, drawn from a pool refilled 64 signatures at a time. */
class BlindingPool {
  readonly #size: number
  readonly #pool: Buffer
  #at: number
  constructor(size: number) {
    this.#size = size
    this.#pool = Buffer.alloc(size * 64)
    this.#at = this.#pool.length
  }
  next(): Buffer {
    if (this.#at === this.#pool.length) {
      randomFillSync(this.#pool)
      this.#at = 0
    }
    const out = this.#pool.subarray(this.#at, this.#at + this.#size)
    this.#at += this.#size
    return out
  }
}

const ZERO = Buffer.from([0x00])
const ONE = Buffer.from([0x01])
/** RFC 6979 3.2 b and c: V = 0x01…, K = 0x00… (hlen = 32 bytes for SHA-256). */
const V_INITIAL = Buffer.alloc(32, 0x01)
const K_INITIAL = Buffer.alloc(32, 0x00)

/** SHA-256's block size: HMAC pads its key to one block. */
const BLOCK = 64
let hmacScratch = Buffer.allocUnsafe(BLOCK + 256)

/**
 * HMAC-SHA256 (RFC 2104) of the parts' concatenation under `key` (at most one block long, as every
 * RFC 6979 key here is: 32 bytes): H((K ⊕ opad) ‖ H((K ⊕ ipad) ‖ message)).
 */
export function hmacSha256(key: Uint8Array, ...parts: Uint8Array[]): Buffer {
  if (key.length > BLOCK) throw new Error('hmacSha256: key longer than a block')
  let length = BLOCK
  for (const p of parts) length += p.length
  if (hmacScratch.length < length) hmacScratch = Buffer.allocUnsafe(length)
  const buf = hmacScratch
  for (let i = 0; i < BLOCK; i++) buf[i] = (i < key.length ? key[i]! : 0) ^ 0x36
  let at = BLOCK
  for (const p of parts) {
    buf.set(p, at)
    at += p.length
  }
  const inner = hash('sha256', buf.subarray(0, length), 'buffer')
  for (let i = 0; i < BLOCK; i++) buf[i] = (i < key.length ? key[i]! : 0) ^ 0x5c
  buf.set(inner, BLOCK)
  return hash('sha256', buf.subarray(0, BLOCK + inner.length), 'buffer')
}

const hmac = hmacSha256

/** What a signer keeps between signatures: the curve, the key as scalar and as octets, one ECDH object, the blinding pool. */
interface SignerState {
  curve: Curve
  rlen: number
  d: bigint
  x: Buffer
  ecdh: ECDH
  blinding: BlindingPool
}

function signerState(d: bigint, curveName: string): SignerState {
  const curve = CURVES[curveName]
  if (!curve) throw new Error(`deterministic ECDSA: unsupported curve ${curveName}`)
  const rlen = Math.ceil(curve.qlen / 8)
  return {curve, rlen, d, x: toBytes(d, rlen), ecdh: createECDH(curve.ecdh), blinding: new BlindingPool(rlen + 8)}
}

function sign(state: SignerState, message: Uint8Array): {r: bigint; s: bigint; k: bigint} {
  const {curve, rlen, d, x, ecdh} = state
  const {n, qlen} = curve
  const h1 = hash('sha256', message, 'buffer')
  // RFC 6979 2.3.2 bits2int: the leftmost qlen bits.
  const bits2int = (b: Uint8Array): bigint => {
    const v = toBigInt(b)
    const blen = b.length * 8
    return blen > qlen ? v >> BigInt(blen - qlen) : v
  }
  const e = bits2int(h1)
  const h = toBytes(e % n, rlen) // bits2octets
  // RFC 6979 3.2 b–g.
  let k = hmac(K_INITIAL, V_INITIAL, ZERO, x, h)
  let v = hmac(k, V_INITIAL)
  k = hmac(k, v, ONE, x, h)
  v = hmac(k, v)
  for (;;) {
    // 3.2 h: T of at least qlen bits, k = bits2int(T), retried until 1 ≤ k < n and r, s ≠ 0.
    v = hmac(k, v)
    let t = v
    while (t.length * 8 < qlen) {
      v = hmac(k, v)
      t = Buffer.concat([t, v])
    }
    const nonce = bits2int(t)
    if (nonce >= 1n && nonce < n) {
      ecdh.setPrivateKey(t.length === rlen && qlen % 8 === 0 ? t : toBytes(nonce, rlen))
      const point = ecdh.getPublicKey() // 0x04 ‖ X ‖ Y
      const r = toBigInt(point.subarray(1, 1 + rlen)) % n
      if (r !== 0n) {
        const blind = (toBigInt(state.blinding.next()) % (n - 1n)) + 1n
        const kInverse = (invert((nonce * blind) % n, n) * blind) % n
        const s = (kInverse * (e + r * d)) % n
        if (s !== 0n) return {r, s, k: nonce}
      }
    }
    k = hmac(k, v, ZERO)
    v = hmac(k, v)
  }
}

/** The ECDSA signature (r, s) of SHA-256(message) under the private scalar `d`, RFC 6979 nonce. */
export function signDeterministic(message: Uint8Array, d: bigint, curveName: string): {r: bigint; s: bigint; k: bigint} {
  return sign(signerState(d, curveName), message)
}

/** An Ecdsa-Sig-Value (DER SEQUENCE of r and s) over SHA-256(message), as crypto.sign(…, {dsaEncoding: 'der'}) gives. */
export function createDeterministicEcdsaSigner(key: KeyObject): (message: Uint8Array) => Buffer {
  const jwk = key.export({format: 'jwk'})
  if (typeof jwk.crv !== 'string' || !(jwk.crv in CURVES) || typeof jwk.d !== 'string') throw new Error('deterministic ECDSA needs a P-256, P-384 or P-521 private key')
  const state = signerState(toBigInt(Buffer.from(jwk.d, 'base64url')), jwk.crv)
  return (message) => {
    const {r, s} = sign(state, message)
    return tlv(0x30, Buffer.concat([unsignedInteger(toBytes(r, state.rlen)), unsignedInteger(toBytes(s, state.rlen))]))
  }
}
