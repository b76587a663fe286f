/**
 * What a probe of one mail endpoint observed. The net layer fills it (src/core/net/probe.ts);
 * certificate policy (src/core/x509/) judges `chain`; `check` combines both into findings.
 */
import type {Finding} from '../findings.js'

export type ProbeProtocol = 'imap' | 'pop3' | 'smtp'
export type ProbeSecurity = 'ssl' | 'starttls'

export interface ProbeTarget {
  /** The host name the client uses: sent as SNI and verified against the certificate. */
  host: string
  port: number
  protocol: ProbeProtocol
  security: ProbeSecurity
  /** Connect to this address instead of resolving `host` (curl's --resolve convention). */
  address?: string
  /** Connect to this port instead of `port` (doctor's --connect-to HOST:PORT:ADDR:PORT); reports keep `port`. */
  connectPort?: number
}

/** Who set the TLS mode the probe expects: a settings file (check) or probe's command line. Wording only. */
export type ProbeExpectation = 'settings' | 'command-line'

export interface ProbeOptions {
  /** Limit for each phase (connect, greeting, each command, STARTTLS upgrade, TLS handshake), in ms. */
  phaseTimeoutMs: number
  /** Absolute limit for the whole probe of one endpoint, in ms. Default: 4 × phaseTimeoutMs. */
  deadlineMs?: number
  /** Absolute time (Date.now() ms) at which the whole run ends (check --deadline); cuts the probe then. */
  runDeadlineAt?: number
  /** Who set the expected TLS mode, for the wording of tls-mode-mismatch. Default 'settings'. */
  expectation?: ProbeExpectation
  /** Name sent in SMTP EHLO. Default: "mailprofile.invalid". */
  ehloName?: string
}

export interface TlsFacts {
  /** e.g. "TLSv1.3" */
  version: string
  /** OpenSSL cipher name, e.g. "TLS_AES_256_GCM_SHA384" */
  cipher: string
  /** Negotiated group / ephemeral key info when known, e.g. "X25519" */
  keyExchange?: string
}

export interface ProbeEvidence {
  target: ProbeTarget
  /** Remote address actually connected to. */
  remoteAddress?: string
  /** Wall time of the probe in ms. */
  durationMs: number
  /** The server's greeting line (bounded, first line only). */
  greeting?: string
  /**
   * Capabilities read in plaintext before STARTTLS, as the server wrote them: IMAP CAPABILITY atoms
   * ("IMAP4rev1", "STARTTLS", "AUTH=PLAIN"), POP3 CAPA lines ("STLS", "SASL PLAIN LOGIN"), SMTP EHLO
   * extension lines without the greeting line ("STARTTLS", "AUTH PLAIN LOGIN", "SIZE 35882577").
   * Absent for implicit TLS.
   */
  plaintextCapabilities?: string[]
  /** Capabilities read over TLS, in the same form. */
  capabilities?: string[]
  /** SMTP only: AUTH mechanisms offered after TLS (empty array: none offered). */
  smtpAuthMechanisms?: string[]
  /** Present when a TLS session was established. */
  tls?: TlsFacts
  /**
   * DER certificates as the server sent them, leaf first (no AIA fetching, no trust-store additions).
   * Ordered by issuer links among the sent certificates (leaf, its issuer, that one's issuer …);
   * a sent certificate that issues none of these is not listed. Empty when no TLS session was made.
   */
  chain: Buffer[]
  /** Protocol-level findings: connection-failed, timeout, tls-mode-mismatch, starttls-unavailable, legacy-tls-version, smtp-auth-unavailable … */
  findings: Finding[]
}
