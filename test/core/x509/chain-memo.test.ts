import {describe, expect, it} from 'vitest'

import {ChainMemo} from '../../../src/core/x509/chain-memo.js'

/** A fake "certificate": `length` bytes of `fill`, ending with the same 16 bytes as every other one. */
function cert(fill: number, length = 64): Buffer {
  const b = Buffer.alloc(length, fill)
  b.fill(0xee, length - 16)
  return b
}

describe('ChainMemo', () => {
  it('finds a chain by its bytes (not by the Buffer objects) and tells apart chains that share length and tail', () => {
    const memo = new ChainMemo<string>(10)
    let made = 0
    const add = (chain: Buffer[], value: string) => memo.getOrAdd(chain, () => (made++, value))
    expect(add([cert(1), cert(2)], 'a')).toBe('a')
    // Fresh copies of the same bytes, as a probe of another endpoint hands them over: remembered.
    expect(add([Buffer.from(cert(1)), Buffer.from(cert(2))], 'not made')).toBe('a')
    // Same lengths and last bytes (so the same bucket), different content: each is its own chain.
    expect(add([cert(3), cert(2)], 'b')).toBe('b')
    expect(add([cert(1), cert(4)], 'c')).toBe('c')
    // A prefix, a longer chain and the same certificates in another order are other chains too.
    expect(add([cert(1)], 'd')).toBe('d')
    expect(add([cert(1), cert(2), cert(5)], 'e')).toBe('e')
    expect(add([cert(2), cert(1)], 'f')).toBe('f')
    expect(add([], 'g')).toBe('g')
    expect(add([], 'not made')).toBe('g')
    expect(made).toBe(7)
    expect(memo.size).toBe(7)
  })

  it('keeps its own copy: changing the caller\'s buffers afterwards changes nothing', () => {
    const memo = new ChainMemo<number>(10)
    const chain = [cert(1)]
    memo.getOrAdd(chain, () => 1)
    chain[0]!.fill(9, 0, 8)
    expect(memo.getOrAdd(chain, () => 2)).toBe(2)
    expect(memo.getOrAdd([cert(1)], () => 3)).toBe(1)
  })

  it('starts over past its limit', () => {
    const memo = new ChainMemo<number>(2)
    memo.getOrAdd([cert(1)], () => 1)
    memo.getOrAdd([cert(2)], () => 2)
    memo.getOrAdd([cert(3)], () => 3)
    expect(memo.size).toBe(1)
    expect(memo.getOrAdd([cert(1)], () => 4)).toBe(4)
    expect(memo.getOrAdd([cert(3)], () => 5)).toBe(3)
  })
})
