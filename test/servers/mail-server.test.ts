import net from 'node:net'
import tls from 'node:tls'

import {afterEach, describe, expect, it} from 'vitest'

import {createChain} from '../helpers/pki.js'
import {LEGACY_TLS10, type MailServer, startMailServer} from './mail-server.js'

const chain = createChain()
const serverTls = {key: chain.leaf.keyPem, cert: chain.serverChainPem}
let servers: MailServer[] = []
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()))
  servers = []
})

/** A tiny scripted client: reads until `until` matches the accumulated text. */
function reader(socket: net.Socket) {
  let text = ''
  socket.on('data', (c: Buffer) => (text += c.toString('latin1')))
  return {
    async until(re: RegExp): Promise<string> {
      for (let i = 0; i < 200 && !re.test(text); i++) await new Promise((r) => setTimeout(r, 10))
      const out = text
      text = ''
      return out
    },
  }
}

function connectTls(socket: net.Socket | undefined, port: number, options: tls.ConnectionOptions = {}): Promise<tls.TLSSocket> {
  return new Promise((resolve, reject) => {
    const s = tls.connect({host: '127.0.0.1', port, socket, servername: 'mail.example.test', ca: chain.root.pem, ...options}, () => resolve(s))
    s.on('error', reject)
  })
}

describe('fixture mail servers', () => {
  it('IMAP STARTTLS: plaintext capabilities, upgrade, SNI recorded, commands recorded', async () => {
    const server = await startMailServer({protocol: 'imap', mode: 'starttls', tls: serverTls})
    servers.push(server)
    const plain = net.connect(server.port, '127.0.0.1')
    const r = reader(plain)
    expect(await r.until(/\r\n/)).toMatch(/^\* OK /)
    plain.write('a1 CAPABILITY\r\n')
    expect(await r.until(/a1 OK/)).toMatch(/STARTTLS.*LOGINDISABLED/)
    plain.write('a2 STARTTLS\r\n')
    expect(await r.until(/a2 OK/)).toMatch(/a2 OK/)
    plain.removeAllListeners('data')
    const secure = await connectTls(plain, server.port)
    const rs = reader(secure)
    secure.write('a3 CAPABILITY\r\n')
    const caps = await rs.until(/a3 OK/)
    expect(caps).toMatch(/AUTH=PLAIN AUTH=LOGIN/)
    expect(caps).not.toMatch(/STARTTLS/)
    secure.destroy()
    expect(server.servernames).toEqual(['mail.example.test'])
    expect(server.commands).toEqual(['a1 CAPABILITY', 'a2 STARTTLS', 'a3 CAPABILITY'])
  })

  it('SMTP implicit TLS with a multi-line greeting and AUTH; TLS 1.0-only servers negotiate TLSv1', async () => {
    const server = await startMailServer({protocol: 'smtp', mode: 'implicit', tls: serverTls, multilineGreeting: true})
    servers.push(server)
    const secure = await connectTls(undefined, server.port)
    const r = reader(secure)
    expect(await r.until(/^220 /m)).toMatch(/^220-.*\r\n220-.*\r\n220 Ready\r\n$/)
    secure.write('EHLO client.test\r\n')
    expect(await r.until(/^250 /m)).toMatch(/250-AUTH PLAIN LOGIN/)
    secure.destroy()

    const legacy = await startMailServer({protocol: 'pop3', mode: 'implicit', tls: {...serverTls, ...LEGACY_TLS10}})
    servers.push(legacy)
    const old = await connectTls(undefined, legacy.port, {minVersion: 'TLSv1', ciphers: 'DEFAULT@SECLEVEL=0'})
    expect(old.getProtocol()).toBe('TLSv1')
    old.destroy()
  })

  it('POP3: STLS refused when configured, not advertised when disabled', async () => {
    const server = await startMailServer({protocol: 'pop3', mode: 'starttls', tls: serverTls, advertiseStarttls: false})
    servers.push(server)
    const plain = net.connect(server.port, '127.0.0.1')
    const r = reader(plain)
    expect(await r.until(/\r\n/)).toMatch(/^\+OK/)
    plain.write('CAPA\r\n')
    expect(await r.until(/\r\n\.\r\n/)).not.toMatch(/STLS/)
    plain.write('STLS\r\n')
    expect(await r.until(/\r\n/)).toMatch(/^-ERR/)
    plain.destroy()
  })
})
