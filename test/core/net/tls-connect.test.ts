/**
 * TLS facts and the chain as sent, over real handshakes with the fixture servers.
 */
import {X509Certificate} from 'node:crypto'
import net from 'node:net'
import tls from 'node:tls'

import {describe, expect, it} from 'vitest'

import {probe} from '../../../src/core/net/probe.js'
import {ProbeFailure} from '../../../src/core/net/failure.js'
import {connectTls, describeConnectError, isLegacyTlsVersion, looksLikeNonTlsReply, peerChain, probeSecureContext, sniFor} from '../../../src/core/net/tls-connect.js'
import {freePort} from '../../helpers/ports.js'
import {createChain, createSelfSigned} from '../../helpers/pki.js'
import {chain, mailServer, target} from './fixtures.js'

const OPTIONS = {phaseTimeoutMs: 2000}
const hex = (ders: Buffer[]): string[] => ders.map((d) => d.toString('hex'))

describe('chain as sent', () => {
  it('a server sending only its leaf yields exactly that one certificate', async () => {
    const server = await mailServer({protocol: 'imap', mode: 'implicit', tls: {key: chain.leaf.keyPem, cert: chain.leafOnlyPem}})
    const result = await probe(target(server.port, 'imap', 'ssl'), OPTIONS)
    expect(hex(result.chain)).toEqual(hex([chain.leaf.der]))
  })

  it('leaf + intermediate yields exactly 2, leaf first; with the root, 3 in order', async () => {
    const two = await mailServer({protocol: 'smtp', mode: 'starttls'})
    expect(hex((await probe(target(two.port, 'smtp', 'starttls'), OPTIONS)).chain)).toEqual(hex([chain.leaf.der, chain.intermediate.der]))
    const three = await mailServer({protocol: 'pop3', mode: 'implicit', tls: {key: chain.leaf.keyPem, cert: chain.fullChainPem}})
    expect(hex((await probe(target(three.port, 'pop3', 'ssl'), OPTIONS)).chain)).toEqual(
      hex([chain.leaf.der, chain.intermediate.der, chain.root.der]),
    )
  })

  it('never adds a root from a CA store (which getPeerCertificate(true) does when the store has the root)', async () => {
    const server = await mailServer({protocol: 'imap', mode: 'implicit'})
    const connectTrustingRoot = () =>
      new Promise<tls.TLSSocket>((resolve, reject) => {
        const s = tls.connect({host: '127.0.0.1', port: server.port, servername: 'mail.example.test', ca: chain.root.pem}, () => resolve(s))
        s.on('error', reject)
      })
    // The hazard: Node's detailed peer certificate completes the chain from the CA store.
    const first = await connectTrustingRoot()
    const detailed: Buffer[] = []
    for (let c = first.getPeerCertificate(true); c?.raw && detailed.length < 5; c = c.issuerCertificate) {
      detailed.push(c.raw)
      if (c.issuerCertificate === c) break
    }
    first.destroy()
    expect(hex(detailed)).toEqual(hex([chain.leaf.der, chain.intermediate.der, chain.root.der]))
    // peerChain reports only what the server sent, even on a connection whose store holds the root.
    const second = await connectTrustingRoot()
    expect(hex(peerChain(second))).toEqual(hex([chain.leaf.der, chain.intermediate.der]))
    second.destroy()
    // And so does the probe.
    const result = await probe(target(server.port, 'imap', 'ssl'), OPTIONS)
    expect(hex(result.chain)).toEqual(hex([chain.leaf.der, chain.intermediate.der]))
  })

  it('a self-signed certificate and an ECDSA chain come back as sent', async () => {
    const self = createSelfSigned({dnsNames: ['mail.example.test']})
    const s1 = await mailServer({protocol: 'imap', mode: 'starttls', tls: {key: self.keyPem, cert: self.pem}})
    expect(hex((await probe(target(s1.port, 'imap', 'starttls'), OPTIONS)).chain)).toEqual(hex([self.der]))

    const ec = createChain({
      label: 'EC',
      root: {key: {type: 'ec', slot: 'ec-root'}},
      intermediate: {key: {type: 'ec', slot: 'ec-int'}},
      leaf: {key: {type: 'ec', slot: 'ec-leaf'}},
    })
    const s2 = await mailServer({protocol: 'smtp', mode: 'implicit', tls: {key: ec.leaf.keyPem, cert: ec.serverChainPem}})
    const result = await probe(target(s2.port, 'smtp', 'ssl'), OPTIONS)
    expect(hex(result.chain)).toEqual(hex([ec.leaf.der, ec.intermediate.der]))
    expect(new X509Certificate(result.chain[0]!).publicKey.asymmetricKeyType).toBe('ec')
  })
})

describe('SNI', () => {
  it('sends the host name as SNI, on implicit TLS and after STARTTLS', async () => {
    for (const mode of ['implicit', 'starttls'] as const) {
      const server = await mailServer({protocol: 'pop3', mode})
      await probe(target(server.port, 'pop3', mode === 'implicit' ? 'ssl' : 'starttls'), OPTIONS)
      expect(server.servernames).toEqual(['mail.example.test'])
    }
  })

  it('sends no SNI when the host is an IP literal', async () => {
    const server = await mailServer({protocol: 'imap', mode: 'implicit'})
    const result = await probe({host: '127.0.0.1', port: server.port, protocol: 'imap', security: 'ssl'}, OPTIONS)
    expect(result.findings).toEqual([])
    expect(server.servernames).toEqual([false])
    expect(sniFor('::1')).toBeUndefined()
    expect(sniFor('[::1]')).toBeUndefined()
    expect(sniFor('mail.example.test')).toBe('mail.example.test')
  })
})

describe('TLS facts', () => {
  it('TLS 1.3: version, IANA cipher name, key exchange group', async () => {
    const server = await mailServer({protocol: 'imap', mode: 'implicit'})
    const result = await probe(target(server.port, 'imap', 'ssl'), OPTIONS)
    const {keyExchange, ...facts} = result.tls!
    expect(facts).toEqual({version: 'TLSv1.3', cipher: expect.stringMatching(/^TLS_AES_|^TLS_CHACHA20_/)})
    // OpenSSL 3.0 (Node 20) negotiates X25519; OpenSSL 3.5 (Node 22, 24) prefers the hybrid
    // X25519MLKEM768, which Node 24 names and Node 22's getEphemeralKeyInfo() cannot (the field is left out).
    if (process.versions.openssl.startsWith('3.0.')) expect(keyExchange).toBe('X25519')
    else expect([undefined, 'X25519MLKEM768']).toContain(keyExchange)
    expect(result.remoteAddress).toBe('127.0.0.1')
  })

  it('TLS 1.2: the standard (IANA) cipher name', async () => {
    const server = await mailServer({protocol: 'smtp', mode: 'starttls', tls: {key: chain.leaf.keyPem, cert: chain.serverChainPem, maxVersion: 'TLSv1.2'}})
    const result = await probe(target(server.port, 'smtp', 'starttls'), OPTIONS)
    expect(result.tls?.version).toBe('TLSv1.2')
    expect(result.tls?.cipher).toMatch(/^TLS_ECDHE_RSA_WITH_/)
    expect(result.tls?.keyExchange).toBeTruthy()
  })

  it('classifies legacy versions and describes connect errors', () => {
    expect(['TLSv1', 'TLSv1.1', 'SSLv3'].map(isLegacyTlsVersion)).toEqual([true, true, true])
    expect(['TLSv1.2', 'TLSv1.3'].map(isLegacyTlsVersion)).toEqual([false, false])
    expect(describeConnectError(Object.assign(new Error('x'), {code: 'ECONNREFUSED'}))).toBe('nothing accepts connections on that port (ECONNREFUSED)')
    expect(describeConnectError(Object.assign(new Error('x'), {code: 'ENOTFOUND'}))).toBe('the host name does not resolve (ENOTFOUND)')
  })
})

describe('connect errors', () => {
  it('an impossible port is a connection failure, not a crash', async () => {
    const result = await probe({host: '127.0.0.1', port: 70000, protocol: 'imap', security: 'ssl'}, OPTIONS)
    expect(result.findings.map((f) => f.code)).toEqual(['connection-failed'])
    expect(result.findings[0]!.message).toMatch(/ERR_SOCKET_BAD_PORT/)
  })
})

describe('connectTls: implicit TLS on one socket', () => {
  const context = probeSecureContext()
  const connect = (port: number, host = 'mail.example.test') => connectTls('127.0.0.1', port, host, context, () => {})

  it('connects, then hands back the session with the chain as sent and the host as SNI', async () => {
    const server = await mailServer({protocol: 'imap', mode: 'implicit'})
    const {connected, secured} = connect(server.port)
    const socket = await connected
    expect(socket.remoteAddress).toBe('127.0.0.1')
    const secure = await secured
    expect(secure).toBe(socket)
    expect(hex(peerChain(secure))).toEqual(hex([chain.leaf.der, chain.intermediate.der]))
    // The greeting comes once the server has the session (and so the SNI it was sent).
    expect(String(await new Promise((resolve) => secure.once('data', resolve)))).toMatch(/^\* OK/)
    secure.destroy()
    expect(server.servernames).toEqual(['mail.example.test'])
  })

  it('a closed port fails the connect step (kind connect, ECONNREFUSED), and the handshake with it', async () => {
    const port = await freePort()
    const {connected, secured} = connect(port)
    const failure = await connected.then(() => undefined, (error: unknown) => error)
    expect(failure).toBeInstanceOf(ProbeFailure)
    expect(failure).toMatchObject({kind: 'connect', errorCode: 'ECONNREFUSED'})
    await expect(secured).rejects.toBe(failure)
  })

  it('a plaintext server fails the handshake (kind tls-handshake, an error that says "not TLS") after the connect step succeeded', async () => {
    const server = net.createServer((socket) => socket.end('* OK IMAP4rev1 ready\r\n'))
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    try {
      const {connected, secured} = connect((server.address() as net.AddressInfo).port)
      await connected
      const failure = await secured.then(() => undefined, (error: unknown) => error as ProbeFailure)
      expect(failure).toMatchObject({kind: 'tls-handshake'})
      expect(looksLikeNonTlsReply(failure!.errorCode)).toBe(true)
    } finally {
      server.close()
    }
  })
})
