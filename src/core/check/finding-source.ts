/**
 * Which settings line a finding of `check` points at (the GitHub annotation's line). A finding
 * about the server as a whole — its name, its certificate, whether it can be reached at all —
 * points at the `host:` line; a finding about what one port speaks (its TLS mode, STARTTLS, the
 * dialog, what it offers before or after TLS) at the `port:` line (or the server's block when the
 * port is defaulted); a finding about signing in at the `authentication:` line when it is written.
 * Every code not listed as port- or login-level is host-level.
 */
import type {SourceLocation} from '../findings.js'
import type {SettingsSource} from './endpoints.js'

/** Codes about what one port speaks: they point at the port. */
export const PORT_LEVEL_CODES: ReadonlySet<string> = new Set([
  'tls-mode-mismatch',
  'starttls-unavailable',
  'starttls-extra-data',
  'protocol-error',
  'auth-before-tls',
  'smtp-auth-unavailable',
  'client-certificate-required',
  'smtp-greeting-refused',
])

/** Codes about signing in with the settings' authentication: they point at `authentication:` when written, else at the port. */
export const LOGIN_LEVEL_CODES: ReadonlySet<string> = new Set(['imap-login-disabled', 'pop3-login-unavailable', 'auth-mechanism-unsupported'])

/** The settings position a finding with `code` points at, from the source that names its endpoint. */
export function sourceForCode(code: string, where: SettingsSource | undefined): SourceLocation | undefined {
  if (!where) return undefined
  if (PORT_LEVEL_CODES.has(code)) return where.source
  if (LOGIN_LEVEL_CODES.has(code)) return where.authenticationSource ?? where.source
  return where.hostSource ?? where.source
}
