import {describe, expect, it} from 'vitest'

import {threadsThatPay, WORKER_START_SECONDS} from '../../../src/core/generate/parallel-build.js'

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
