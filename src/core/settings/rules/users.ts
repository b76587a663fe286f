import {formatSource, type Finding} from '../../findings.js'
import {settingsFinding} from '../codes.js'
import {normalizeHost} from '../../mail/host.js'
import {analyzeAddress, analyzeName} from '../names.js'
import type {Rule} from './types.js'
import {FirstIndex} from '../../util/first-index.js'

/** Users: valid addresses, no duplicates (case-insensitive), domains declared. CSV users carry their CSV line. */
export const userRules: Rule = ({settings, malformed}) => {
  const findings: Finding[] = []
  const declared = new Set(settings.domains.map((d) => analyzeName(d.domain).ascii || normalizeHost(d.domain)))
  const users = settings.users
  // The first user of each address (compared case-insensitively), by position: no map of a million addresses.
  const first = new FirstIndex((j) => analyzeAddress(users.at(j)!.address).key)
  for (let i = 0; i < users.length; i++) {
    const user = users.at(i)!
    const a = analyzeAddress(user.address)
    if (a.problem) {
      findings.push(settingsFinding('user-address-invalid', {
        message: `User address "${user.address}" is not a valid email address: ${a.problem}. The profile would set up an account that cannot log in or send.`,
        fix: 'Write the address as local-part@domain, e.g. jane.doe@example.com.',
        source: user.source,
      }))
      continue
    }
    const seenAt = first.claim(a.key, i)
    if (seenAt !== -1) {
      const earlier = users.at(seenAt)!.source
      const seen = earlier.file === settings.file ? `line ${earlier.line}` : formatSource(earlier)
      findings.push(settingsFinding('user-duplicate', {
        message: `User ${user.address} is listed twice (first at ${seen}; addresses are compared case-insensitively): both would get a profile with the same identifier and one would replace the other.`,
        fix: 'Remove one of the two entries.',
        source: user.source,
      }))
      continue
    }
    // A skipped (malformed) domain may be this user's: say nothing rather than something false.
    if (!declared.has(a.domainAscii) && !malformed?.domains) {
      findings.push(settingsFinding('user-domain-unknown', {
        message: `User ${user.address} is in domain ${a.domain}, which is not one of the settings' domains (${settings.domains.map((d) => d.domain).join(', ')}): there are no servers for it, so no profile can be built.`,
        fix: `Add ${a.domain} to \`domains\`, or correct the address.`,
        source: user.source,
      }))
    }
  }
  return findings
}
