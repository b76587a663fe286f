import {describe, expect, it} from 'vitest'

import {everyNth, threadsThatPay, WORKER_START_SECONDS} from '../../../src/core/generate/parallel-build.js'

describe('threadsThatPay', () => {
  it('uses no threads when the work does not pay for starting them', () => {
    // 1,000 users at 1 ms each: 1 CPU-s of work, not enough for 2 workers at four times their start-up each.
    expect(threadsThatPay(1000, 0.001, 8, 8, 0)).toBe(1)
    expect(threadsThatPay(0, 0.001, 8, 8, 0)).toBe(1)
  })

  it('uses the idle cores when the work pays, never more than asked', () => {
    expect(threadsThatPay(10_000, 0.001, 8, 2, 0)).toBe(2)
    expect(threadsThatPay(100_000, 0.001, 4, 8, 0)).toBe(4)
    // Exactly enough work for 3 workers at four times their start-up cost.
    expect(threadsThatPay(Math.ceil((12 * WORKER_START_SECONDS) / 0.001), 0.001, 8, 8, 0)).toBe(3)
  })

  it('counts cores other processes keep busy (load average less this process)', () => {
    expect(threadsThatPay(10_000, 0.001, 2, 2, 1)).toBe(2)
    expect(threadsThatPay(10_000, 0.001, 2, 2, 3)).toBe(1)
    expect(threadsThatPay(10_000, 0.001, 8, 8, 4)).toBe(5)
  })
})

describe('everyNth', () => {
  it('deals the positions out to the threads: each exactly once, in order, the shares differing by at most one', () => {
    for (const [length, n] of [[0, 2], [1, 2], [7, 2], [10, 3], [5, 8]] as const) {
      const items = Int32Array.from({length}, (_, i) => 100 + 3 * i)
      const shares = Array.from({length: n}, (_, i) => everyNth(items, n, i))
      const dealt: number[] = []
      for (let j = 0; j < length; j++) dealt.push(shares[j % n]![Math.floor(j / n)]!)
      expect(dealt).toEqual([...items])
      expect(shares.reduce((sum, s) => sum + s.length, 0)).toBe(length)
      const sizes = shares.map((s) => s.length)
      expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1)
    }
  })
})
