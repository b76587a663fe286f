/**
 * The probe against hostile and misconfigured servers: each case asserts the exact finding code and
 * that the probe returns within its time bound.
 */
import {describe, expect, it} from 'vitest'

import type {ProbeEvidence} from '../../../src/core/net/evidence.js'
import {probe} from '../../../src/core/net/probe.js'
import {
  startDropAfterCommandServer,
  startEndlessReplyServer,
  startHandshakeCloserServer,
  startHugeLineServer,
  startSilentServer,
  startSlamServer,
} from '../../servers/hostile.js'
import {LEGACY_TLS10, LEGACY_TLS11} from '../../servers/mail-server.js'
import {refusedPort} from '../../servers/tracked-server.js'
import {chain, closeLater, mailServer, target} from './fixtures.js'

const PHASE = 400
// Generous: the full suite runs files in parallel on 2 cores; a probe that waited for a phase limit it
// should not have waited for still fails these bounds.
const SLACK = 600
/** For failures that must come at once: a phase limit far above the bound asserted. */
const LONG = {phaseTimeoutMs: 5000}
const QUICK_MS = 2500

function codes(evidence: ProbeEvidence): string[] {
  return evidence.findings.map((f) => f.code)
}

async function timed<T>(work: () => Promise<T>): Promise<{result: T; ms: number}> {
  const start = performance.now()
  const result = await work()
  return {result, ms: performance.now() - start}
}

describe('probe: hostile servers', () => {
  it('a server that never greets costs one phase limit → timeout (greeting)', async () => {
    const server = closeLater(await startSilentServer())
    for (const protocol of ['imap', 'smtp'] as const) {
      const {result, ms} = await timed(() => probe(target(server.port, protocol, 'starttls'), {phaseTimeoutMs: PHASE}))
      expect(codes(result)).toEqual(['timeout'])
      expect(result.findings[0]!.message).toMatch(/within 400 ms during greeting/)
      expect(ms).toBeGreaterThanOrEqual(PHASE - 5)
      expect(ms).toBeLessThan(PHASE + SLACK)
    }
  })

  it('a silent server on an implicit-TLS port → timeout (TLS handshake)', async () => {
    const server = closeLater(await startSilentServer())
    const {result, ms} = await timed(() => probe(target(server.port, 'imap', 'ssl'), {phaseTimeoutMs: PHASE}))
    expect(codes(result)).toEqual(['timeout'])
    expect(result.findings[0]!.message).toMatch(/during TLS handshake/)
    expect(ms).toBeLessThan(PHASE + SLACK)
  })

  it('the overall deadline bounds a probe whose phases each stay just under the limit', async () => {
    const server = await mailServer({protocol: 'smtp', mode: 'starttls', greetingDelayMs: 300})
    const {result, ms} = await timed(() => probe(target(server.port, 'smtp', 'starttls'), {phaseTimeoutMs: 1000, deadlineMs: 150}))
    expect(codes(result)).toEqual(['timeout'])
    expect(result.findings[0]!.message).toMatch(/overall deadline ran out during greeting/)
    expect(ms).toBeLessThan(150 + SLACK)
  })

  it('an endless multi-line reply → protocol-error, quickly and bounded', async () => {
    const server = closeLater(await startEndlessReplyServer({greeting: '', line: '220-spam spam spam\r\n'}))
    const {result, ms} = await timed(() => probe(target(server.port, 'smtp', 'starttls'), LONG))
    expect(codes(result)).toEqual(['protocol-error'])
    expect(result.findings[0]!.message).toMatch(/more than 1000 lines|exceeded 65536 bytes/)
    expect(ms).toBeLessThan(QUICK_MS)
  })

  it('an endless CAPABILITY reply → protocol-error', async () => {
    const server = closeLater(
      await startEndlessReplyServer({greeting: '* OK hello\r\n', line: '* CAPABILITY IMAP4rev1 STARTTLS\r\n', afterFirstCommand: true}),
    )
    const result = await probe(target(server.port, 'imap', 'starttls'), {phaseTimeoutMs: 2000})
    expect(codes(result)).toEqual(['protocol-error'])
    expect(result.findings[0]!.message).toMatch(/CAPABILITY before TLS/)
  })

  it('a 1 MiB line without a line end → protocol-error naming the limit, control characters escaped', async () => {
    const server = closeLater(await startHugeLineServer({prefix: '+OK \u0001\u001b[31m'}))
    const {result, ms} = await timed(() => probe(target(server.port, 'pop3', 'starttls'), LONG))
    expect(codes(result)).toEqual(['protocol-error'])
    const message = result.findings[0]!.message
    expect(message).toMatch(/longer than 8192 bytes/)
    expect(message).toContain('+OK \\x01\\x1b[31mAAAA')
    expect([...message].some((ch) => ch.charCodeAt(0) < 0x20)).toBe(false)
    expect(message.length).toBeLessThan(400)
    expect(ms).toBeLessThan(QUICK_MS)
  })

  // Decision: a connection cut during the TLS handshake without an alert is tls-handshake-dropped (TCP worked; TLS did not).
  it('a close in the middle of the TLS handshake → tls-handshake-dropped', async () => {
    for (const sendPartialRecord of [false, true]) {
      const server = closeLater(await startHandshakeCloserServer({sendPartialRecord}))
      const {result, ms} = await timed(() => probe(target(server.port, 'imap', 'ssl'), LONG))
      expect(codes(result)).toEqual(['tls-handshake-dropped'])
      expect(result.findings[0]!.message).toMatch(/IMAP mail.example.test:\d+ \(at 127.0.0.1\) closed the connection during the TLS handshake/)
      expect(ms).toBeLessThan(QUICK_MS)
    }
  })

  it('a refused port → connection-failed naming ECONNREFUSED and the iPhone alert (incoming: Cannot Get Mail; outgoing: Cannot Send Mail)', async () => {
    const port = await refusedPort()
    const incoming = await probe(target(port, 'imap', 'ssl'), LONG)
    expect(codes(incoming)).toEqual(['connection-failed'])
    expect(incoming.findings[0]!.message).toContain('iPhones show "Cannot Get Mail: The connection to the server failed."')
    const {result, ms} = await timed(() => probe(target(port, 'smtp', 'ssl'), LONG))
    expect(codes(result)).toEqual(['connection-failed'])
    const f = result.findings[0]!
    expect(f.message).toMatch(/ECONNREFUSED/)
    expect(f.message).toContain('iPhones show "Cannot Send Mail: The connection to the outgoing server \u201cmail.example.test\u201d failed."')
    expect(f.endpoint).toEqual({host: 'mail.example.test', port, protocol: 'smtp', security: 'ssl', address: '127.0.0.1'})
    expect(f.severity).toBe('error')
    expect(ms).toBeLessThan(QUICK_MS)
  })

  it('a server that closes right after a command → protocol-error (closed mid-dialog)', async () => {
    const server = closeLater(await startDropAfterCommandServer({greeting: '+OK hi\r\n'}))
    const result = await probe(target(server.port, 'pop3', 'starttls'), {phaseTimeoutMs: 2000})
    expect(codes(result)).toEqual(['protocol-error'])
    expect(result.findings[0]!.message).toMatch(/closed the connection in the middle of the dialog, during CAPA before TLS/)
  })

  it('a server that closes without a word → connection-failed (STARTTLS) / tls-handshake-dropped (implicit TLS)', async () => {
    const server = closeLater(await startSlamServer())
    const plain = await probe(target(server.port, 'imap', 'starttls'), {phaseTimeoutMs: 2000})
    expect(codes(plain)).toEqual(['connection-failed'])
    expect(plain.findings[0]!.message).toMatch(/closed the connection without sending anything/)
    const tls = await probe(target(server.port, 'imap', 'ssl'), {phaseTimeoutMs: 2000})
    expect(codes(tls)).toEqual(['tls-handshake-dropped'])
  })

  it('a garbled greeting → protocol-error quoting it', async () => {
    const server = closeLater(await startDropAfterCommandServer({greeting: 'HTTP/1.1 400 Bad Request\r\n'}))
    const result = await probe(target(server.port, 'imap', 'starttls'), {phaseTimeoutMs: 2000})
    expect(codes(result)).toEqual(['protocol-error'])
    expect(result.findings[0]!.message).toContain('expected an IMAP greeting ("* OK …"), got "HTTP/1.1 400 Bad Request"')
  })
})

describe('probe: misconfigured servers', () => {
  it('plaintext on the implicit-TLS port → tls-mode-mismatch, then carries on with STARTTLS', async () => {
    for (const protocol of ['imap', 'pop3', 'smtp'] as const) {
      const server = await mailServer({protocol, mode: 'starttls'})
      const {result, ms} = await timed(() => probe(target(server.port, protocol, 'ssl'), LONG))
      expect(codes(result)).toEqual(['tls-mode-mismatch'])
      expect(result.findings[0]!.message).toMatch(/The settings say implicit TLS \(SSL\).*greets in plaintext \("(\* OK|\+OK|220) /)
      expect(result.findings[0]!.fix).toMatch(/STARTTLS/)
      expect(result.chain).toHaveLength(2)
      expect(ms).toBeLessThan(QUICK_MS)
    }
  })

  it('TLS on the STARTTLS port → tls-mode-mismatch within one phase limit, chain still collected', async () => {
    for (const protocol of ['imap', 'pop3', 'smtp'] as const) {
      const server = await mailServer({protocol, mode: 'implicit'})
      const {result, ms} = await timed(() => probe(target(server.port, protocol, 'starttls'), {phaseTimeoutMs: PHASE}))
      expect(codes(result)).toEqual(['tls-mode-mismatch'])
      expect(result.findings[0]!.message).toMatch(/The settings say STARTTLS.*implicit TLS/)
      expect(result.findings[0]!.fix).toMatch(/security: ssl/)
      expect(result.chain.map((c) => c.toString('hex'))).toEqual([chain.leaf.der.toString('hex'), chain.intermediate.der.toString('hex')])
      expect(result.capabilities?.length).toBeGreaterThan(0)
      expect(ms).toBeLessThan(PHASE + SLACK)
    }
  })

  it('STARTTLS not advertised → starttls-unavailable, no STARTTLS sent, polite goodbye', async () => {
    const server = await mailServer({protocol: 'imap', mode: 'starttls', advertiseStarttls: false})
    const result = await probe(target(server.port, 'imap', 'starttls'), {phaseTimeoutMs: 2000})
    expect(codes(result)).toEqual(['starttls-unavailable'])
    expect(result.findings[0]!.message).toMatch(/does not advertise STARTTLS/)
    expect(result.tls).toBeUndefined()
    expect(result.chain).toEqual([])
    await new Promise((r) => setTimeout(r, 100))
    expect(server.commands).toEqual(['mp1 CAPABILITY', 'mp2 LOGOUT'])
  })

  it('STARTTLS advertised but refused → starttls-unavailable quoting the reply', async () => {
    for (const protocol of ['imap', 'pop3', 'smtp'] as const) {
      const server = await mailServer({protocol, mode: 'starttls', refuseStarttls: true})
      const result = await probe(target(server.port, protocol, 'starttls'), {phaseTimeoutMs: 2000})
      expect(codes(result)).toEqual(['starttls-unavailable'])
      expect(result.findings[0]!.message).toMatch(/answered (STARTTLS|STLS) with .*(NO|-ERR|454)/)
    }
  })

  it('SMTP without AUTH after TLS → smtp-auth-unavailable naming the iPhone alert', async () => {
    for (const mode of ['implicit', 'starttls'] as const) {
      const server = await mailServer({protocol: 'smtp', mode, authAfterTls: []})
      const result = await probe(target(server.port, 'smtp', mode === 'implicit' ? 'ssl' : 'starttls'), {phaseTimeoutMs: 2000})
      expect(codes(result)).toEqual(['smtp-auth-unavailable'])
      expect(result.smtpAuthMechanisms).toEqual([])
      expect(result.findings[0]!.message).toContain('Recipient Rejected By Server')
    }
  })

  it('AUTH offered before TLS → auth-before-tls warning', async () => {
    const server = await mailServer({protocol: 'smtp', mode: 'starttls', authBeforeTls: ['PLAIN', 'LOGIN']})
    const result = await probe(target(server.port, 'smtp', 'starttls'), {phaseTimeoutMs: 2000})
    expect(codes(result)).toEqual(['auth-before-tls'])
    expect(result.findings[0]!.severity).toBe('warning')
    expect(result.findings[0]!.message).toMatch(/AUTH PLAIN, AUTH LOGIN/)
    const pop = await mailServer({protocol: 'pop3', mode: 'starttls', authBeforeTls: ['PLAIN']})
    expect(codes(await probe(target(pop.port, 'pop3', 'starttls'), {phaseTimeoutMs: 2000}))).toEqual(['auth-before-tls'])
    const imap = await mailServer({protocol: 'imap', mode: 'starttls', authBeforeTls: ['PLAIN']})
    expect(codes(await probe(target(imap.port, 'imap', 'starttls'), {phaseTimeoutMs: 2000}))).toEqual(['auth-before-tls'])
  })

  it('TLS 1.0-only and TLS 1.1-only servers → legacy-tls-version, dialog still completed', async () => {
    for (const legacy of [LEGACY_TLS10, LEGACY_TLS11]) {
      const server = await mailServer({protocol: 'imap', mode: 'implicit', tls: {key: chain.leaf.keyPem, cert: chain.serverChainPem, ...legacy}})
      const result = await probe(target(server.port, 'imap', 'ssl'), {phaseTimeoutMs: 2000})
      expect(codes(result)).toEqual(['legacy-tls-version'])
      expect(result.tls?.version).toBe(legacy.maxVersion)
      expect(result.findings[0]!.message).toContain(`negotiated ${legacy.maxVersion}`)
      expect(result.capabilities).toContain('IMAP4rev1')
    }
  })

  it('no shared cipher → tls-handshake-failed naming the OpenSSL reason', async () => {
    // The server offers only a NULL cipher, which no client (and not the probe) accepts.
    const server = await mailServer({
      protocol: 'smtp',
      mode: 'implicit',
      tls: {key: chain.leaf.keyPem, cert: chain.serverChainPem, minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2', ciphers: 'NULL-SHA256:@SECLEVEL=0'},
    })
    const result = await probe(target(server.port, 'smtp', 'ssl'), {phaseTimeoutMs: 2000})
    expect(codes(result)).toEqual(['tls-handshake-failed'])
    expect(result.findings[0]!.message).toMatch(/\(ERR_SSL_[A-Z0-9_/]+\)/) // OpenSSL 3.5 names it ERR_SSL_SSL/TLS_ALERT_HANDSHAKE_FAILURE
  })
})
