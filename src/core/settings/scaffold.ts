/**
 * `mailprofile init`: a first settings file for one mail domain, commented like the examples, that
 * lints clean as written. Values go through the YAML library (never a template), so any name or
 * host is quoted as YAML needs.
 */
import {Document, isMap, isScalar} from 'yaml'

import {InputError} from '../errors.js'
import {reverseDomain} from '../mail/identifiers.js'
import {defaultPort, type Protocol} from '../mail/protocol.js'
import {analyzeName, describeNameProblem} from './names.js'

export interface ScaffoldOptions {
  /** The mail domain, e.g. example.com (an IDN is kept as written; lint shows its punycode). */
  domain: string
  /** Organization name shown in the profile; default: the domain. */
  organization?: string
  /**
   * Reverse-DNS base of the profiles' identifiers (written as the domain's `identifier`, so profiles
   * are `<base>.profile` and `<base>.user.<name>`); default: the domain reversed plus ".mail"
   * (com.example.mail). The organization's identifier is the domain reversed (com.example).
   */
  identifier?: string
  protocol?: Protocol
  /** `ssl` (implicit TLS: 993/995 and 465, RFC 8314) or `starttls` (143/110 and 587). */
  security?: 'ssl' | 'starttls'
  incomingHost?: string
  outgoingHost?: string
  /** Path to the JSON Schema for editors, relative to the settings file (a comment line); none when absent. */
  schemaPath?: string
}

/** com.example.mail for example.com. */
export function defaultIdentifier(domain: string): string {
  return `${reverseDomain(domain)}.mail`
}

function checkName(what: string, value: string, options: {domain?: boolean} = {}): void {
  const name = analyzeName(value)
  const why = name.problem ? describeNameProblem(name.problem) : options.domain && name.ip ? 'it is an IP address' : options.domain && name.singleLabel ? 'it has no dot' : undefined
  if (why) throw new InputError(`${what} "${value}" is not usable: ${why}`)
}

/** The settings file text. Throws InputError for a domain or host that is not a host name. */
export function scaffoldSettings(options: ScaffoldOptions): string {
  // Domains are case-insensitive: written in lower case, as addresses and certificates show them.
  const domain = options.domain.trim().replace(/\.$/, '').toLowerCase()
  checkName('the domain', domain, {domain: true})
  const base = options.identifier ?? defaultIdentifier(domain)
  // The domain's identifier is the base; the organization's must differ from it (identifier-duplicate).
  const organizationIdentifier = reverseDomain(domain) === base ? `${base}.organization` : reverseDomain(domain)
  const protocol = options.protocol ?? 'imap'
  const security = options.security ?? 'ssl'
  const incomingHost = options.incomingHost ?? `${protocol === 'imap' ? 'imap' : 'pop'}.${domain}`
  const outgoingHost = options.outgoingHost ?? `smtp.${domain}`
  checkName('--incoming-host', incomingHost)
  checkName('--outgoing-host', outgoingHost)
  const incomingPort = defaultPort(protocol, security)
  const outgoingPort = defaultPort('smtp', security)

  const doc = new Document({
    version: 1,
    organization: {name: options.organization ?? domain, identifier: organizationIdentifier},
    profile: {displayName: `${options.organization ?? domain} Mail`, removalAllowed: true},
    domains: [
      {
        domain,
        identifier: base,
        incoming: {protocol, host: incomingHost, port: incomingPort, security, username: '%EMAILADDRESS%'},
        outgoing: {host: outgoingHost, port: outgoingPort, security, authentication: 'password'},
      },
    ],
  })
  const header = [
    options.schemaPath
      ? ` yaml-language-server: $schema=${options.schemaPath}`
      : ' Editor completion: yaml-language-server: $schema=<mailprofile>/schemas/mailprofile.schema.json',
    '',
    ` Mail settings for ${domain}, made by \`mailprofile init\`. Next:`,
    '   mailprofile lint FILE     offline checks (add it to a pre-commit hook)',
    '   mailprofile check FILE    the live servers and their certificates, as an iPhone sees them',
    '   mailprofile build FILE    profiles, Autodiscover, autoconfig and DNS records',
    ' The README lists every setting (trust.caFiles for a private CA, signing, users, ...).',
  ]
  doc.commentBefore = header.join('\n')
  /** A comment above the key `path` (not between the key and its value). */
  const comment = (path: Array<string | number>, text: string) => {
    const map = doc.getIn(path.slice(0, -1), true)
    if (!isMap(map)) return
    const pair = map.items.find((p) => (isScalar(p.key) ? p.key.value : p.key) === path[path.length - 1])
    if (!pair) return
    const key = isScalar(pair.key) ? pair.key : doc.createNode(pair.key)
    key.commentBefore = text
    pair.key = key
  }
  comment(['domains', 0, 'identifier'], ` Reverse-DNS base of this domain's profile and payload identifiers (${base}.profile,\n ${base}.user.<name>). Keep it stable: devices replace an installed profile only when\n its identifier matches.`)
  comment(
    ['domains', 0, 'incoming', 'port'],
    security === 'ssl'
      ? ` ${incomingPort} = ${protocol.toUpperCase()} over implicit TLS (RFC 8314); with STARTTLS it would be ${defaultPort(protocol, 'starttls')}.`
      : ` ${incomingPort} = ${protocol.toUpperCase()} with STARTTLS; implicit TLS on ${defaultPort(protocol, 'ssl')} is preferred (RFC 8314).`,
  )
  comment(['domains', 0, 'incoming', 'username'], ' Users log in with their full address (%EMAILLOCALPART% for the part before the @).')
  comment(
    ['domains', 0, 'outgoing', 'authentication'],
    ' Submission servers require authentication; `none` makes iOS say "Recipient Rejected By Server".',
  )
  return doc.toString({lineWidth: 0})
}
