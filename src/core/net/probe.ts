/**
 * Probes one mail endpoint: connect, (implicit TLS | greeting, capabilities, STARTTLS), TLS facts
 * and the chain as sent, capabilities over TLS, polite goodbye. Every phase is bounded by
 * `phaseTimeoutMs` and the whole probe by its deadline; every socket is destroyed at the end.
 * Failures become findings (see finding.ts); probe() itself never rejects for network reasons.
 *
 * Misconfigured TLS modes are detected, not just reported as failures:
 * - implicit TLS expected, the TLS handshake fails with a "not TLS" error: a second connection
 *   reads the greeting; a plaintext mail greeting means tls-mode-mismatch, and the probe carries on
 *   with STARTTLS so the certificate can still be checked.
 * - STARTTLS expected, no greeting after half the phase limit: a second connection tries a TLS
 *   handshake; if it succeeds the port runs implicit TLS (tls-mode-mismatch) and the probe carries
 *   on over TLS. A server that never answers still costs at most one phase limit.
 */
import type net from 'node:net'
import type tls from 'node:tls'

import {Channel} from './channel.js'
import {PhaseClock} from './clock.js'
import type {Dialog} from './dialog.js'
import type {ProbeEvidence, ProbeOptions, ProbeTarget} from './evidence.js'
import {excerpt} from './excerpt.js'
import {ProbeFailure} from './failure.js'
import {deviceAlert, failureFinding, netFinding, plaintextOnTlsPort, tlsOnStarttlsPort, where} from './finding.js'
import {imapDialog} from './imap.js'
import {pop3Dialog} from './pop3.js'
import {smtpDialog} from './smtp.js'
import {classifyTlsError, connectTcp, connectTls, isLegacyTlsVersion, looksLikeNonTlsReply, negotiatedTls, peerChain, probeSecureContext, startTls} from './tls-connect.js'

/** Default EHLO name: a reserved name that says who is asking without claiming a real host. */
export const DEFAULT_EHLO_NAME = 'mailprofile.invalid'
/** How long a polite LOGOUT/QUIT may keep a socket open after the probe has returned. */
const QUIT_GRACE_MS = 250

/** Probes one endpoint. Resolves with the evidence (findings included); rejects only for invalid options. */
export async function probe(target: ProbeTarget, options: ProbeOptions): Promise<ProbeEvidence> {
  if (!(options.phaseTimeoutMs > 0)) throw new RangeError('phaseTimeoutMs must be a positive number')
  return new ProbeRun(target, options, probeSecureContext()).run()
}

class ProbeRun {
  private readonly target: ProbeTarget
  private readonly options: ProbeOptions
  private readonly context: tls.SecureContext
  private readonly evidence: ProbeEvidence
  private readonly clock: PhaseClock
  private readonly started = Date.now()
  private readonly sockets = new Set<net.Socket>()
  private goodbye?: {socket: net.Socket; line: string}
  private mismatchReported = false

  constructor(target: ProbeTarget, options: ProbeOptions, context: tls.SecureContext) {
    this.target = target
    this.options = options
    this.context = context
    this.evidence = {target, durationMs: 0, chain: [], findings: []}
    this.clock = new PhaseClock(options.phaseTimeoutMs, options.deadlineMs ?? 4 * options.phaseTimeoutMs, () => this.destroyAll(), options.runDeadlineAt)
  }

  async run(): Promise<ProbeEvidence> {
    try {
      if (this.target.security === 'ssl') await this.implicit(true)
      else await this.starttls(true)
    } catch (error) {
      const failure =
        error instanceof ProbeFailure ? error : new ProbeFailure('protocol', 'probe', `unexpected failure: ${excerpt(String((error as Error)?.message ?? error))}`)
      this.evidence.findings.push(failureFinding(this.target, failure, this.options.phaseTimeoutMs))
    } finally {
      this.close()
      this.evidence.durationMs = Date.now() - this.started
    }
    return this.evidence
  }

  private readonly track = (socket: net.Socket): void => {
    this.sockets.add(socket)
  }

  private address(): string {
    const a = this.target.address ?? this.target.host
    return a.startsWith('[') && a.endsWith(']') ? a.slice(1, -1) : a
  }

  private dialog(): Dialog {
    switch (this.target.protocol) {
      case 'imap':
        return imapDialog()
      case 'pop3':
        return pop3Dialog()
      case 'smtp':
        return smtpDialog(this.options.ehloName ?? DEFAULT_EHLO_NAME)
    }
  }

  private connect(): Promise<net.Socket> {
    return this.clock.phase('connect', () => connectTcp(this.address(), this.target.connectPort ?? this.target.port, this.track))
  }

  private handshake(raw: net.Socket): Promise<tls.TLSSocket> {
    return this.clock.phase('TLS handshake', () => startTls(raw, this.target.host, this.context, this.track))
  }

  /** Implicit TLS: connect, handshake (one socket for both), then greeting and capabilities over TLS. */
  private async implicit(allowFallback: boolean, onSecure?: () => void): Promise<void> {
    const {connected, secured} = connectTls(this.address(), this.target.connectPort ?? this.target.port, this.target.host, this.context, this.track)
    const socket = await this.clock.phase('connect', () => connected)
    this.evidence.remoteAddress = socket.remoteAddress
    let secure: tls.TLSSocket
    try {
      secure = await this.clock.phase('TLS handshake', () => secured)
    } catch (error) {
      if (allowFallback && error instanceof ProbeFailure && error.kind === 'tls-handshake' && looksLikeNonTlsReply(error.errorCode)) {
        if (await this.plaintextFallback()) return
      }
      throw error
    }
    onSecure?.()
    await this.overTls(secure, this.dialog(), true)
  }

  /** The "TLS" port answered in plaintext: does it greet like a mail server? Then carry on with STARTTLS. */
  private async plaintextFallback(): Promise<boolean> {
    try {
      await this.starttls(false, (greeting) => {
        this.mismatchReported = true
        this.evidence.findings.push(plaintextOnTlsPort(this.target, excerpt(greeting), this.options.expectation))
      })
      return true
    } catch (error) {
      if (this.mismatchReported) throw error
      return false
    }
  }

  /** STARTTLS: connect, plaintext greeting and capabilities, STARTTLS, handshake, capabilities over TLS. */
  private async starttls(allowFallback: boolean, onGreeting?: (greeting: string) => void): Promise<void> {
    const raw = await this.connect()
    this.evidence.remoteAddress = raw.remoteAddress
    const dialog = this.dialog()
    const channel = new Channel(raw, this.clock)
    const greeted = allowFallback ? await this.greetingOrImplicitTls(channel, dialog, raw) : await dialog.greeting(channel)
    if (typeof greeted !== 'string') {
      this.mismatchReported = true
      this.evidence.findings.push(tlsOnStarttlsPort(this.target, this.options.expectation))
      await this.overTls(greeted, this.dialog(), true)
      return
    }
    this.evidence.greeting = excerpt(greeted, 512)
    onGreeting?.(greeted)

    const plain = await dialog.capabilities(channel, 'before TLS')
    this.evidence.plaintextCapabilities = plain
    if (dialog.offersPasswordAuth(plain)) {
      this.evidence.findings.push(
        netFinding(
          'auth-before-tls',
          this.target,
          `${where(this.target)} accepts a password before STARTTLS (${describePasswordAuth(this.target, dialog, plain)}): a client set up without TLS, or an attacker stripping STARTTLS, gets the password in plaintext.`,
        ),
      )
    }
    if (!dialog.advertisesStartTls(plain)) {
      this.goodbye = {socket: raw, line: dialog.quitLine()}
      throw new ProbeFailure('starttls-unavailable', 'capabilities', `the server does not advertise ${dialog.startTlsName} in its capabilities before TLS`)
    }
    try {
      await dialog.startTls(channel)
    } catch (error) {
      if (error instanceof ProbeFailure && error.kind === 'starttls-unavailable') this.goodbye = {socket: raw, line: dialog.quitLine()}
      throw error
    }
    channel.reader.detach()
    if (channel.reader.buffered > 0) {
      this.evidence.findings.push(
        netFinding('starttls-extra-data', this.target, `${where(this.target)} sent data after accepting ${dialog.startTlsName} and before the TLS handshake; the probe stopped there, as careful clients do.`),
      )
      return
    }
    const secure = await this.handshake(raw)
    await this.overTls(secure, dialog, false)
  }

  /**
   * Waits for the plaintext greeting. If none has come after half the phase limit, a second
   * connection tries a TLS handshake at the same time; whichever succeeds first wins. Returns the
   * greeting line, or the TLS socket when the port turned out to run implicit TLS.
   */
  private async greetingOrImplicitTls(channel: Channel, dialog: Dialog, raw: net.Socket): Promise<string | tls.TLSSocket> {
    const greeting = dialog.greeting(channel)
    greeting.catch(() => {})
    const detectorSockets = new Set<net.Socket>()
    let resolveDetected: (socket: tls.TLSSocket) => void = () => {}
    const detected = new Promise<tls.TLSSocket>((resolve) => (resolveDetected = resolve))
    const timer = setTimeout(
      () => {
        const track = (socket: net.Socket): void => {
          detectorSockets.add(socket)
          this.track(socket)
        }
        connectTcp(this.address(), this.target.connectPort ?? this.target.port, track)
          .then((socket) => startTls(socket, this.target.host, this.context, track))
          .then(resolveDetected, () => {})
      },
      Math.floor(this.options.phaseTimeoutMs / 2),
    )
    try {
      const winner = await Promise.race([greeting, detected])
      if (typeof winner === 'string') {
        for (const s of detectorSockets) s.destroy()
        return winner
      }
      raw.destroy()
      return winner
    } finally {
      clearTimeout(timer)
    }
  }

  /** Records the TLS session, then (greeting and) capabilities over TLS; SMTP AUTH. */
  private async overTls(secure: tls.TLSSocket, dialog: Dialog, greet: boolean): Promise<void> {
    const facts = negotiatedTls(secure)
    this.evidence.tls = facts
    this.evidence.chain = peerChain(secure)
    if (isLegacyTlsVersion(facts.version)) {
      this.evidence.findings.push(
        netFinding(
          'legacy-tls-version',
          this.target,
          `${where(this.target)} negotiated ${facts.version}, the best version it offers. iOS 15+, macOS 12+ and current Outlook refuse TLS 1.0 and 1.1: ${deviceAlert(this.target)}`,
        ),
      )
    }
    const channel = new Channel(secure, this.clock)
    let caps: string[]
    try {
      if (greet) this.evidence.greeting = excerpt(await dialog.greeting(channel), 512)
      caps = await dialog.capabilities(channel, 'over TLS')
    } catch (error) {
      throw lateHandshakeFailure(error)
    }
    this.evidence.capabilities = caps
    if (this.target.protocol === 'smtp') {
      const mechanisms = dialog.authMechanisms(caps)
      this.evidence.smtpAuthMechanisms = mechanisms
      if (mechanisms.length === 0) {
        this.evidence.findings.push(
          netFinding(
            'smtp-auth-unavailable',
            this.target,
            `${where(this.target)} offers no AUTH in its EHLO reply over TLS. The iPhone then sends without signing in and shows "Recipient Rejected By Server: The server rejected the recipient because it does not allow relaying."`,
          ),
        )
      }
    }
    this.goodbye = {socket: secure, line: dialog.quitLine()}
  }

  private destroyAll(): void {
    for (const s of this.sockets) s.destroy()
    this.sockets.clear()
  }

  /** Sends the goodbye (when the dialog got that far) and destroys every socket soon after. */
  private close(): void {
    const bye = this.goodbye
    if (!bye || bye.socket.destroyed || !bye.socket.writable) return this.destroyAll()
    const sockets = [...this.sockets]
    this.sockets.clear()
    const destroy = (): void => {
      clearTimeout(timer)
      for (const s of sockets) s.destroy()
    }
    const timer = setTimeout(destroy, QUIT_GRACE_MS)
    timer.unref()
    bye.socket.once('close', destroy)
    bye.socket.end(bye.line + '\r\n')
  }
}

/**
 * In TLS 1.3 the client finishes the handshake before the server has judged the client's
 * (empty) Certificate: the alert certificate_required arrives as the first read fails. That is a
 * handshake failure, named as such, not a dialog error.
 */
function lateHandshakeFailure(error: unknown): unknown {
  if (!(error instanceof ProbeFailure) || classifyTlsError(Object.assign(new Error(error.message), {code: error.errorCode}), false) !== 'client-certificate') return error
  return new ProbeFailure('tls-handshake', 'TLS handshake', `alert certificate_required after the handshake (${error.errorCode})`, {errorCode: error.errorCode, handshakeCause: 'client-certificate'})
}

function describePasswordAuth(target: ProbeTarget, dialog: Dialog, caps: string[]): string {
  const mechs = dialog.authMechanisms(caps).filter((m) => m === 'PLAIN' || m === 'LOGIN')
  const parts = mechs.map((m) => `AUTH ${m}`)
  if (target.protocol === 'imap' && !caps.some((c) => c.toUpperCase() === 'LOGINDISABLED')) parts.unshift('LOGIN without LOGINDISABLED')
  if (target.protocol === 'pop3' && caps.some((c) => c.trim().toUpperCase() === 'USER')) parts.unshift('USER/PASS')
  return parts.join(', ')
}
