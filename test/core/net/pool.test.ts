import {describe, expect, it} from 'vitest'

import {DEFAULT_CONCURRENCY, probeAll, runPool} from '../../../src/core/net/pool.js'
import {startSilentServer} from '../../servers/hostile.js'
import {closeLater, mailServer, target} from './fixtures.js'

describe('runPool', () => {
  it('keeps input order and never runs more than `concurrency` at once', async () => {
    let inFlight = 0
    let most = 0
    const items = Array.from({length: 40}, (_, i) => i)
    const results = await runPool(items, 5, async (n) => {
      inFlight++
      most = Math.max(most, inFlight)
      await new Promise((r) => setTimeout(r, (n * 7) % 13))
      inFlight--
      return n * 2
    })
    expect(results).toEqual(items.map((n) => n * 2))
    expect(most).toBe(5)
    expect(await runPool([], 5, async () => 1)).toEqual([])
  })
})

describe('probeAll', () => {
  it('returns evidence in input order for a mix of protocols and modes', async () => {
    const imap = await mailServer({protocol: 'imap', mode: 'implicit'})
    const smtp = await mailServer({protocol: 'smtp', mode: 'starttls'})
    const targets = Array.from({length: 30}, (_, i) => (i % 2 ? target(imap.port, 'imap', 'ssl') : target(smtp.port, 'smtp', 'starttls')))
    const results = await probeAll(targets, {phaseTimeoutMs: 3000, concurrency: 8})
    expect(results.map((r) => r.target)).toEqual(targets)
    expect(results.every((r) => r.findings.length === 0 && r.chain.length === 2)).toBe(true)
    expect(DEFAULT_CONCURRENCY).toBeGreaterThan(1)
  })

  it('honours the concurrency limit against a server that never answers', async () => {
    const server = closeLater(await startSilentServer())
    const targets = Array.from({length: 12}, () => target(server.port, 'imap', 'ssl'))
    const start = performance.now()
    const results = await probeAll(targets, {phaseTimeoutMs: 150, concurrency: 3})
    const ms = performance.now() - start
    expect(results.every((r) => r.findings.map((f) => f.code).join() === 'timeout')).toBe(true)
    // 12 probes, 3 at a time, each costing one 150 ms phase: 4 waves.
    expect(ms).toBeGreaterThanOrEqual(4 * 150 - 10)
    expect(ms).toBeLessThan(4 * 150 + 1200)
    expect(server.maxConcurrent).toBeGreaterThanOrEqual(3)
    expect(server.maxConcurrent).toBeLessThanOrEqual(6)
    expect(server.connections).toBe(12)
  })
})
