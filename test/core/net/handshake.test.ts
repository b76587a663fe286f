/**
 * Handshake failures named: a server demanding a client certificate (TLS 1.3 and 1.2), a handshake
 * dropped after the ClientHello, a protocol-version alert, an SMTP 421 greeting — each with its own
 * code, over real handshakes; the generic tls-handshake-failed stays for the rest (no shared cipher).
 */
import {describe, expect, it} from 'vitest'

import {probe} from '../../../src/core/net/probe.js'
import {classifyTlsError} from '../../../src/core/net/tls-connect.js'
import {startAlertServer, startHandshakeCloserServer} from '../../servers/hostile.js'
import {closeLater, mailServer, serverTls, target} from './fixtures.js'

const OPTIONS = {phaseTimeoutMs: 3000}
const codes = (r: {findings: Array<{code: string}>}) => r.findings.map((f) => f.code)

describe('handshake failures named', () => {
  it('a server demanding a client certificate → client-certificate-required (TLS 1.3 and TLS 1.2, implicit TLS and STARTTLS)', async () => {
    for (const maxVersion of ['TLSv1.3', 'TLSv1.2'] as const) {
      for (const [mode, security] of [['implicit', 'ssl'], ['starttls', 'starttls']] as const) {
        const server = await mailServer({protocol: 'imap', mode, tls: {...serverTls, maxVersion, requestClientCert: true}})
        const result = await probe(target(server.port, 'imap', security), OPTIONS)
        expect(codes(result), `${maxVersion} ${mode}`).toEqual(['client-certificate-required'])
        expect(result.findings[0]!.message).toMatch(/demands a client certificate.*Mail clients do not send one/)
      }
    }
  })

  it('the same server without the demand is fine (good counterpart)', async () => {
    const server = await mailServer({protocol: 'imap', mode: 'implicit', tls: {...serverTls, maxVersion: 'TLSv1.2'}})
    expect(codes(await probe(target(server.port, 'imap', 'ssl'), OPTIONS))).toEqual([])
  })

  it('a server that closes after the ClientHello (with or without a partial record) → tls-handshake-dropped', async () => {
    for (const sendPartialRecord of [false, true]) {
      const server = closeLater(await startHandshakeCloserServer({sendPartialRecord}))
      const result = await probe(target(server.port, 'pop3', 'ssl'), OPTIONS)
      expect(codes(result)).toEqual(['tls-handshake-dropped'])
      expect(result.findings[0]!.message).toMatch(/closed the connection during the TLS handshake, after the client's hello, without a TLS alert/)
    }
  })

  it('a protocol_version alert → tls-version-unsupported; a handshake_failure alert before any certificate stays tls-handshake-failed', async () => {
    const version = closeLater(await startAlertServer({alert: 70}))
    expect(codes(await probe(target(version.port, 'smtp', 'ssl'), OPTIONS))).toEqual(['tls-version-unsupported'])
    const failure = closeLater(await startAlertServer({alert: 40}))
    expect(codes(await probe(target(failure.port, 'smtp', 'ssl'), OPTIONS))).toEqual(['tls-handshake-failed'])
  })

  it('no shared cipher (a real TLS 1.2 server with ECDSA-only suites and an RSA key) → tls-handshake-failed, not client-certificate-required', async () => {
    const server = await mailServer({protocol: 'imap', mode: 'implicit', tls: {...serverTls, maxVersion: 'TLSv1.2', ciphers: 'ECDHE-ECDSA-AES128-GCM-SHA256'}})
    expect(codes(await probe(target(server.port, 'imap', 'ssl'), OPTIONS))).toEqual(['tls-handshake-failed'])
  })

  it('an SMTP 421 (or 554) greeting → smtp-greeting-refused; other odd greetings stay protocol-error', async () => {
    for (const greeting of ['421 4.3.2 mail.example.test Service not available, closing channel', '554 5.7.1 No SMTP service here']) {
      const server = await mailServer({protocol: 'smtp', mode: 'starttls', smtpGreeting: greeting})
      const result = await probe(target(server.port, 'smtp', 'starttls'), OPTIONS)
      expect(codes(result)).toEqual(['smtp-greeting-refused'])
      expect(result.findings[0]!.message).toContain(greeting.slice(0, 20))
    }
    const odd = await mailServer({protocol: 'smtp', mode: 'starttls', smtpGreeting: '250 hello?'})
    expect(codes(await probe(target(odd.port, 'smtp', 'starttls'), OPTIONS))).toEqual(['protocol-error'])
    // Over implicit TLS too.
    const tls = await mailServer({protocol: 'smtp', mode: 'implicit', smtpGreeting: '421 too busy'})
    expect(codes(await probe(target(tls.port, 'smtp', 'ssl'), OPTIONS))).toEqual(['smtp-greeting-refused'])
  })

  it('classifies OpenSSL spellings of Node 20, 22 and 24 alike', () => {
    const err = (code: string, reason: string) => Object.assign(new Error(reason), {code, reason})
    expect(classifyTlsError(err('ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED', 'tlsv13 alert certificate required'), false)).toBe('client-certificate')
    expect(classifyTlsError(err('ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE', 'sslv3 alert handshake failure'), true)).toBe('client-certificate')
    expect(classifyTlsError(err('ERR_SSL_SSL/TLS_ALERT_HANDSHAKE_FAILURE', 'ssl/tls alert handshake failure'), true)).toBe('client-certificate')
    expect(classifyTlsError(err('ERR_SSL_SSL/TLS_ALERT_HANDSHAKE_FAILURE', 'ssl/tls alert handshake failure'), false)).toBeUndefined()
    expect(classifyTlsError(err('ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION', 'tlsv1 alert protocol version'), false)).toBe('protocol-version')
    expect(classifyTlsError(err('ECONNRESET', 'Client network socket disconnected before secure TLS connection was established'), false)).toBe('dropped')
    expect(classifyTlsError(undefined, false)).toBe('dropped')
    expect(classifyTlsError(err('ERR_SSL_TLSV1_ALERT_INTERNAL_ERROR', 'tlsv1 alert internal error'), false)).toBeUndefined()
  })
})

