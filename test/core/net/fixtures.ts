/** Shared setup for the net tests: one test PKI, fixture servers closed after each test. */
import {afterEach, beforeAll} from 'vitest'

import type {ProbeTarget} from '../../../src/core/net/evidence.js'
import {probeSecureContext} from '../../../src/core/net/tls-connect.js'
import {createChain} from '../../helpers/pki.js'
import {type MailServerOptions, startMailServer} from '../../servers/mail-server.js'
import type {TrackedServer} from '../../servers/tracked-server.js'

export const chain = createChain({dnsNames: ['mail.example.test']})
export const serverTls = {key: chain.leaf.keyPem, cert: chain.serverChainPem}

const open: TrackedServer[] = []

// The probe's SecureContext is made once per process; make it before timing anything.
beforeAll(() => {
  probeSecureContext()
})

/** Registers a server to be closed after the current test. */
export function closeLater<T extends TrackedServer>(server: T): T {
  open.push(server)
  return server
}

afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()))
})

/** Starts a fixture mail server (default TLS: leaf + intermediate of `chain`). */
export async function mailServer(options: Omit<MailServerOptions, 'tls'> & {tls?: MailServerOptions['tls']}) {
  return closeLater(await startMailServer({tls: serverTls, ...options}))
}

/** A target on 127.0.0.1 with the host name the certificate covers. */
export function target(port: number, protocol: ProbeTarget['protocol'], security: ProbeTarget['security']): ProbeTarget {
  return {host: 'mail.example.test', address: '127.0.0.1', port, protocol, security}
}

export const FAST = {phaseTimeoutMs: 1000}
