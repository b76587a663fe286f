/**
 * Drift: what a client found against what the settings file says for this address's domain.
 * Host (compared as normalized names), port, TLS mode, user name (both sides' placeholders
 * expanded for the address: generate/account's expandUsername) and authentication; each
 * difference is a finding naming the field and both values, pointing at the settings line.
 */
import {finding} from '../codes.js'
import type {Finding} from '../findings.js'
import {expandUsername} from '../generate/account.js'
import {normalizeHost} from '../mail/host.js'
import type {ServerSettings, Settings} from '../settings/model.js'
import {CLIENT_TITLES, type ClientName, type FoundConfig, type FoundServer} from './model.js'

export function settingsServers(settings: Settings, address: string): {incoming: ServerSettings; outgoing: ServerSettings; login?: string} | undefined {
  const domain = address.slice(address.lastIndexOf('@') + 1).toLowerCase()
  const d = settings.domains.find((x) => normalizeHost(x.domain) === normalizeHost(domain))
  if (!d) return undefined
  const user = settings.users.find((u) => u.address.toLowerCase() === address.toLowerCase())
  return {incoming: d.incoming, outgoing: d.outgoing, ...(user?.login ? {login: user.login} : {})}
}

export function driftFindings(client: ClientName, config: FoundConfig, settings: Settings, address: string): Finding[] {
  const want = settingsServers(settings, address)
  if (!want) return []
  const out: Finding[] = []
  for (const role of ['incoming', 'outgoing'] as const) {
    const s = want[role]
    const f: FoundServer | undefined = config.servers.find((x) => x.role === role)
    if (!f) continue
    const fields: Array<[string, string, string]> = [
      ['host', normalizeHost(f.host), normalizeHost(s.host)],
      ['port', String(f.port), String(s.port)],
      ['TLS mode', f.security, s.security],
    ]
    if (role === 'incoming') fields.unshift(['protocol', f.protocol, s.protocol])
    if (f.username !== undefined && config.format !== 'srv' && config.format !== 'guess') fields.push(['username', expandUsername(f.username, address), want.login ?? expandUsername(s.username, address)])
    if (f.authentication !== undefined && config.format === 'autoconfig') fields.push(['authentication', f.authentication, s.authentication])
    for (const [field, found, expected] of fields) {
      if (found === expected) continue
      out.push(
        finding('discovery-drift', {
          message: `${CLIENT_TITLES[client]} gets ${role} ${field} "${found}" from ${config.source}, but the settings say "${expected}".`,
          source: s.source,
          endpoint: {host: f.host, port: f.port, protocol: f.protocol, security: f.security},
        }),
      )
    }
  }
  return out
}
