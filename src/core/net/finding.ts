/**
 * Findings of the net layer: each names the endpoint, says what the user sees and how to fix it.
 * Severity and default fix come from codes.ts.
 */
import {finding} from '../codes.js'
import type {EndpointRef, Finding} from '../findings.js'
import {defaultPort} from '../mail/protocol.js'
import type {ProbeExpectation, ProbeTarget} from './evidence.js'
import type {ProbeFailure} from './failure.js'

/**
 * What an iPhone shows when it cannot talk to the server: "Cannot Get Mail" for the incoming
 * (IMAP, POP3) server, "Cannot Send Mail" naming the outgoing (SMTP) server. `wait` for timeouts.
 */
export function deviceAlert(target: Pick<ProbeTarget, 'protocol' | 'host'>, wait = false): string {
  const show = wait ? 'wait, then show' : 'show'
  return target.protocol === 'smtp'
    ? `iPhones ${show} "Cannot Send Mail: The connection to the outgoing server \u201c${target.host}\u201d failed."`
    : `iPhones ${show} "Cannot Get Mail: The connection to the server failed."`
}

export function endpointOf(target: ProbeTarget): EndpointRef {
  return {
    host: target.host,
    port: target.port,
    protocol: target.protocol,
    security: target.security,
    ...(target.address !== undefined ? {address: target.address} : {}),
  }
}

export function where(target: ProbeTarget): string {
  const base = `${target.protocol.toUpperCase()} ${target.host}:${target.port}`
  return target.address !== undefined && target.address !== target.host ? `${base} (at ${target.address})` : base
}

export function netFinding(code: string, target: ProbeTarget, message: string, fix?: string): Finding {
  return finding(code, {message, ...(fix !== undefined ? {fix} : {}), endpoint: endpointOf(target)})
}

/** An endpoint the whole run's --deadline cut, during a phase or before its probe started. */
export function deadlineFinding(target: ProbeTarget, when: string): Finding {
  return netFinding('deadline-exceeded', target, `${where(target)} was not fully checked: the run's --deadline ran out ${when}. Nothing is known about what a device would see there.`)
}

/** DNS errors: the name does not resolve (or not now). */
const DNS_ERRORS = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NODATA', 'EAI_NONAME'])

/** The fix for a connect failure: a DNS failure names DNS and --resolve, others the registry's fix. */
function connectFix(target: ProbeTarget, failure: ProbeFailure): string | undefined {
  if (!failure.errorCode || !DNS_ERRORS.has(failure.errorCode)) return undefined
  return `Check the spelling of ${target.host} and that DNS has an A or AAAA record for it (\`dig ${target.host} A\`); to test a server before DNS points at it, give its address with --resolve ${target.host}:${target.port}:ADDRESS.`
}

/** The one finding for a probe that stopped early. */
export function failureFinding(target: ProbeTarget, failure: ProbeFailure, phaseTimeoutMs: number): Finding {
  const at = where(target)
  switch (failure.kind) {
    case 'connect':
      return netFinding('connection-failed', target, `Connecting to ${at} failed: ${failure.message}. ${deviceAlert(target)}`, connectFix(target, failure))
    case 'timeout':
      return netFinding(
        'timeout',
        target,
        failure.global
          ? `${at}: the probe's overall deadline ran out during ${failure.phase}. ${deviceAlert(target, true)}`
          : `${at} did not answer within ${phaseTimeoutMs} ms during ${failure.phase}. ${deviceAlert(target, true)}`,
      )
    case 'deadline':
      return deadlineFinding(target, `during ${failure.phase}`)
    case 'tls-handshake':
      switch (failure.handshakeCause) {
        case 'client-certificate':
          return netFinding(
            'client-certificate-required',
            target,
            `${at} demands a client certificate during the TLS handshake (${failure.message}). Mail clients do not send one, so the handshake fails: ${deviceAlert(target)}`,
          )
        case 'dropped':
          return netFinding('tls-handshake-dropped', target, `${at} closed the connection during the TLS handshake, after the client's hello, without a TLS alert (${failure.message}). ${deviceAlert(target)}`)
        case 'protocol-version':
          return netFinding('tls-version-unsupported', target, `${at} shares no TLS version with the client (the probe offers TLS 1.0 to 1.3): ${failure.message}. ${deviceAlert(target)}`)
        default:
          return netFinding('tls-handshake-failed', target, `The TLS handshake with ${at} failed: ${failure.message}. ${deviceAlert(target)}`)
      }
    case 'service-refused':
      return netFinding('smtp-greeting-refused', target, `${at} greets with a refusal: ${failure.message}. It turns clients away before any command: ${deviceAlert(target)}`)
    case 'starttls-unavailable':
      return netFinding(
        'starttls-unavailable',
        target,
        `${at}: ${failure.message}. Outlook set to STARTTLS refuses to connect; an iPhone without SSL would sign in unencrypted.`,
        `Enable STARTTLS on the server, or use implicit TLS on port ${defaultPort(target.protocol, 'ssl')}.`,
      )
    case 'protocol':
      return netFinding('protocol-error', target, `${at}: ${failure.message}. Mail clients give up: ${deviceAlert(target)}`)
  }
}

/** Who asked for the TLS mode that the server contradicts: the settings, or probe's flags. */
function expectedBy(expectation: ProbeExpectation, mode: 'implicit TLS (SSL)' | 'STARTTLS'): string {
  if (expectation === 'settings') return `The settings say ${mode}`
  return `Probed as ${mode} (${mode === 'STARTTLS' ? '--security starttls' : '--security ssl'}, or what the port stands for)`
}

/** Settings (or probe's flags) say implicit TLS, the server greets in plaintext. */
export function plaintextOnTlsPort(target: ProbeTarget, greeting: string, expectation: ProbeExpectation = 'settings'): Finding {
  return netFinding(
    'tls-mode-mismatch',
    target,
    `${expectedBy(expectation, 'implicit TLS (SSL)')} for ${where(target)}, but the server greets in plaintext ("${greeting}"). iOS and Outlook start with a TLS handshake there, which fails: ${deviceAlert(target)}`,
    expectation === 'settings'
      ? `Set this server to STARTTLS (security: starttls; "Use SSL" off), or use the implicit-TLS port ${defaultPort(target.protocol, 'ssl')} with security: ssl.`
      : `This port runs STARTTLS: set clients to STARTTLS for it (security: starttls; probe it with --security starttls), or use the implicit-TLS port ${defaultPort(target.protocol, 'ssl')}.`,
  )
}

/** Settings (or probe's flags) say STARTTLS, the server expects a TLS handshake first. */
export function tlsOnStarttlsPort(target: ProbeTarget, expectation: ProbeExpectation = 'settings'): Finding {
  return netFinding(
    'tls-mode-mismatch',
    target,
    `${expectedBy(expectation, 'STARTTLS')} for ${where(target)}, but the server sends no plaintext greeting and answers a TLS handshake instead (implicit TLS). iOS and Outlook wait for a greeting that never comes and time out: ${deviceAlert(target)}`,
    expectation === 'settings'
      ? `Set this server to implicit TLS (security: ssl; "Use SSL" on), or use the STARTTLS port ${defaultPort(target.protocol, 'starttls')} with security: starttls.`
      : `This port runs implicit TLS: set clients to implicit TLS for it (security: ssl; probe it with --security ssl), or use the STARTTLS port ${defaultPort(target.protocol, 'starttls')}.`,
  )
}
