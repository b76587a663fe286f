/**
 * Probes leave nothing behind: no open sockets, no pending timers, whatever the server did.
 */
import {describe, expect, it} from 'vitest'

import {probe} from '../../../src/core/net/probe.js'
import {startEndlessReplyServer, startHandshakeCloserServer, startSilentServer} from '../../servers/hostile.js'
import {refusedPort} from '../../servers/tracked-server.js'
import {closeLater, mailServer, target} from './fixtures.js'

function count(kind: string): number {
  return process.getActiveResourcesInfo().filter((r) => r === kind).length
}

describe('cleanup', () => {
  it('leaves no sockets or timers after normal, failed and timed-out probes', async () => {
    const servers = [
      await mailServer({protocol: 'imap', mode: 'starttls'}),
      await mailServer({protocol: 'smtp', mode: 'implicit'}),
      await mailServer({protocol: 'pop3', mode: 'implicit'}), // probed as STARTTLS: mode mismatch detection
      closeLater(await startSilentServer()),
      closeLater(await startEndlessReplyServer({greeting: '', line: '* OK endless\r\n'})),
      closeLater(await startHandshakeCloserServer()),
    ]
    const refused = await refusedPort()
    const sockets = count('TCPSocketWrap')
    const timers = count('Timeout')
    const results = await Promise.all([
      probe(target(servers[0]!.port, 'imap', 'starttls'), {phaseTimeoutMs: 1000}),
      probe(target(servers[1]!.port, 'smtp', 'ssl'), {phaseTimeoutMs: 1000}),
      probe(target(servers[2]!.port, 'pop3', 'starttls'), {phaseTimeoutMs: 300}),
      probe(target(servers[3]!.port, 'imap', 'starttls'), {phaseTimeoutMs: 300}),
      probe(target(servers[4]!.port, 'imap', 'starttls'), {phaseTimeoutMs: 1000}),
      probe(target(servers[5]!.port, 'imap', 'ssl'), {phaseTimeoutMs: 1000}),
      probe(target(refused, 'imap', 'ssl'), {phaseTimeoutMs: 1000}),
    ])
    expect(results.map((r) => r.findings.map((f) => f.code).join() || 'ok')).toEqual([
      'ok',
      'ok',
      'tls-mode-mismatch',
      'timeout',
      'protocol-error',
      'tls-handshake-dropped',
      'connection-failed',
    ])
    // Polite goodbyes may keep a socket for up to 250 ms after the probe returned.
    await new Promise((r) => setTimeout(r, 400))
    // The servers' own sockets close once the probe's side is gone.
    for (const s of servers) expect(s.active).toBe(0)
    expect(count('TCPSocketWrap')).toBeLessThanOrEqual(sockets)
    expect(count('Timeout')).toBeLessThanOrEqual(timers)
  })
})
