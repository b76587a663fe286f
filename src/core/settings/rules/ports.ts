import type {Finding} from '../../findings.js'
import {settingsFinding} from '../codes.js'
import {DEFAULT_PORTS, isImplicitTlsPort, isStarttlsPort, protocolOfPort} from '../../mail/protocol.js'
import type {ServerSettings} from '../model.js'
import type {Rule} from './types.js'

const label = (s: ServerSettings) => (s.protocol === 'smtp' ? 'outgoing (SMTP)' : `incoming (${s.protocol.toUpperCase()})`)

/** Port/security contradictions and plaintext servers (RFC 8314). */
export const portRules: Rule = ({settings, doc}) => {
  const findings: Finding[] = []
  for (const [position, d] of settings.domains.entries()) {
    const i = d.index ?? position
    for (const side of ['incoming', 'outgoing'] as const) {
      const s = d[side]
      if (!s) continue
      if (s.security === 'none') {
        findings.push(settingsFinding('security-none', {
          message: `${label(s)} server ${s.host} is set to security "none": passwords and mail would cross the network in clear text, and current iOS and Outlook versions warn or refuse (RFC 8314).`,
          fix: `Use security "ssl" on port ${DEFAULT_PORTS[s.protocol].ssl} (implicit TLS) or "starttls" on port ${DEFAULT_PORTS[s.protocol].starttls}.`,
          source: doc.locate(['domains', i, side, 'security']),
        }))
      }
      if (s.security !== 'ssl' && isImplicitTlsPort(s.port)) {
        findings.push(settingsFinding('port-security-mismatch', {
          message: `${label(s)} server ${s.host}: port ${s.port} speaks implicit TLS, but security is "${s.security}". Clients would wait for a plaintext greeting that never comes: Outlook hangs and iOS reports "Cannot Connect".`,
          fix: `Set security to "ssl" for port ${s.port}, or use port ${DEFAULT_PORTS[s.protocol].starttls} for STARTTLS.`,
          source: s.source,
        }))
      } else if (s.security === 'ssl' && isStarttlsPort(s.port)) {
        findings.push(settingsFinding('port-security-mismatch', {
          message: `${label(s)} server ${s.host}: port ${s.port} starts in plaintext (STARTTLS), but security is "ssl" (implicit TLS). The client's TLS handshake meets a plaintext greeting and fails: iOS reports "Cannot Connect Using SSL".`,
          fix: `Set security to "starttls" for port ${s.port}, or use port ${DEFAULT_PORTS[s.protocol].ssl} for implicit TLS.`,
          source: s.source,
        }))
      } else if (s.protocol === 'smtp' && s.port === 25) {
        findings.push(settingsFinding('smtp-port-25', {
          message: `Outgoing server ${s.host} uses port 25, the server-to-server relay port: many networks block it and it is not meant for client submission (RFC 6409).`,
          fix: 'Use port 465 with security "ssl" (RFC 8314) or 587 with "starttls".',
          source: s.source,
        }))
      }
      const owner = protocolOfPort(s.port)
      if (owner && owner !== s.protocol) {
        findings.push(settingsFinding('port-protocol-mismatch', {
          message: `${label(s)} server ${s.host} uses port ${s.port}, which belongs to ${owner.toUpperCase()}: the client would speak ${s.protocol.toUpperCase()} to a ${owner.toUpperCase()} service and fail.`,
          fix: `Use port ${DEFAULT_PORTS[s.protocol][s.security === 'none' ? 'starttls' : s.security]} for ${s.protocol.toUpperCase()}.`,
          source: s.source,
        }))
      }
    }
  }
  return findings
}
