/**
 * The endpoints `check` probes: every distinct (host, port, protocol, security) named in the
 * settings, each keeping where it was written so findings can point at file:line:col too.
 */
import type {Finding, SourceLocation} from '../findings.js'
import {finding} from '../codes.js'
import {connectHost, endpointKey, hostPort} from '../mail/host.js'
import type {ProbeSecurity, ProbeTarget} from '../net/evidence.js'
import type {Authentication, ServerSettings, Settings} from '../settings/model.js'

/** Where a settings file names an endpoint. */
export interface SettingsSource {
  /** The mail domain whose account uses the server. */
  domain: string
  role: 'incoming' | 'outgoing'
  /** Where the server's port (or its block) is written: what `settingsSources` in the JSON shows. */
  source: SourceLocation
  /** Where the host name is written: host-level findings point here (see finding-source.ts). */
  hostSource?: SourceLocation
  /** How the account signs in there (the settings' `authentication`), and where that is written. */
  authentication?: Authentication
  authenticationSource?: SourceLocation
}

export interface CheckEndpoint {
  target: ProbeTarget
  /** Where the settings name it (empty for `probe`). */
  settingsSources: SettingsSource[]
}

/**
 * Distinct endpoints in settings order. Servers with security `none` are not probed; each gets
 * an info finding `check-skipped-plaintext` at its position in the settings.
 */
export function endpointsFromSettings(settings: Settings): {endpoints: CheckEndpoint[]; findings: Finding[]} {
  const byKey = new Map<string, CheckEndpoint>()
  const findings: Finding[] = []
  const add = (domain: string, role: SettingsSource['role'], s: ServerSettings) => {
    if (s.security === 'none') {
      findings.push(finding('check-skipped-plaintext', {
        message: `${role === 'incoming' ? `Incoming (${s.protocol.toUpperCase()})` : 'Outgoing (SMTP)'} server ${hostPort(s.host, s.port)} for ${domain} is set to security "none": there is no certificate to check, so it was not probed.`,
        fix: 'Use "ssl" (implicit TLS) or "starttls"; `lint` reports this as security-none.',
        source: s.source,
        endpoint: {host: s.host, port: s.port, protocol: s.protocol, security: s.security},
      }))
      return
    }
    const target: ProbeTarget = {host: connectHost(s.host), port: s.port, protocol: s.protocol, security: s.security as ProbeSecurity}
    const key = endpointKey(target)
    let ep = byKey.get(key)
    if (!ep) byKey.set(key, (ep = {target, settingsSources: []}))
    ep.settingsSources.push({
      domain,
      role,
      source: s.source,
      ...(s.hostSource ? {hostSource: s.hostSource} : {}),
      authentication: s.authentication,
      ...(s.authenticationSource ? {authenticationSource: s.authenticationSource} : {}),
    })
  }
  for (const d of settings.domains) {
    add(d.domain, 'incoming', d.incoming)
    add(d.domain, 'outgoing', d.outgoing)
  }
  return {endpoints: [...byKey.values()], findings}
}
