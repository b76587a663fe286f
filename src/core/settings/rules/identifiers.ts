import {settingsFinding} from '../codes.js'
import type {Finding, SourceLocation} from '../../findings.js'
import {normalizeHost} from '../../mail/host.js'
import {domainProfileIds, userProfileIds} from '../../mail/identifiers.js'
import type {LintSettings} from '../model.js'
import {analyzeName} from '../names.js'
import type {Rule} from './types.js'
import {FirstIndex} from '../../util/first-index.js'
import {pushAll} from '../../arrays.js'

const REVERSE_DNS = /^[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+$/

export function isReverseDns(identifier: string): boolean {
  return REVERSE_DNS.test(identifier)
}

/** Identifiers (reverse-DNS, unique) and domains (unique). */
export const identifierRules: Rule = ({settings, doc, malformed}) => {
  // Without a well-formed organization the identifiers cannot be derived; the schema findings say why.
  if (malformed?.organization) return []
  const findings: Finding[] = []
  const raw = doc.data as {domains?: Array<{identifier?: unknown}>}
  const org = settings.organization.identifier
  const orgSource = doc.locate(['organization', 'identifier'])
  if (!isReverseDns(org)) findings.push(notReverseDns('organization.identifier', org, orgSource))

  const seenIds = new Map<string, string>([[org.toLowerCase(), 'organization.identifier']])
  const seenDomains = new Map<string, string>()
  settings.domains.forEach((d, position) => {
    const i = d.index ?? position
    const explicit = raw.domains?.[i]?.identifier !== undefined
    const idSource = explicit ? doc.locate(['domains', i, 'identifier']) : d.source
    const label = explicit ? `domains[${i}].identifier` : `the default identifier of domains[${i}] (${d.domain})`
    // A default identifier is built from a valid org identifier and the domain; the domain rules report a bad domain.
    if (explicit && !isReverseDns(d.identifier)) findings.push(notReverseDns(label, d.identifier, idSource))
    const firstId = seenIds.get(d.identifier.toLowerCase())
    if (firstId) {
      findings.push(settingsFinding('identifier-duplicate', {
        message: `${label} is "${d.identifier}", the same as ${firstId}: payloads with the same identifier replace each other on the device, so only one account would be installed.`,
        fix: explicit ? `Give domains[${i}] its own identifier, e.g. ${org}.${d.domain.split('.').reverse().join('.')}.` : 'Give one of them an explicit, different `identifier`.',
        source: idSource,
      }))
    } else {
      seenIds.set(d.identifier.toLowerCase(), label)
    }
    const key = analyzeName(d.domain).ascii || normalizeHost(d.domain)
    const firstDomain = seenDomains.get(key)
    if (firstDomain) {
      findings.push(settingsFinding('domain-duplicate', {
        message: `Mail domain "${d.domain}" is declared again (first in ${firstDomain}): users would get two accounts for one domain, or one would silently win.`,
        fix: `Merge domains[${i}] into ${firstDomain}.`,
        source: d.source,
      }))
    } else {
      seenDomains.set(key, `domains[${i}]`)
    }
  })
  pushAll(findings, profileIdentifierCollisions(settings))
  return findings
}

/**
 * The profile identifiers build derives (src/core/mail/identifiers.ts), one per domain and one per
 * user: two equal ones would make the device replace one profile with the other. Repeated domain
 * identifiers and repeated users (identifier-duplicate, user-duplicate) and users outside every
 * domain are reported by their own rules and skipped here.
 */
function profileIdentifierCollisions(settings: LintSettings): Finding[] {
  const findings: Finding[] = []
  const owners = new Map<string, string>()
  const byDomain = new Map(settings.domains.map((d) => [normalizeHost(d.domain), d]))
  const claim = (identifier: string, owner: string, source: SourceLocation) => {
    const key = identifier.toLowerCase()
    const first = owners.get(key)
    if (first === undefined) {
      owners.set(key, owner)
      return
    }
    findings.push(collision(owner, identifier, first, source))
  }
  const seen = new Set<string>()
  const once = (key: string) => !seen.has(key) && Boolean(seen.add(key))
  for (const d of settings.domains) {
    if (once(`domain ${d.identifier.toLowerCase()}`)) claim(domainProfileIds(d.identifier).profile, `the domain ${d.domain}`, d.source)
  }
  // Users by position (a million identifiers are not kept as strings): the earlier user of the same
  // address, and of the same identifier, made again from its position when a hash matches.
  const users = settings.users
  const domainOfUser = (address: string) => {
    const at = address.lastIndexOf('@')
    return at === -1 ? undefined : byDomain.get(normalizeHost(address.slice(at + 1)))
  }
  const identifierOf = (j: number): string => {
    const address = users.at(j)!.address
    return userProfileIds(domainOfUser(address)!.identifier, address).profile
  }
  const sameAddress = new FirstIndex((j) => users.at(j)!.address.toLowerCase())
  const sameIdentifier = new FirstIndex((j) => identifierOf(j).toLowerCase())
  for (let i = 0; i < users.length; i++) {
    const user = users.at(i)!
    const domain = domainOfUser(user.address)
    if (!domain || sameAddress.claim(user.address.toLowerCase(), i) !== -1) continue
    const identifier = userProfileIds(domain.identifier, user.address).profile
    const key = identifier.toLowerCase()
    const owner = `the user ${user.address}`
    if (owners.has(key)) {
      claim(identifier, owner, user.source)
      continue
    }
    const j = sameIdentifier.claim(key, i)
    if (j !== -1) findings.push(collision(owner, identifier, `the user ${users.at(j)!.address}`, user.source))
  }
  return findings
}

function collision(owner: string, identifier: string, first: string, source: SourceLocation): Finding {
  return settingsFinding('profile-identifier-collision', {
    message: `The profile for ${owner} would have the PayloadIdentifier "${identifier}", the same as the profile for ${first}: the device would replace one with the other, and build refuses to write both.`,
    source,
  })
}

/** The finding for an identifier that is not reverse-DNS; also used by `inspect` for profiles' identifiers. */
export function notReverseDns(label: string, value: string, source: SourceLocation): Finding {
  const whitespace = /\s/.test(value) ? ' (it contains whitespace, e.g. a line break around the value in the XML)' : ''
  return settingsFinding('identifier-not-reverse-dns', {
    message: `${label} ${whitespace ? JSON.stringify(value) : `"${value}"`} is not a reverse-DNS identifier${whitespace}: profile and payload identifiers need at least two dot-separated labels of letters, digits and hyphens; devices and MDMs refuse or mix up others.`,
    fix: 'Use your domain reversed plus a suffix, e.g. `com.example.mail`.',
    source,
  })
}
