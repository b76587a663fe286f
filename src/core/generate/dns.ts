/**
 * A zone-file snippet per domain: SRV records for mail service discovery (RFC 6186, with the
 * implicit-TLS services of RFC 8314 §5.1) and the autoconfig/autodiscover host names clients look
 * up. A target of "." means "this service is not offered here" (RFC 2782, RFC 6186 §3.4), so
 * clients never fall back to a protocol/mode the settings do not describe. Implicit TLS gets
 * priority 0 (RFC 8314 §5.1 asks clients to prefer it).
 */
import {InputError} from '../errors.js'
import type {SourceLocation} from '../findings.js'
import {asciiHost} from '../mail/host.js'
import type {DomainSettings, ServerSettings} from '../settings/model.js'
import {maxOf} from '../arrays.js'

export const DNS_TTL = 3600

/** A host name as an absolute DNS name (punycode for IDNs, trailing dot); throws for names a zone file cannot hold. */
export function absoluteName(name: string, field: string, location?: SourceLocation): string {
  const ascii = asciiHost(name)
  const labels = ascii.split('.')
  const ok = ascii.length > 0 && ascii.length <= 253 && labels.every((l) => /^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9])?$/.test(l))
  if (!ok) throw new InputError(`${field} "${name}" is not a DNS host name a zone file can hold`, location)
  return `${ascii}.`
}

interface Srv {
  service: string
  port: number
  target: string
}

function srvFor(server: ServerSettings, field: string): {tls: Srv; plain: Srv} {
  const [tlsService, plainService] = server.protocol === 'imap' ? ['_imaps', '_imap'] : server.protocol === 'pop3' ? ['_pop3s', '_pop3'] : ['_submissions', '_submission']
  const host = absoluteName(server.host, field, server.source)
  const none = (service: string): Srv => ({service, port: 0, target: '.'})
  if (server.security === 'ssl') return {tls: {service: tlsService!, port: server.port, target: host}, plain: none(plainService!)}
  return {tls: none(tlsService!), plain: {service: plainService!, port: server.port, target: host}}
}

function pad(s: string, width: number): string {
  return s.length >= width ? `${s} ` : s + ' '.repeat(width - s.length)
}

export function buildDnsZone(domain: DomainSettings): Buffer {
  const zone = absoluteName(domain.domain, 'domain', domain.source)
  const incoming = srvFor(domain.incoming, 'incoming.host')
  const outgoing = srvFor(domain.outgoing, 'outgoing.host')
  const other: Srv[] =
    domain.incoming.protocol === 'imap'
      ? [{service: '_pop3s', port: 0, target: '.'}, {service: '_pop3', port: 0, target: '.'}]
      : [{service: '_imaps', port: 0, target: '.'}, {service: '_imap', port: 0, target: '.'}]
  const records: Srv[] = [incoming.tls, incoming.plain, ...other, outgoing.tls, outgoing.plain]
  const order = ['_imaps', '_imap', '_pop3s', '_pop3', '_submissions', '_submission']
  records.sort((a, b) => order.indexOf(a.service) - order.indexOf(b.service))
  const lines = [
    `; DNS records for ${zone} written by mailprofile. Paste into the zone of ${zone}`,
    '; Mail service discovery: RFC 6186 and RFC 8314. Target "." = service not offered.',
  ]
  const width = maxOf([...records.map((r) => r.service), '_autodiscover'].map((s) => `${s}._tcp.${zone}`.length)) + 1
  for (const r of records) {
    const priority = r.target === '.' || r.service.endsWith('s') ? 0 : 10
    const weight = r.target === '.' ? 0 : 1
    lines.push(`${pad(`${r.service}._tcp.${zone}`, width)}${DNS_TTL} IN SRV ${priority} ${weight} ${r.port} ${r.target}`)
  }
  lines.push(
    '',
    '; Outlook: Autodiscover (POST https://autodiscover.<domain>/autodiscover/autodiscover.xml, or the SRV target).',
    `${pad(`_autodiscover._tcp.${zone}`, width)}${DNS_TTL} IN SRV 0 1 443 autodiscover.${zone}`,
    '',
    '; Host names the clients fetch over HTTPS; point them at the web server that serves the files',
    '; mailprofile wrote (a CNAME or A/AAAA records, with a certificate that covers the name):',
    `; autodiscover.${zone}  ${DNS_TTL} IN CNAME <your web host>.   serves autodiscover.xml`,
    `; autoconfig.${zone}  ${DNS_TTL} IN CNAME <your web host>.   serves /mail/config-v1.1.xml`,
    '',
  )
  return Buffer.from(lines.join('\n'), 'utf8')
}
