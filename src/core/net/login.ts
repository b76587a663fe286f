/**
 * Can the account, as configured, ever sign in? Judged from the capabilities a server advertises
 * after TLS — the ones a client acts on — never by trying: no credentials are ever sent.
 *
 * - IMAP: LOGIN is usable unless the server advertises LOGINDISABLED (RFC 9051 §7.2.2); SASL
 *   mechanisms are its AUTH= atoms.
 * - POP3: USER/PASS is usable when CAPA lists USER (RFC 2449 §6.7); SASL mechanisms are its SASL
 *   line. A server that does not answer CAPA (or lists nothing) gives no basis to judge: no finding.
 * - SMTP: the AUTH keyword of the EHLO reply (RFC 4954). No AUTH at all is `smtp-auth-unavailable`,
 *   reported by the probe itself.
 *
 * What each `authentication` of the settings needs: `password` — IMAP LOGIN, POP3 USER, or SASL
 * PLAIN or LOGIN (iOS and Outlook use these over TLS); `crammd5` — SASL CRAM-MD5 (POP3 also APOP,
 * when the greeting carries its timestamp); `ntlm` — SASL NTLM; `httpmd5` — SASL DIGEST-MD5;
 * `none` signs in with nothing, so there is nothing to judge.
 */
import {finding} from '../codes.js'
import type {Finding} from '../findings.js'
import type {Authentication} from '../settings/model.js'
import {mechanismsAfter, PASSWORD_MECHANISMS} from './dialog.js'
import type {ProbeEvidence} from './evidence.js'
import {endpointOf, where} from './finding.js'

const MECHANISMS: Record<Exclude<Authentication, 'none'>, string[]> = {
  password: PASSWORD_MECHANISMS,
  crammd5: ['CRAM-MD5'],
  ntlm: ['NTLM'],
  httpmd5: ['DIGEST-MD5'],
}

const LABEL: Record<Exclude<Authentication, 'none'>, string> = {
  password: 'a password (LOGIN/USER, or AUTH PLAIN or LOGIN)',
  crammd5: 'CRAM-MD5',
  ntlm: 'NTLM',
  httpmd5: 'HTTP MD5 Digest (DIGEST-MD5)',
}

/** What the server offers for signing in after TLS, in one protocol-neutral shape. */
interface SignInOffer {
  /** IMAP LOGIN (no LOGINDISABLED) or POP3 USER. */
  plainCommand: boolean
  mechanisms: string[]
  /** IMAP only: LOGINDISABLED advertised after TLS. */
  loginDisabled: boolean
  /** POP3 only: APOP offered (a timestamp in the greeting). */
  apop: boolean
}

function offerOf(evidence: ProbeEvidence): SignInOffer | undefined {
  const caps = evidence.capabilities
  if (!caps || !evidence.tls) return undefined
  const upper = caps.map((c) => c.trim().toUpperCase())
  switch (evidence.target.protocol) {
    case 'imap': {
      const loginDisabled = upper.includes('LOGINDISABLED')
      return {plainCommand: !loginDisabled, mechanisms: upper.filter((c) => c.startsWith('AUTH=')).map((c) => c.slice(5)), loginDisabled, apop: false}
    }
    case 'pop3':
      if (caps.length === 0) return undefined
      return {plainCommand: upper.includes('USER'), mechanisms: mechanismsAfter('SASL', caps), loginDisabled: false, apop: /<[^<>\s]+@[^<>\s]+>/.test(evidence.greeting ?? '')}
    case 'smtp': {
      const mechanisms = evidence.smtpAuthMechanisms ?? mechanismsAfter('AUTH', caps)
      // No AUTH at all is smtp-auth-unavailable (the probe reports it).
      if (mechanisms.length === 0) return undefined
      return {plainCommand: false, mechanisms, loginDisabled: false, apop: false}
    }
  }
}

function usable(offer: SignInOffer, authentication: Exclude<Authentication, 'none'>, protocol: string): boolean {
  if (authentication === 'password' && offer.plainCommand) return true
  if (authentication === 'crammd5' && protocol === 'pop3' && offer.apop) return true
  return MECHANISMS[authentication].some((m) => offer.mechanisms.includes(m))
}

function offered(offer: SignInOffer, protocol: string): string {
  const parts: string[] = []
  if (protocol === 'imap') parts.push(offer.loginDisabled ? 'LOGINDISABLED' : 'LOGIN')
  if (protocol === 'pop3' && offer.plainCommand) parts.push('USER')
  if (offer.apop) parts.push('APOP')
  if (offer.mechanisms.length > 0) parts.push(`${protocol === 'pop3' ? 'SASL' : 'AUTH'} ${offer.mechanisms.join(' ')}`)
  return parts.length > 0 ? parts.join(', ') : 'no way to sign in'
}

/**
 * The finding when the account, signing in with `authentication`, can never log in to this
 * endpoint (undefined when it can, or when the capabilities give no basis to judge).
 */
export function loginFinding(evidence: ProbeEvidence, authentication: Authentication): Finding | undefined {
  if (authentication === 'none') return undefined
  const offer = offerOf(evidence)
  if (!offer) return undefined
  const protocol = evidence.target.protocol
  if (usable(offer, authentication, protocol)) return undefined
  const at = where(evidence.target)
  const endpoint = endpointOf(evidence.target)
  const alert = protocol === 'smtp' ? 'iPhones show "Cannot Send Mail" and ask for the password again' : 'iPhones show "Cannot Get Mail: The user name or password is incorrect" and ask for the password again'
  const what = `${at} offers over TLS: ${offered(offer, protocol)}; the settings sign in with ${LABEL[authentication]}, so the login can never succeed: ${alert}.`
  const passwordOrNothing = authentication === 'password' || offer.mechanisms.length === 0
  if (protocol === 'imap' && offer.loginDisabled && passwordOrNothing) {
    return finding('imap-login-disabled', {message: `${at} still advertises LOGINDISABLED after TLS and no AUTH= mechanism for ${LABEL[authentication]}. ${what}`, endpoint})
  }
  if (protocol === 'pop3' && !offer.plainCommand && passwordOrNothing) {
    return finding('pop3-login-unavailable', {message: `${at} lists neither USER nor a SASL mechanism for ${LABEL[authentication]} in CAPA after TLS. ${what}`, endpoint})
  }
  const available = offer.plainCommand || offer.mechanisms.some((m) => PASSWORD_MECHANISMS.includes(m)) ? 'password' : undefined
  return finding('auth-mechanism-unsupported', {
    message: what,
    fix: available
      ? `Set authentication: password for this server (the server accepts passwords over TLS), or enable ${MECHANISMS[authentication].join('/')} on the server.`
      : `Enable ${MECHANISMS[authentication].join('/')} on the server (Dovecot: auth_mechanisms; Postfix: the SASL backend's mechanisms), or set the authentication the server offers.`,
    endpoint,
  })
}
