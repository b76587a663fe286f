/**
 * Mail payloads (com.apple.mail.managed) checked with the same host, port and authentication
 * rules as `lint` (src/core/settings/rules): each payload becomes a normalized domain with its
 * incoming and outgoing ServerSettings, and the rules run on that. No rule logic lives here.
 *
 * UseSSL → security is read back by src/core/mail/protocol.ts `securityFromUseSsl`, the inverse of
 * the `useSsl` build writes: UseSSL true on a STARTTLS port (143, 110, 587, 25) is STARTTLS,
 * elsewhere implicit TLS; false is "none". A missing port is the protocol's default for that security.
 */
import type {Finding, SourceLocation} from '../findings.js'
import type {SourceDocument} from '../settings/document.js'
import {defaultPort, securityFromUseSsl, type Authentication, type Protocol} from '../mail/protocol.js'
import type {DomainSettings, ServerSettings, Settings} from '../settings/model.js'
import {analyzeAddress} from '../settings/names.js'
import {authRules} from '../settings/rules/auth.js'
import {hostRules} from '../settings/rules/hosts.js'
import {portRules} from '../settings/rules/ports.js'
import type {Rule, RuleOptions} from '../settings/rules/types.js'
import {isDict, payloadLabel, type Dict} from './payloads.js'

const AUTH: Record<string, Authentication> = {
  EmailAuthPassword: 'password',
  EmailAuthCRAMMD5: 'crammd5',
  EmailAuthNTLM: 'ntlm',
  EmailAuthHTTPMD5: 'httpmd5',
  EmailAuthNone: 'none',
}

/** Rules that apply to a profile as well as to settings, and which of their codes to keep. */
const RULES: Array<{rule: Rule; codes?: ReadonlySet<string>}> = [
  {rule: portRules},
  {rule: hostRules},
  // Username templates are the settings' own syntax; only the unauthenticated-SMTP check applies.
  {rule: authRules, codes: new Set(['smtp-auth-none'])},
]

function server(p: Dict, side: 'Incoming' | 'Outgoing', protocol: Protocol, source: SourceLocation): ServerSettings | undefined {
  const host = p[`${side}MailServerHostName`]
  if (typeof host !== 'string') return undefined
  const rawPort = p[`${side}MailServerPortNumber`]
  const port = typeof rawPort === 'number' && Number.isInteger(rawPort) ? rawPort : undefined
  const security = securityFromUseSsl(p[`${side}MailServerUseSSL`] === true, port)
  const auth = p[`${side}MailServerAuthentication`]
  return {
    protocol,
    host,
    port: port ?? defaultPort(protocol, security),
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

/** One mail payload as settings: the form the `lint` rules and `check` take. */
export interface MailPayloadSettings {
  /** Index in the profile's PayloadContent. */
  index: number
  /** "Payload 2 (com.apple.mail.managed, "Example Mail")": how messages name it. */
  label: string
  /** The mail domain was made up from the incoming host name (no EmailAddress in the payload). */
  derived: boolean
  settings: Settings
}

/**
 * Every com.apple.mail.managed payload with both host names, as a one-domain Settings whose
 * servers point at the payload (`source.pointer`: /PayloadContent/N/…MailServerHostName).
 */
export function mailPayloadSettings(profile: Dict, file: string): MailPayloadSettings[] {
  const payloads = Array.isArray(profile.PayloadContent) ? profile.PayloadContent : []
  const out: MailPayloadSettings[] = []
  for (let i = 0; i < payloads.length; i++) {
    const p = payloads[i]
    if (!isDict(p) || p.PayloadType !== 'com.apple.mail.managed') continue
    const at = (key: string) => ({file, pointer: `/PayloadContent/${i}/${key}`})
    const incoming = server(p, 'Incoming', p.EmailAccountType === 'EmailTypePOP' ? 'pop3' : 'imap', at('IncomingMailServerHostName'))
    const outgoing = server(p, 'Outgoing', 'smtp', at('OutgoingMailServerHostName'))
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
    out.push({index: i, label: payloadLabel(payloads, i), derived, settings})
  }
  return out
}

export async function mailFindings(profile: Dict, file: string, options: RuleOptions): Promise<Finding[]> {
  const findings: Finding[] = []
  const doc: SourceDocument = {file, data: {}, locate: () => ({file})}
  for (const {label, derived, settings} of mailPayloadSettings(profile, file)) {
    for (const {rule, codes} of RULES) {
      for (const f of await rule({settings, doc, options})) {
        if (codes && !codes.has(f.code)) continue
        // The domain was made up from the host name: findings about it would be about nothing real.
        if (derived && (f.code === 'domain-invalid' || f.code === 'host-bare-domain')) continue
        findings.push({...f, message: `${label}: ${f.message}`, fix: f.fix && /security/.test(f.fix) ? `${f.fix} ${SETTINGS_TERMS}` : f.fix, source: {file}})
      }
    }
  }
  return findings
}

/** The rules speak in settings terms; this says what they mean in a profile. */
const SETTINGS_TERMS = '(In the profile: security "ssl" or "starttls" is …UseSSL true on the implicit-TLS or the STARTTLS port, "none" is …UseSSL false.)'
