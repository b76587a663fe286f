import {describe, expect, it} from 'vitest'

import {probe} from '../../../src/core/net/probe.js'
import {isCredentialCommand} from '../../servers/mail-server.js'
import {mailServer, target} from './fixtures.js'

const OPTIONS = {phaseTimeoutMs: 2000}
const settle = () => new Promise((r) => setTimeout(r, 100))

describe('IMAP dialog', () => {
  it('STARTTLS: greeting, CAPABILITY, STARTTLS, CAPABILITY over TLS, LOGOUT — and nothing else', async () => {
    const server = await mailServer({protocol: 'imap', mode: 'starttls'})
    const result = await probe(target(server.port, 'imap', 'starttls'), OPTIONS)
    expect(result.findings).toEqual([])
    expect(result.greeting).toBe('* OK mail.example.test fixture IMAP ready')
    expect(result.plaintextCapabilities).toEqual(['IMAP4rev1', 'LITERAL+', 'SASL-IR', 'ID', 'IDLE', 'STARTTLS', 'LOGINDISABLED'])
    expect(result.capabilities).toEqual(['IMAP4rev1', 'LITERAL+', 'SASL-IR', 'ID', 'IDLE', 'AUTH=PLAIN', 'AUTH=LOGIN'])
    expect(result.smtpAuthMechanisms).toBeUndefined()
    await settle()
    expect(server.commands).toEqual(['mp1 CAPABILITY', 'mp2 STARTTLS', 'mp3 CAPABILITY', 'mp4 LOGOUT'])
    expect(server.commands.filter(isCredentialCommand)).toEqual([])
    expect(server.active).toBe(0)
  })

  it('implicit TLS: greeting and CAPABILITY over TLS, no plaintext capabilities', async () => {
    const server = await mailServer({protocol: 'imap', mode: 'implicit', authAfterTls: ['PLAIN', 'XOAUTH2']})
    const result = await probe(target(server.port, 'imap', 'ssl'), OPTIONS)
    expect(result.findings).toEqual([])
    expect(result.plaintextCapabilities).toBeUndefined()
    expect(result.capabilities).toContain('AUTH=XOAUTH2')
    await settle()
    expect(server.commands).toEqual(['mp1 CAPABILITY', 'mp2 LOGOUT'])
  })
})
