/**
 * Mail payloads (com.apple.mail.managed) read as settings: each payload becomes a normalized
 * one-domain Settings with its incoming and outgoing ServerSettings, the form `lint`'s rules and
 * `check` take. No rule logic lives here.
 *
 * …UseSSL and the port → security, as src/core/mail/protocol.ts reads them back
 * (`securityFromUseSsl`, the inverse of what `build` writes): UseSSL true on a STARTTLS port is
 * STARTTLS, elsewhere implicit TLS. UseSSL false on 143, 110 or 587 (`isOptionalStarttls`) is
 * STARTTLS the device uses only when offered — security "starttls" with `tlsRequired: false`,
 * reported as starttls-not-required; elsewhere false is "none". A missing port is the protocol's
 * default for that security.
 */
import type {SourceLocation} from '../findings.js'
import {defaultPort, isOptionalStarttls, securityFromUseSsl, type Authentication, type Protocol, type Security} from '../mail/protocol.js'
import type {DomainSettings, ServerSettings, Settings} from '../settings/model.js'
import {analyzeAddress} from '../settings/names.js'
import {isDict, payloadLabel, payloadsOf, type Dict} from './profile.js'

const AUTH: Record<string, Authentication> = {
  EmailAuthPassword: 'password',
  EmailAuthCRAMMD5: 'crammd5',
  EmailAuthNTLM: 'ntlm',
  EmailAuthHTTPMD5: 'httpmd5',
  EmailAuthNone: 'none',
}

export type MailSide = 'Incoming' | 'Outgoing'

function protocolOf(p: Dict, side: MailSide): Protocol {
  return side === 'Outgoing' ? 'smtp' : p.EmailAccountType === 'EmailTypePOP' ? 'pop3' : 'imap'
}

/** What a device does with one side's …UseSSL and port. */
export function mailServerSecurity(p: Dict, side: MailSide): {security: Security; port: number; tlsRequired: boolean} {
  const protocol = protocolOf(p, side)
  const rawPort = p[`${side}MailServerPortNumber`]
  const written = typeof rawPort === 'number' && Number.isInteger(rawPort) ? rawPort : undefined
  const useSsl = p[`${side}MailServerUseSSL`] === true
  const read = securityFromUseSsl(useSsl, written)
  const port = written ?? defaultPort(protocol, read)
  const security: Security = isOptionalStarttls(useSsl, port) ? 'starttls' : read
  return {security, port, tlsRequired: useSsl}
}

function server(p: Dict, side: MailSide, source: SourceLocation): ServerSettings | undefined {
  const host = p[`${side}MailServerHostName`]
  if (typeof host !== 'string') return undefined
  const {security, port} = mailServerSecurity(p, side)
  const auth = p[`${side}MailServerAuthentication`]
  return {
    protocol: protocolOf(p, side),
    host,
    port,
    security,
    authentication: (typeof auth === 'string' ? AUTH[auth] : undefined) ?? 'password',
    username: '',
    source,
  }
}

/** The mail domain: from EmailAddress when it holds a real address, else derived from the incoming host. */
function domainOf(p: Dict, incomingHost: string): {domain: string; derived: boolean} {
  const address = typeof p.EmailAddress === 'string' ? analyzeAddress(p.EmailAddress) : undefined
  if (address && !address.problem && address.domain) return {domain: address.domain, derived: false}
  const labels = incomingHost.replace(/\.$/, '').split('.')
  return {domain: labels.length > 2 ? labels.slice(1).join('.') : incomingHost, derived: true}
}

/** A server whose payload does not require TLS, though the device would use STARTTLS if offered. */
export interface OptionalTls {
  side: MailSide
  host: string
  port: number
}

/** One mail payload as settings: the form the `lint` rules and `check` take. */
export interface MailPayloadSettings {
  /** Index in the profile's PayloadContent. */
  index: number
  /** `PayloadContent[2] (com.apple.mail.managed "Example Mail")`: how messages name it. */
  label: string
  /** The mail domain was made up from the incoming host name (no EmailAddress in the payload). */
  derived: boolean
  settings: Settings
  /** Servers with …UseSSL false on a STARTTLS port (read as "starttls" in `settings`). */
  optionalTls: OptionalTls[]
}

/**
 * Every com.apple.mail.managed payload with both host names, as a one-domain Settings whose
 * servers point at the payload (`source.pointer`: /PayloadContent/N/…MailServerHostName).
 */
export function mailPayloadSettings(profile: Dict, file: string): MailPayloadSettings[] {
  const payloads = payloadsOf(profile)
  const out: MailPayloadSettings[] = []
  for (let i = 0; i < payloads.length; i++) {
    const p = payloads[i]
    if (!isDict(p) || p.PayloadType !== 'com.apple.mail.managed') continue
    const at = (key: string) => ({file, pointer: `/PayloadContent/${i}/${key}`})
    const incoming = server(p, 'Incoming', at('IncomingMailServerHostName'))
    const outgoing = server(p, 'Outgoing', at('OutgoingMailServerHostName'))
    // A payload without host names is reported by the schema check.
    if (!incoming || !outgoing) continue
    const {domain, derived} = domainOf(p, incoming.host)
    const domainSettings: DomainSettings = {domain, displayName: domain, identifier: String(p.PayloadIdentifier ?? ''), incoming, outgoing, source: at('')}
    const settings: Settings = {
      file,
      baseDir: '.',
      organization: {name: '', identifier: ''},
      profile: {displayName: '', removalAllowed: true, targetDevice: 'any'},
      domains: [domainSettings],
      trust: {caFiles: [], pins: []},
      users: [],
    }
    const optionalTls = (['Incoming', 'Outgoing'] as const)
      .map((side) => ({side, server: side === 'Incoming' ? incoming : outgoing, tls: mailServerSecurity(p, side)}))
      .filter((s) => !s.tls.tlsRequired && s.tls.security === 'starttls')
      .map((s) => ({side: s.side, host: s.server.host, port: s.server.port}))
    out.push({index: i, label: payloadLabel(payloads, i), derived, settings, optionalTls})
  }
  return out
}
