/**
 * Logins that can never succeed, judged from what real fixture servers advertise after TLS (over
 * real handshakes), and the auth-before-tls family for all three protocols. Each case asserts the
 * exact code; each good counterpart asserts that nothing is reported. No credentials are ever sent.
 */
import {describe, expect, it} from 'vitest'

import type {ProbeEvidence} from '../../../src/core/net/evidence.js'
import {loginFinding} from '../../../src/core/net/login.js'
import {probe} from '../../../src/core/net/probe.js'
import type {Authentication} from '../../../src/core/settings/model.js'
import {isCredentialCommand, type MailServerOptions} from '../../servers/mail-server.js'
import {mailServer, target} from './fixtures.js'

const OPTIONS = {phaseTimeoutMs: 3000}
type Case = Omit<MailServerOptions, 'tls'>

async function probed(options: Case, security: 'ssl' | 'starttls' = options.mode === 'implicit' ? 'ssl' : 'starttls'): Promise<ProbeEvidence> {
  const server = await mailServer(options)
  const evidence = await probe(target(server.port, options.protocol, security), OPTIONS)
  expect(server.commands.filter(isCredentialCommand)).toEqual([])
  return evidence
}

const loginCode = (e: ProbeEvidence, auth: Authentication) => loginFinding(e, auth)?.code

describe('logins that cannot succeed', () => {
  it('IMAP still advertising LOGINDISABLED after TLS, no AUTH= for a password → imap-login-disabled', async () => {
    for (const mode of ['implicit', 'starttls'] as const) {
      const e = await probed({protocol: 'imap', mode, loginDisabledAfterTls: true, authAfterTls: []})
      expect(e.capabilities).toContain('LOGINDISABLED')
      const f = loginFinding(e, 'password')!
      expect(f.code).toBe('imap-login-disabled')
      expect(f.severity).toBe('error')
      expect(f.message).toMatch(/LOGINDISABLED after TLS/)
      expect(f.endpoint).toMatchObject({port: e.target.port, protocol: 'imap'})
    }
  })

  it('IMAP LOGINDISABLED but AUTH=PLAIN over TLS: a password works (good counterpart)', async () => {
    const e = await probed({protocol: 'imap', mode: 'implicit', loginDisabledAfterTls: true, authAfterTls: ['PLAIN']})
    expect(loginCode(e, 'password')).toBeUndefined()
    // … but CRAM-MD5 does not: the server offers a mechanism, not that one.
    expect(loginCode(e, 'crammd5')).toBe('auth-mechanism-unsupported')
  })

  it('IMAP with LOGIN allowed and no AUTH= at all: a password works, NTLM cannot', async () => {
    const e = await probed({protocol: 'imap', mode: 'implicit', authAfterTls: []})
    expect(loginCode(e, 'password')).toBeUndefined()
    expect(loginCode(e, 'ntlm')).toBe('auth-mechanism-unsupported')
    const withNtlm = await probed({protocol: 'imap', mode: 'implicit', authAfterTls: ['NTLM']})
    expect(loginCode(withNtlm, 'ntlm')).toBeUndefined()
  })

  it('POP3 whose CAPA after STLS lists neither USER nor SASL → pop3-login-unavailable', async () => {
    const e = await probed({protocol: 'pop3', mode: 'starttls', authAfterTls: [], pop3User: 'never'})
    expect(e.capabilities?.length).toBeGreaterThan(0)
    expect(loginCode(e, 'password')).toBe('pop3-login-unavailable')
    expect(loginCode(e, 'crammd5')).toBe('pop3-login-unavailable')
  })

  it('POP3 with only SASL CRAM-MD5 after TLS: a password cannot sign in, CRAM-MD5 can', async () => {
    const e = await probed({protocol: 'pop3', mode: 'implicit', authAfterTls: ['CRAM-MD5'], pop3User: 'never'})
    expect(loginCode(e, 'password')).toBe('pop3-login-unavailable')
    expect(loginCode(e, 'crammd5')).toBeUndefined()
  })

  it('POP3 good counterparts: USER alone, SASL PLAIN alone, APOP for CRAM-MD5', async () => {
    expect(loginCode(await probed({protocol: 'pop3', mode: 'implicit', authAfterTls: [], pop3User: 'always'}), 'password')).toBeUndefined()
    expect(loginCode(await probed({protocol: 'pop3', mode: 'implicit', authAfterTls: ['PLAIN'], pop3User: 'never'}), 'password')).toBeUndefined()
    const apop = await probed({protocol: 'pop3', mode: 'starttls', authAfterTls: [], pop3User: 'always', apopTimestamp: true})
    expect(loginCode(apop, 'crammd5')).toBeUndefined()
  })

  it('SMTP submission offering only CRAM-MD5 to a password account → auth-mechanism-unsupported; no AUTH at all stays smtp-auth-unavailable', async () => {
    const cram = await probed({protocol: 'smtp', mode: 'starttls', authAfterTls: ['CRAM-MD5']})
    expect(cram.findings.map((f) => f.code)).toEqual([])
    const f = loginFinding(cram, 'password')!
    expect(f.code).toBe('auth-mechanism-unsupported')
    expect(f.message).toContain('AUTH CRAM-MD5')
    expect(loginCode(cram, 'crammd5')).toBeUndefined()
    const none = await probed({protocol: 'smtp', mode: 'implicit', authAfterTls: []})
    expect(none.findings.map((f) => f.code)).toEqual(['smtp-auth-unavailable'])
    expect(loginCode(none, 'password')).toBeUndefined()
    // HTTP MD5 Digest needs DIGEST-MD5.
    const digest = await probed({protocol: 'smtp', mode: 'implicit', authAfterTls: ['DIGEST-MD5']})
    expect(loginCode(digest, 'httpmd5')).toBeUndefined()
    expect(loginCode(digest, 'password')).toBe('auth-mechanism-unsupported')
  })

  it('authentication none is never judged', async () => {
    const e = await probed({protocol: 'smtp', mode: 'implicit', authAfterTls: ['CRAM-MD5']})
    expect(loginFinding(e, 'none')).toBeUndefined()
  })
})

describe('auth-before-tls, the same for IMAP, POP3 and SMTP', () => {
  it('password sign-in offered before STARTTLS → auth-before-tls for each protocol', async () => {
    for (const protocol of ['imap', 'pop3', 'smtp'] as const) {
      const e = await probed({protocol, mode: 'starttls', authBeforeTls: ['PLAIN', 'LOGIN']})
      expect(e.findings.map((f) => f.code), protocol).toEqual(['auth-before-tls'])
      expect(e.findings[0]!.severity).toBe('warning')
      expect(e.findings[0]!.message).toMatch(/accepts a password before STARTTLS \(.*AUTH PLAIN/)
    }
  })

  it('POP3 USER before STLS without SASL is a password before TLS too', async () => {
    const e = await probed({protocol: 'pop3', mode: 'starttls', authBeforeTls: [], pop3User: 'always'})
    expect(e.findings.map((f) => f.code)).toEqual(['auth-before-tls'])
    expect(e.findings[0]!.message).toContain('USER/PASS')
  })

  it('good counterparts: nothing offered before TLS (IMAP LOGINDISABLED, no POP3 USER, no SMTP AUTH), or only CRAM-MD5', async () => {
    for (const protocol of ['imap', 'pop3', 'smtp'] as const) {
      const e = await probed({protocol, mode: 'starttls'})
      expect(e.findings.map((f) => f.code), protocol).toEqual([])
      const cram = await probed({protocol, mode: 'starttls', authBeforeTls: ['CRAM-MD5'], pop3User: 'never'})
      expect(cram.findings.map((f) => f.code), `${protocol} CRAM-MD5 before TLS`).toEqual(protocol === 'imap' ? ['auth-before-tls'] : [])
    }
  })
})
