/**
 * Reverse-DNS identifiers derived from mail domains: a domain's default identifier under the
 * organization's, and the PayloadIdentifiers of the profiles built for a domain and its users.
 * Settings (defaults, lint's collision rule), `init` and `build` all derive them here, so what lint
 * checks is what build writes.
 */
import {sha256Hex} from '../util/hash.js'
import {asciiHost, bareHost} from './host.js'

/** example.com → com.example (A-labels, lower case; an IDN contributes its punycode form). */
export function reverseDomain(domain: string): string {
  const bare = bareHost(domain)
  return (asciiHost(bare) || bare.toLowerCase()).split('.').reverse().join('.')
}

/** A domain's identifier when the settings give none: `<organization.identifier>.<domain reversed>`. */
export function defaultDomainIdentifier(organizationIdentifier: string, domain: string): string {
  return `${organizationIdentifier}.${reverseDomain(domain)}`
}

/**
 * A string as one reverse-DNS label: lower-case letters, digits and hyphens. When that changes the
 * string (case, dots, plus signs, non-ASCII), a hash of the original is appended, so two different
 * inputs never give the same label.
 */
export function safeLabel(value: string): string {
  const label = value.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '') || 'x'
  return label === value ? label : `${label}-${sha256Hex(value).slice(0, 8)}`
}

/** PayloadIdentifiers of one profile. */
export interface ProfileIds {
  profile: string
  account: (protocol: 'imap' | 'pop3') => string
  certificate: (derSha256Hex: string) => string
}

function idsUnder(base: string): ProfileIds {
  return {
    profile: base,
    account: (protocol) => `${base}.account.${protocol}`,
    certificate: (sha) => `${base}.ca.${sha.slice(0, 16)}`,
  }
}

/** The domain's generic profile: `<domain identifier>.profile`. */
export function domainProfileIds(domainIdentifier: string): ProfileIds {
  return idsUnder(`${domainIdentifier}.profile`)
}

/** A user's profile: `<domain identifier>.user.<local part as a label>`. */
export function userProfileIds(domainIdentifier: string, address: string): ProfileIds {
  const at = address.lastIndexOf('@')
  const local = at === -1 ? address : address.slice(0, at)
  return idsUnder(`${domainIdentifier}.user.${safeLabel(local)}`)
}
