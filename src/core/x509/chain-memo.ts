/**
 * A bounded memo keyed by a certificate chain (DER, leaf first), exact: chains are bucketed by a
 * cheap key (each certificate's length and last bytes, which lie inside its signature) and a hit
 * is confirmed byte for byte, so two different chains never share an entry. Building a key out of
 * every byte of every certificate (a few KiB of string per endpoint) or hashing them cost more
 * than the work being remembered.
 */

/** Bytes from the end of each certificate in the bucket key: the tail of its signature. */
const TAIL_BYTES = 16

function bucketKey(chain: readonly Uint8Array[]): string {
  let key = ''
  for (const der of chain) key += `${der.length}:${Buffer.from(der.buffer, der.byteOffset + Math.max(0, der.length - TAIL_BYTES), Math.min(TAIL_BYTES, der.length)).toString('latin1')}|`
  return key
}

function sameChain(a: readonly Uint8Array[], b: readonly Uint8Array[]): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (!Buffer.from(a[i]!.buffer, a[i]!.byteOffset, a[i]!.length).equals(b[i]!)) return false
  return true
}

export class ChainMemo<T> {
  private readonly buckets = new Map<string, Array<{chain: readonly Uint8Array[]; value: T}>>()
  private count = 0
  private readonly limit: number

  /** `limit`: chains remembered; one more starts the memo over (a run with that many distinct chains gains little from it). */
  constructor(limit: number) {
    this.limit = limit
  }

  /** The value remembered for `chain`, made by `make` the first time (a copy of the chain is kept). */
  getOrAdd(chain: readonly Uint8Array[], make: () => T): T {
    const key = bucketKey(chain)
    let list = this.buckets.get(key)
    if (list) for (const e of list) if (sameChain(e.chain, chain)) return e.value
    const value = make()
    if (this.count >= this.limit) {
      this.buckets.clear()
      this.count = 0
      list = undefined
    }
    const entry = {chain: chain.map((der) => Buffer.from(der)), value}
    if (list) list.push(entry)
    else this.buckets.set(key, [entry])
    this.count++
    return value
  }

  get size(): number {
    return this.count
  }
}
