/**
 * Fixture IMAP, POP3 and SMTP servers for tests: real TCP on 127.0.0.1, real TLS (implicit or
 * STARTTLS), configurable misbehaviour, and a record of everything a client did (every command line
 * received, the SNI name of every TLS handshake, connection counts).
 *
 *   const server = await startMailServer({protocol: 'imap', mode: 'starttls', tls: {key, cert}})
 *   … probe 127.0.0.1:server.port …
 *   expect(server.commands).toContain('a1 CAPABILITY'); await server.close()
 *
 * Misconfigurations a probe should detect:
 * - "plaintext on the TLS port": start with mode 'starttls' and probe it as implicit TLS ('ssl').
 * - "TLS on the STARTTLS port": start with mode 'implicit' and probe it as 'starttls'.
 * - STARTTLS not advertised: advertiseStarttls: false; advertised but refused: refuseStarttls: true.
 * - SMTP submission without AUTH after TLS: authAfterTls: [].
 * - Logins that cannot succeed: loginDisabledAfterTls (IMAP), pop3User: 'never' (POP3), authAfterTls
 *   without the settings' mechanism; password sign-in before TLS: authBeforeTls: ['PLAIN'].
 * - A refusing SMTP service: smtpGreeting: '421 4.3.2 Service not available'.
 * - TLS 1.0 only: tls: {...LEGACY_TLS10, key, cert}.
 */
import type net from 'node:net'
import tls from 'node:tls'

import {imapDialect} from './imap.js'
import {pop3Dialect} from './pop3.js'
import {smtpDialect} from './smtp.js'
import {TrackedServer} from './tracked-server.js'

export type FixtureProtocol = 'imap' | 'pop3' | 'smtp'

export interface FixtureTls {
  /** PEM private key. */
  key: string
  /** PEM certificate chain as the server sends it (leaf first). */
  cert: string
  minVersion?: tls.SecureVersion
  maxVersion?: tls.SecureVersion
  ciphers?: string
  /** Demand a client certificate (CertificateRequest; abort without one), as mutual-TLS set-ups do. */
  requestClientCert?: boolean
}

/** Server TLS settings that allow only TLS 1.0 (what old appliances still run). */
export const LEGACY_TLS10 = {minVersion: 'TLSv1', maxVersion: 'TLSv1', ciphers: 'DEFAULT@SECLEVEL=0'} as const
/** Server TLS settings that allow only TLS 1.1. */
export const LEGACY_TLS11 = {minVersion: 'TLSv1.1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0'} as const

export interface MailServerOptions {
  protocol: FixtureProtocol
  /** 'implicit': TLS handshake first (993/995/465). 'starttls': plaintext greeting, upgrade on request (143/110/587). */
  mode: 'implicit' | 'starttls'
  tls: FixtureTls
  /** Advertise STARTTLS / STLS in plaintext capabilities. Default true. */
  advertiseStarttls?: boolean
  /** Answer the STARTTLS / STLS command with an error. Default false. */
  refuseStarttls?: boolean
  /** SASL mechanisms advertised before TLS (IMAP AUTH=, POP3 SASL, SMTP AUTH). Default none. */
  authBeforeTls?: string[]
  /** SASL mechanisms advertised over TLS. Default ['PLAIN', 'LOGIN']. */
  authAfterTls?: string[]
  /** IMAP: advertise LOGINDISABLED over TLS too (a server behind a TLS-terminating proxy). Default false. */
  loginDisabledAfterTls?: boolean
  /** POP3: when CAPA lists USER — with any SASL mechanism (default), always, or never. */
  pop3User?: 'with-sasl' | 'always' | 'never'
  /** POP3: put an APOP timestamp in the greeting. Default false. */
  apopTimestamp?: boolean
  /** SMTP: the greeting's reply code and text instead of "220 … ready" (e.g. 421 to refuse clients). */
  smtpGreeting?: string
  /** SMTP: send a multi-line 220 greeting. Default false. */
  multilineGreeting?: boolean
  /** Delay before the greeting, ms. Default 0. */
  greetingDelayMs?: number
  /** Host name the server calls itself. Default 'mail.example.test'. */
  hostname?: string
}

/** What a dialect knows about one connection. */
export interface SessionState {
  readonly options: Required<Omit<MailServerOptions, 'tls'>>
  /** True once TLS is up (implicit or after STARTTLS). */
  tls: boolean
}

export interface DialectReply {
  lines: string[]
  /** After writing the lines: start the TLS handshake, or close the connection. */
  then?: 'starttls' | 'close'
}

export interface Dialect {
  greeting(state: SessionState): string[]
  handle(line: string, state: SessionState): DialectReply
}

const DIALECTS: Record<FixtureProtocol, Dialect> = {imap: imapDialect, pop3: pop3Dialect, smtp: smtpDialect}

/** Longest command line the fixture accepts before it drops the connection. */
const MAX_COMMAND_LINE = 8192

export class MailServer extends TrackedServer {
  /** Every command line received, in order, across all connections (without CRLF). */
  readonly commands: string[] = []
  /** The SNI name of every completed TLS handshake (false: the client sent none). */
  readonly servernames: Array<string | false> = []
  /** TLS handshakes completed. */
  handshakes = 0
  readonly options: MailServerOptions
  private readonly secureContext: tls.SecureContext

  constructor(options: MailServerOptions) {
    super((socket) => this.serve(socket))
    this.options = options
    this.secureContext = tls.createSecureContext({
      key: options.tls.key,
      cert: options.tls.cert,
      minVersion: options.tls.minVersion,
      maxVersion: options.tls.maxVersion,
      ciphers: options.tls.ciphers,
    })
  }

  private serve(raw: net.Socket): void {
    const o = this.options
    const state: SessionState = {
      tls: false,
      options: {
        protocol: o.protocol,
        mode: o.mode,
        advertiseStarttls: o.advertiseStarttls ?? true,
        refuseStarttls: o.refuseStarttls ?? false,
        authBeforeTls: o.authBeforeTls ?? [],
        authAfterTls: o.authAfterTls ?? ['PLAIN', 'LOGIN'],
        loginDisabledAfterTls: o.loginDisabledAfterTls ?? false,
        pop3User: o.pop3User ?? 'with-sasl',
        apopTimestamp: o.apopTimestamp ?? false,
        smtpGreeting: o.smtpGreeting ?? '',
        multilineGreeting: o.multilineGreeting ?? false,
        greetingDelayMs: o.greetingDelayMs ?? 0,
        hostname: o.hostname ?? 'mail.example.test',
      },
    }
    const dialect = DIALECTS[o.protocol]
    const greet = (socket: net.Socket): void => {
      const send = (): void => {
        if (!socket.destroyed) socket.write(dialect.greeting(state).map((l) => l + '\r\n').join(''))
      }
      if (state.options.greetingDelayMs > 0) setTimeout(send, state.options.greetingDelayMs).unref()
      else send()
    }
    if (o.mode === 'implicit') {
      this.upgrade(raw, state, (secure) => {
        this.converse(secure, state, dialect)
        greet(secure)
      })
    } else {
      this.converse(raw, state, dialect)
      greet(raw)
    }
  }

  /** Starts a server-side TLS handshake on `socket`; calls `onSecure` when it completes. */
  private upgrade(socket: net.Socket, state: SessionState, onSecure: (secure: tls.TLSSocket) => void): void {
    const demand = this.options.tls.requestClientCert === true
    const secure = new tls.TLSSocket(socket, {isServer: true, secureContext: this.secureContext, requestCert: demand, rejectUnauthorized: demand})
    secure.on('error', () => socket.destroy())
    secure.once('secure', () => {
      this.handshakes++
      this.servernames.push((secure as tls.TLSSocket & {servername?: string | false}).servername ?? false)
      state.tls = true
      onSecure(secure)
    })
  }

  /** Reads command lines from `socket` and answers them with the dialect. */
  private converse(socket: net.Socket, state: SessionState, dialect: Dialect): void {
    let buffer = ''
    const onData = (chunk: Buffer): void => {
      buffer += chunk.toString('latin1')
      let nl: number
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl).replace(/\r$/, '')
        buffer = buffer.slice(nl + 1)
        this.commands.push(line)
        const reply = dialect.handle(line, state)
        if (reply.lines.length > 0) socket.write(reply.lines.map((l) => l + '\r\n').join(''))
        if (reply.then === 'close') {
          socket.end()
          socket.removeListener('data', onData)
          return
        }
        if (reply.then === 'starttls') {
          socket.removeListener('data', onData)
          this.upgrade(socket, state, (secure) => this.converse(secure, state, dialect))
          return
        }
      }
      if (buffer.length > MAX_COMMAND_LINE) socket.destroy()
    }
    socket.on('data', onData)
  }
}

/** Starts a fixture mail server on 127.0.0.1 (random port). Call close() when done. */
export async function startMailServer(options: MailServerOptions): Promise<MailServer> {
  return new MailServer(options).listen()
}

/** True for a command line that carries or starts sending credentials (LOGIN, AUTHENTICATE, AUTH, USER, PASS, APOP). */
export function isCredentialCommand(line: string): boolean {
  return /^(\S+\s+)?(LOGIN|AUTHENTICATE)\b/i.test(line) || /^(AUTH|USER|PASS|APOP)\b/i.test(line)
}
