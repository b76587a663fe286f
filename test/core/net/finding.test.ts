/** Wording of net findings that depends on the case: DNS failures, and who set the TLS mode. */
import {describe, expect, it} from 'vitest'

import {ProbeFailure} from '../../../src/core/net/failure.js'
import {failureFinding} from '../../../src/core/net/finding.js'
import {probe} from '../../../src/core/net/probe.js'
import {mailServer, target} from './fixtures.js'

describe('net findings', () => {
  it('a name that does not resolve: the fix names DNS and --resolve', () => {
    const t = {host: 'mail.example.test', port: 993, protocol: 'imap', security: 'ssl'} as const
    for (const errorCode of ['ENOTFOUND', 'EAI_AGAIN']) {
      const f = failureFinding(t, new ProbeFailure('connect', 'connect', 'the host name does not resolve (ENOTFOUND)', {errorCode}), 1000)
      expect(f.code).toBe('connection-failed')
      expect(f.fix).toMatch(/DNS/)
      expect(f.fix).toContain('--resolve mail.example.test:993:ADDRESS')
    }
    // A refused connection keeps the registry's fix (no DNS talk).
    const refused = failureFinding(t, new ProbeFailure('connect', 'connect', 'nothing accepts connections (ECONNREFUSED)', {errorCode: 'ECONNREFUSED'}), 1000)
    expect(refused.fix).not.toMatch(/DNS|--resolve/)
  })

  it('probe without a settings file does not speak of "the settings"', async () => {
    const plain = await mailServer({protocol: 'imap', mode: 'starttls'})
    const fromFlags = await probe(target(plain.port, 'imap', 'ssl'), {phaseTimeoutMs: 3000, expectation: 'command-line'})
    expect(fromFlags.findings.map((f) => f.code)).toEqual(['tls-mode-mismatch'])
    expect(fromFlags.findings[0]!.message).toMatch(/^Probed as implicit TLS \(SSL\)/)
    expect(fromFlags.findings[0]!.message).not.toMatch(/settings/)
    expect(fromFlags.findings[0]!.fix).toMatch(/--security starttls/)
    const implicit = await mailServer({protocol: 'smtp', mode: 'implicit'})
    const other = await probe(target(implicit.port, 'smtp', 'starttls'), {phaseTimeoutMs: 600, expectation: 'command-line'})
    expect(other.findings[0]!.message).toMatch(/^Probed as STARTTLS/)
    expect(other.findings[0]!.fix).toMatch(/--security ssl/)
  })
})
