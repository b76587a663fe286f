/**
 * TCP connect, implicit TLS and STARTTLS upgrades, and what a TLS session shows: the chain as the
 * server sent it and the negotiated version, cipher and key exchange.
 *
 * The probe accepts any certificate (rejectUnauthorized: false): judging certificates is the
 * certificate policy's job (src/core/x509), which needs the chain exactly as sent. Node's
 * getPeerCertificate(true) completes a chain that does not end in a self-signed root with an issuer
 * from the connection's CA store. The probe reads the chain through getPeerX509Certificate(), which
 * does not, and, as a second guard, its SecureContext has an empty CA store (`ca: []`: neither
 * Node's bundled roots nor NODE_EXTRA_CA_CERTS). Adding even one `ca` certificate would make Node
 * first build its process-wide root store, which the probe never uses: parsing the bundled roots
 * cost Node 20's OpenSSL 3.0 ~20-30 ms, and a system-sized NODE_EXTRA_CA_CERTS ~10 ms on 22 and 24.
 * The context also allows TLS 1.0–1.3 at OpenSSL security level 0, so legacy servers can be
 * detected (and reported) rather than merely failing.
 */
import type {X509Certificate} from 'node:crypto'
import net from 'node:net'
import tls from 'node:tls'

import {ipLiteralVersion} from '../mail/host.js'
import {MAX_CHAIN_CERTIFICATES} from '../x509/chain.js'
import {errorCodeOf, type HandshakeCause, ProbeFailure} from './failure.js'

let context: tls.SecureContext | undefined

/** The one SecureContext every probe in this process uses. */
export function probeSecureContext(): tls.SecureContext {
  context ??= tls.createSecureContext({
    ca: [],
    minVersion: 'TLSv1',
    maxVersion: 'TLSv1.3',
    ciphers: 'DEFAULT@SECLEVEL=0',
  })
  return context
}

const CONNECT_CAUSES: Record<string, string> = {
  ECONNREFUSED: 'nothing accepts connections on that port',
  ENOTFOUND: 'the host name does not resolve',
  EAI_AGAIN: 'the DNS lookup failed temporarily',
  EAI_FAIL: 'the DNS lookup failed',
  ECONNRESET: 'the connection was reset',
  EHOSTUNREACH: 'there is no route to the host',
  ENETUNREACH: 'the network is unreachable',
  ETIMEDOUT: 'the operating system gave up connecting',
  EADDRNOTAVAIL: 'the address is not available',
}

/** A short cause for a connect error: "nothing accepts connections on that port (ECONNREFUSED)". */
export function describeConnectError(error: unknown): string {
  const code = errorCodeOf(error)
  if (code && CONNECT_CAUSES[code]) return `${CONNECT_CAUSES[code]} (${code})`
  return code ? `${(error as Error).message} (${code})` : String((error as Error)?.message ?? error)
}

/**
 * Opens a TCP connection. `track` receives the socket at once, so the caller can destroy it on
 * timeout. Rejects with a ProbeFailure of kind 'connect'.
 */
export function connectTcp(address: string, port: number, track: (socket: net.Socket) => void): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    let socket: net.Socket
    try {
      socket = net.connect({host: address, port, noDelay: true})
    } catch (error) {
      // e.g. ERR_SOCKET_BAD_PORT: thrown before any connection attempt
      reject(new ProbeFailure('connect', 'connect', describeConnectError(error), {errorCode: errorCodeOf(error)}))
      return
    }
    track(socket)
    const onError = (error: Error): void => {
      socket.removeListener('connect', onConnect)
      reject(new ProbeFailure('connect', 'connect', describeConnectError(error), {errorCode: errorCodeOf(error)}))
    }
    const onConnect = (): void => {
      socket.removeListener('error', onError)
      socket.on('error', () => {}) // later errors surface through the reader or TLS layer
      resolve(socket)
    }
    socket.once('error', onError)
    socket.once('connect', onConnect)
  })
}

/** The SNI name for `host`: the host itself, or undefined for an IP literal (RFC 6066 forbids IPs in SNI). */
export function sniFor(host: string): string | undefined {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host
  return ipLiteralVersion(bare) === 0 ? host : undefined
}

/** A short cause for a TLS error: the OpenSSL reason and code when known. */
export function describeTlsError(error: unknown): string {
  const e = error as {reason?: unknown; message?: unknown; code?: unknown}
  const code = errorCodeOf(error)
  const reason = typeof e.reason === 'string' ? e.reason : String(e.message ?? error)
  return code ? `${reason} (${code})` : reason
}

/** The options of every client handshake of a probe: SNI for the host, the probe's context, any certificate accepted (judged later). */
function handshakeOptions(host: string, context: tls.SecureContext): tls.ConnectionOptions {
  return {servername: sniFor(host), secureContext: context, rejectUnauthorized: false, minDHSize: 512}
}

/**
 * Runs a client TLS handshake over an open TCP socket (implicit TLS, or after STARTTLS).
 * Rejects with a ProbeFailure of kind 'tls-handshake'.
 */
export function startTls(
  socket: net.Socket,
  host: string,
  context: tls.SecureContext,
  track: (socket: tls.TLSSocket) => void,
): Promise<tls.TLSSocket> {
  return new Promise((resolve, reject) => {
    const secure = tls.connect({socket, ...handshakeOptions(host, context)})
    track(secure)
    settleHandshake(secure, resolve, reject)
  })
}

/**
 * Implicit TLS on one socket: the TCP connection and the same client handshake as connectTcp
 * followed by startTls, without a second socket object and stream per connection. `connected`
 * resolves once the TCP connection is up and rejects with a ProbeFailure of kind 'connect' (as
 * connectTcp does) with the socket; `secured` resolves once the handshake is done and rejects with the connect
 * failure or a ProbeFailure of kind 'tls-handshake' (as startTls does). `track` receives the
 * socket at once, so the caller can destroy it on timeout.
 */
export function connectTls(
  address: string,
  port: number,
  host: string,
  context: tls.SecureContext,
  track: (socket: tls.TLSSocket) => void,
): {connected: Promise<tls.TLSSocket>; secured: Promise<tls.TLSSocket>} {
  let connectedNow: (secure: tls.TLSSocket) => void = () => {}
  let connectFailed: (failure: ProbeFailure) => void = () => {}
  const connected = new Promise<tls.TLSSocket>((resolve, reject) => {
    connectedNow = resolve
    connectFailed = reject
  })
  const secured = new Promise<tls.TLSSocket>((resolve, reject) => {
    const refuse = (error: unknown): void => {
      const failure = new ProbeFailure('connect', 'connect', describeConnectError(error), {errorCode: errorCodeOf(error)})
      connectFailed(failure)
      reject(failure)
    }
    let secure: tls.TLSSocket
    try {
      secure = tls.connect({host: address, port, ...handshakeOptions(host, context)})
    } catch (error) {
      // e.g. ERR_SOCKET_BAD_PORT: thrown before any connection attempt
      refuse(error)
      return
    }
    track(secure)
    secure.on('error', () => {}) // every error is handled by the once-listeners below; none may go unhandled after them
    let tcpUp = false
    const onTcpError = (error: Error): void => refuse(error)
    secure.once('error', onTcpError)
    secure.once('connect', () => {
      tcpUp = true
      secure.setNoDelay(true)
      secure.removeListener('error', onTcpError)
      connectedNow(secure)
      settleHandshake(secure, resolve, reject)
    })
    // Closed (destroyed on timeout) before the TCP connection was up: the connect phase's clock reports it.
    secure.once('close', () => {
      if (!tcpUp) refuse(Object.assign(new Error('the connection closed before it was established'), {code: 'ECONNRESET'}))
    })
  })
  connected.catch(() => {})
  secured.catch(() => {})
  return {connected, secured}
}

/** Resolves with the socket on secureConnect; rejects with a 'tls-handshake' ProbeFailure on an error or a close before it. */
function settleHandshake(secure: tls.TLSSocket, resolve: (secure: tls.TLSSocket) => void, reject: (failure: ProbeFailure) => void): void {
  const fail = (error: Error | undefined): void => {
    cleanup()
    const message = error ? describeTlsError(error) : 'the connection closed before the handshake completed'
    // Whether the server's Certificate message arrived before the failure (TLS 1.2 sends it in clear).
    let certificateSeen = false
    try {
      certificateSeen = secure.getPeerX509Certificate() !== undefined
    } catch {
      certificateSeen = false
    }
    const cause = classifyTlsError(error, certificateSeen)
    reject(new ProbeFailure('tls-handshake', 'TLS handshake', message, {errorCode: errorCodeOf(error), ...(cause ? {handshakeCause: cause} : {})}))
  }
  const onError = (error: Error): void => fail(error)
  const onClose = (): void => fail(undefined)
  const onSecure = (): void => {
    cleanup()
    secure.on('error', () => {}) // later errors surface through the line reader
    resolve(secure)
  }
  const cleanup = (): void => {
    secure.removeListener('error', onError)
    secure.removeListener('close', onClose)
    secure.removeListener('secureConnect', onSecure)
  }
  secure.once('error', onError)
  secure.once('close', onClose)
  secure.once('secureConnect', onSecure)
}

/**
 * Names the handshake failures a mail admin can act on. OpenSSL spells alerts differently across
 * versions (Node 20: ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE, "sslv3 alert handshake failure"; newer
 * OpenSSL: "ssl/tls alert handshake failure"), so code and reason are matched on the alert's name.
 * - client-certificate: the TLS 1.3 alert certificate_required (116), or in TLS 1.2 the alert
 *   handshake_failure (40) after the server had sent its certificate — a server that does not like
 *   the ClientHello answers before its Certificate; one that asked for a client certificate
 *   (CertificateRequest) and got an empty Certificate message aborts after it.
 * - protocol-version: the alert protocol_version (70), or OpenSSL refusing every version offered.
 * - dropped: the connection closed or was reset during the handshake with no alert at all.
 */
export function classifyTlsError(error: Error | undefined, certificateSeen: boolean): HandshakeCause | undefined {
  const code = errorCodeOf(error) ?? ''
  const text = `${code} ${(error as {reason?: unknown} | undefined)?.reason ?? ''} ${error?.message ?? ''}`.toLowerCase().replaceAll('_', ' ')
  if (/certificate required/.test(text)) return 'client-certificate'
  if (/alert handshake failure/.test(text) && certificateSeen) return 'client-certificate'
  if (/alert protocol version|unsupported protocol|no protocols available|version too low|version too high/.test(text)) return 'protocol-version'
  if (/alert/.test(text)) return undefined
  if (!error || code === 'ECONNRESET' || code === 'EPIPE' || /socket disconnected|socket hang up/.test(text)) return 'dropped'
  return undefined
}

/**
 * Longest chain the probe reports: one more than certificate policy judges, so that a server
 * sending too many is reported as such (`chain-too-long`) rather than as missing its issuer.
 */
const MAX_CHAIN = MAX_CHAIN_CERTIFICATES + 1

/**
 * The certificates the server sent, leaf first, as DER: the leaf, then each certificate's issuer
 * among the certificates the server sent, until none is found or one repeats (a self-signed root).
 * Uses getPeerX509Certificate(), which links issuers from the peer's chain only and costs a fraction
 * of getPeerCertificate(true) (which builds a detailed object per certificate and completes the chain
 * from the context's CA store).
 */
export function peerChain(secure: tls.TLSSocket): Buffer[] {
  const chain: Buffer[] = []
  let cert: X509Certificate | undefined = secure.getPeerX509Certificate()
  while (cert && chain.length < MAX_CHAIN) {
    const raw = cert.raw
    if (chain.some((c) => c.equals(raw))) break
    chain.push(raw)
    cert = cert.issuerCertificate
  }
  return chain
}

export interface NegotiatedTls {
  version: string
  cipher: string
  keyExchange?: string
}

/** Version, cipher and ephemeral key of an established session. */
export function negotiatedTls(secure: tls.TLSSocket): NegotiatedTls {
  const cipher = secure.getCipher() as tls.CipherNameAndProtocol & {standardName?: string}
  const eph = secure.getEphemeralKeyInfo() as {type?: string; name?: string; size?: number} | null
  let keyExchange: string | undefined
  if (eph && eph.type) keyExchange = eph.name ?? (eph.size ? `${eph.type} ${eph.size}` : eph.type)
  return {
    version: secure.getProtocol() ?? 'unknown',
    cipher: cipher?.standardName || cipher?.name || 'unknown',
    ...(keyExchange ? {keyExchange} : {}),
  }
}

/** Versions Apple (iOS 15+, macOS 12+) and current Outlook refuse. */
export function isLegacyTlsVersion(version: string): boolean {
  return version === 'TLSv1' || version === 'TLSv1.1' || version === 'SSLv3' || version === 'SSLv2'
}

/** OpenSSL errors a client sees when the "TLS" server answered in plaintext (or anything not TLS). */
export function looksLikeNonTlsReply(errorCode: string | undefined): boolean {
  return (
    errorCode === 'ERR_SSL_WRONG_VERSION_NUMBER' ||
    errorCode === 'ERR_SSL_PACKET_LENGTH_TOO_LONG' ||
    errorCode === 'ERR_SSL_UNKNOWN_PROTOCOL' ||
    errorCode === 'ERR_SSL_HTTP_REQUEST' ||
    errorCode === 'ERR_SSL_RECORD_LAYER_FAILURE' ||
    errorCode === 'ERR_SSL_UNEXPECTED_RECORD'
  )
}
