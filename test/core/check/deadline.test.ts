/**
 * check --deadline: the whole run ends at the deadline; endpoints in flight or not yet started
 * then are reported as deadline-exceeded and listed under `deadline.cut`.
 */
import {afterAll, describe, expect, it} from 'vitest'

import type {CheckEndpoint} from '../../../src/core/check/endpoints.js'
import {runCheck} from '../../../src/core/check/run-check.js'
import {startSilentServer} from '../../servers/hostile.js'
import type {TrackedServer} from '../../servers/tracked-server.js'

const servers: TrackedServer[] = []
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()))
})

describe('check --deadline', () => {
  it('bounds a run over hanging endpoints and names the ones it cut', async () => {
    const silent = await startSilentServer()
    servers.push(silent)
    // 6 hanging endpoints, 2 at a time, 10 s per phase: without a deadline at least 3 × 10 s.
    const endpoints: CheckEndpoint[] = Array.from({length: 6}, (_, i) => ({
      target: {host: `h${i}.example.test`, port: silent.port, protocol: 'imap', security: 'starttls', address: '127.0.0.1'},
      settingsSources: [],
    }))
    const started = performance.now()
    const result = await runCheck(endpoints, {now: new Date(), warnDays: 30, timeoutSeconds: 10, deadlineSeconds: 0.5, concurrency: 2, extraRoots: []})
    const ms = performance.now() - started
    expect(ms).toBeLessThan(2500)
    expect(result.endpoints.map((r) => r.findings.map((f) => f.code))).toEqual(Array.from({length: 6}, () => ['deadline-exceeded']))
    expect(result.endpoints.every((r) => r.status === 'error')).toBe(true)
    expect(result.deadline?.seconds).toBe(0.5)
    expect(result.deadline?.cut.map((e) => e.host)).toEqual(endpoints.map((e) => e.target.host))
    // The first two were cut during their greeting, the rest before they started.
    expect(result.endpoints[0]!.findings[0]!.message).toMatch(/--deadline ran out during greeting/)
    expect(result.endpoints[5]!.findings[0]!.message).toMatch(/--deadline ran out before its probe started/)
  })

  it('without --deadline nothing is cut and no deadline key appears', async () => {
    const silent = await startSilentServer()
    servers.push(silent)
    const result = await runCheck([{target: {host: 'a.example.test', port: silent.port, protocol: 'smtp', security: 'starttls', address: '127.0.0.1'}, settingsSources: []}], {now: new Date(), warnDays: 30, timeoutSeconds: 0.3, extraRoots: []})
    expect(result.endpoints[0]!.findings.map((f) => f.code)).toEqual(['timeout'])
    expect(result.deadline).toBeUndefined()
  })
})
