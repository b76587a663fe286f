import {describe, expect, it} from 'vitest'

import {PhaseClock} from '../../../src/core/net/clock.js'

describe('PhaseClock', () => {
  it('passes results through and clears its timer', async () => {
    let timeouts = 0
    const clock = new PhaseClock(1000, 5000, () => timeouts++)
    expect(await clock.phase('greeting', async () => 42)).toBe(42)
    await expect(clock.phase('greeting', async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom')
    expect(timeouts).toBe(0)
  })

  it('times a phase out after phaseTimeoutMs, naming the phase, and calls onTimeout', async () => {
    let timeouts = 0
    const clock = new PhaseClock(50, 5000, () => timeouts++)
    const start = performance.now()
    await expect(clock.phase('EHLO before TLS', () => new Promise(() => {}))).rejects.toMatchObject({
      kind: 'timeout',
      phase: 'EHLO before TLS',
      message: 'no answer within 50 ms during EHLO before TLS',
    })
    expect(performance.now() - start).toBeGreaterThanOrEqual(45)
    expect(timeouts).toBe(1)
  })

  it('the deadline shortens the last phase and is reported as global', async () => {
    const clock = new PhaseClock(1000, 60, () => {})
    const start = performance.now()
    await expect(clock.phase('TLS handshake', () => new Promise(() => {}))).rejects.toMatchObject({kind: 'timeout', global: true})
    expect(performance.now() - start).toBeLessThan(500)
    expect(clock.remaining()).toBe(0)
  })
})
