import {describe, expect, it} from 'vitest'

import {probe} from '../../../src/core/net/probe.js'
import {startDropAfterCommandServer} from '../../servers/hostile.js'
import {isCredentialCommand} from '../../servers/mail-server.js'
import {closeLater, mailServer, target} from './fixtures.js'

const OPTIONS = {phaseTimeoutMs: 2000}
const settle = () => new Promise((r) => setTimeout(r, 100))

describe('POP3 dialog', () => {
  it('STARTTLS: greeting, CAPA, STLS, CAPA over TLS, QUIT — never USER/PASS', async () => {
    const server = await mailServer({protocol: 'pop3', mode: 'starttls'})
    const result = await probe(target(server.port, 'pop3', 'starttls'), OPTIONS)
    expect(result.findings).toEqual([])
    expect(result.greeting).toBe('+OK mail.example.test fixture POP3 ready')
    expect(result.plaintextCapabilities).toEqual(['TOP', 'UIDL', 'RESP-CODES', 'PIPELINING', 'STLS'])
    expect(result.capabilities).toEqual(['TOP', 'UIDL', 'RESP-CODES', 'PIPELINING', 'SASL PLAIN LOGIN', 'USER'])
    await settle()
    expect(server.commands).toEqual(['CAPA', 'STLS', 'CAPA', 'QUIT'])
    expect(server.commands.filter(isCredentialCommand)).toEqual([])
  })

  it('a server without CAPA (-ERR) has no capabilities, hence no STLS', async () => {
    const server = closeLater(await startDropAfterCommandServer({greeting: '+OK old pop\r\n', reply: '-ERR unknown command\r\n', closeAfter: 3}))
    const result = await probe(target(server.port, 'pop3', 'starttls'), OPTIONS)
    expect(result.plaintextCapabilities).toEqual([])
    expect(result.findings.map((f) => f.code)).toEqual(['starttls-unavailable'])
    expect(result.findings[0]!.message).toMatch(/does not advertise STLS/)
  })
})
