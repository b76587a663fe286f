import {PassThrough} from 'node:stream'

import {describe, expect, it} from 'vitest'

import {LineReader} from '../../../src/core/net/line-reader.js'
import {probe} from '../../../src/core/net/probe.js'
import {readSmtpReply, smtpDialog} from '../../../src/core/net/smtp.js'
import {isCredentialCommand} from '../../servers/mail-server.js'
import {mailServer, target} from './fixtures.js'

const OPTIONS = {phaseTimeoutMs: 2000}
const settle = () => new Promise((r) => setTimeout(r, 100))

describe('SMTP dialog', () => {
  it('STARTTLS with a multi-line 220: EHLO, STARTTLS, EHLO, QUIT; AUTH read after TLS only', async () => {
    const server = await mailServer({protocol: 'smtp', mode: 'starttls', multilineGreeting: true, authAfterTls: ['PLAIN', 'LOGIN', 'XOAUTH2']})
    const result = await probe(target(server.port, 'smtp', 'starttls'), {...OPTIONS, ehloName: 'probe.example.test'})
    expect(result.findings).toEqual([])
    expect(result.greeting).toBe('220 mail.example.test ESMTP fixture')
    expect(result.plaintextCapabilities).toContain('STARTTLS')
    expect(result.plaintextCapabilities?.some((c) => c.startsWith('AUTH'))).toBe(false)
    expect(result.smtpAuthMechanisms).toEqual(['PLAIN', 'LOGIN', 'XOAUTH2'])
    await settle()
    expect(server.commands).toEqual(['EHLO probe.example.test', 'STARTTLS', 'EHLO probe.example.test', 'QUIT'])
    expect(server.commands.filter(isCredentialCommand)).toEqual([])
  })

  it('implicit TLS (465): EHLO over TLS, default EHLO name', async () => {
    const server = await mailServer({protocol: 'smtp', mode: 'implicit'})
    const result = await probe(target(server.port, 'smtp', 'ssl'), OPTIONS)
    expect(result.smtpAuthMechanisms).toEqual(['PLAIN', 'LOGIN'])
    await settle()
    expect(server.commands).toEqual(['EHLO mailprofile.invalid', 'QUIT'])
  })

  it('parses replies strictly: multi-line, old AUTH= syntax, mixed codes rejected', async () => {
    const stream = new PassThrough()
    const reader = new LineReader(stream)
    stream.write('250-mx greets\r\n250-AUTH=LOGIN PLAIN\r\n250-AUTH PLAIN CRAM-MD5\r\n250 SIZE\r\n')
    const reply = await readSmtpReply(reader, 'EHLO')
    expect(reply).toEqual({code: 250, lines: ['mx greets', 'AUTH=LOGIN PLAIN', 'AUTH PLAIN CRAM-MD5', 'SIZE']})
    expect(smtpDialog('x').authMechanisms(reply.lines.slice(1))).toEqual(['LOGIN', 'PLAIN', 'CRAM-MD5'])
    stream.write('250-one\r\n354 two\r\n')
    await expect(readSmtpReply(reader, 'EHLO')).rejects.toMatchObject({kind: 'protocol', message: expect.stringMatching(/malformed SMTP reply to EHLO: "354 two"/)})
  })
})
