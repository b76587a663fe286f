/**
 * The account model every generator works from: one account per domain (generic: the device or
 * client asks for the address) and one per user (address, name and login filled in).
 */
import {normalizeHost} from '../mail/host.js'
import type {Authentication, DomainSettings, Protocol, Security, ServerSettings, Settings, UserSettings} from '../settings/model.js'

export interface AccountServer {
  protocol: Protocol
  host: string
  port: number
  security: Security
  authentication: Authentication
  /** The username template as written (`%EMAILADDRESS%`, `%EMAILLOCALPART%`, `%EMAILDOMAIN%` or a literal). */
  usernameTemplate: string
  /**
   * The login name for this account: the user's `login`, or the template expanded for the user's
   * address; for a generic account only a template without placeholders (a shared literal login).
   */
  username?: string
}

export interface MailAccount {
  kind: 'domain' | 'user'
  domain: DomainSettings
  user?: UserSettings
  /** The user's address (per-user accounts only). */
  emailAddress?: string
  /** The sender name (per-user accounts, when given). */
  accountName?: string
  /** Account description shown in Mail (EmailAccountDescription): the domain's display name. */
  description: string
  incoming: AccountServer
  outgoing: AccountServer
}

const PLACEHOLDER = /%EMAIL(ADDRESS|LOCALPART|DOMAIN)%/g

/** Expands %EMAILADDRESS%, %EMAILLOCALPART% and %EMAILDOMAIN% for an address. */
export function expandUsername(template: string, address: string): string {
  // The two common templates without the regular expression (a build expands two per user).
  if (template === '%EMAILADDRESS%') return address
  if (!template.includes('%')) return template
  const at = address.lastIndexOf('@')
  const local = at === -1 ? address : address.slice(0, at)
  const domain = at === -1 ? '' : address.slice(at + 1)
  return template.replace(PLACEHOLDER, (_, which: string) => (which === 'ADDRESS' ? address : which === 'LOCALPART' ? local : domain))
}

export function hasPlaceholder(template: string): boolean {
  return /%EMAIL(ADDRESS|LOCALPART|DOMAIN)%/.test(template)
}

function server(s: ServerSettings, user?: UserSettings): AccountServer {
  const username = user ? (user.login ?? expandUsername(s.username, user.address)) : hasPlaceholder(s.username) ? undefined : s.username
  return {protocol: s.protocol, host: s.host, port: s.port, security: s.security, authentication: s.authentication, usernameTemplate: s.username, username}
}

export function domainAccount(domain: DomainSettings): MailAccount {
  return {kind: 'domain', domain, description: domain.displayName, incoming: server(domain.incoming), outgoing: server(domain.outgoing)}
}

export function userAccount(domain: DomainSettings, user: UserSettings): MailAccount {
  return {
    kind: 'user',
    domain,
    user,
    emailAddress: user.address,
    accountName: user.name,
    description: domain.displayName,
    incoming: server(domain.incoming, user),
    outgoing: server(domain.outgoing, user),
  }
}

/** The domain part of an address as compared (normalizeHost), or undefined when there is no `@`. */
export function addressDomain(address: string): string | undefined {
  const at = address.lastIndexOf('@')
  return at === -1 ? undefined : normalizeHost(address.slice(at + 1))
}

/** The settings' domain an address belongs to (case-insensitive, U-labels equal to their A-labels, as lint compares). */
export function domainOf(settings: Settings, address: string): DomainSettings | undefined {
  const d = addressDomain(address)
  return d === undefined ? undefined : settings.domains.find((x) => normalizeHost(x.domain) === d)
}
