/**
 * Why a probe stopped early. Every failure the net layer raises is a ProbeFailure; probe.ts turns
 * it into exactly one finding (see finding.ts).
 */
export type FailureKind =
  /** TCP connect failed, DNS failed, or the server closed/reset before saying anything. */
  | 'connect'
  /** A phase, or the whole probe, ran out of time. */
  | 'timeout'
  /** The whole run's deadline (check --deadline) cut the probe. */
  | 'deadline'
  /** The TLS handshake failed (alert, no shared protocol or cipher, connection lost mid-handshake). */
  | 'tls-handshake'
  /** The server said something a mail client would not accept, too much of it, or closed mid-dialog. */
  | 'protocol'
  /** STARTTLS / STLS is not advertised or was refused. */
  | 'starttls-unavailable'
  /** The service greets with a refusal (SMTP 421 or 554): it turns clients away. */
  | 'service-refused'

/**
 * What a failed TLS handshake says more precisely (see classifyTlsError in tls-connect.ts):
 * the server demands a client certificate, dropped the handshake without an alert, or shares no
 * protocol version with the client.
 */
export type HandshakeCause = 'client-certificate' | 'dropped' | 'protocol-version'

export class ProbeFailure extends Error {
  readonly kind: FailureKind
  /** The phase that failed, e.g. "connect", "greeting", "CAPABILITY", "TLS handshake". */
  readonly phase: string
  /** A system or OpenSSL error code when there is one (ECONNREFUSED, ERR_SSL_…). */
  readonly errorCode?: string
  /** True when the whole-probe deadline (not the phase limit) ran out. */
  readonly global?: boolean
  /** For 'tls-handshake': the cause, when it is one of the named ones. */
  readonly handshakeCause?: HandshakeCause

  constructor(kind: FailureKind, phase: string, message: string, extra: {errorCode?: string; global?: boolean; handshakeCause?: HandshakeCause} = {}) {
    super(message)
    this.name = 'ProbeFailure'
    this.kind = kind
    this.phase = phase
    this.errorCode = extra.errorCode
    this.global = extra.global
    if (extra.handshakeCause) this.handshakeCause = extra.handshakeCause
  }
}

/** The `code` of a Node/OpenSSL error, if any. */
export function errorCodeOf(error: unknown): string | undefined {
  const code = (error as {code?: unknown} | null)?.code
  return typeof code === 'string' ? code : undefined
}
