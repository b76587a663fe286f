/**
 * Reads a Thunderbird autoconfig file (config-v1.1.xml) as leniently as Thunderbird's readFromXML:
 * every <incomingServer>/<outgoingServer> is read on its own, a section Thunderbird cannot use
 * (unknown type, no hostname, a port that is not 1–65535, an unknown socketType) is skipped with a
 * finding and the others are kept; the first supported <authentication> wins.
 */
import {finding} from '../codes.js'
import type {Finding} from '../findings.js'
import type {Authentication, Protocol, Security} from '../mail/protocol.js'
import type {FoundConfig, FoundServer} from './model.js'
import {children, readXml, text} from './xml.js'

const SOCKET: Record<string, Security> = {ssl: 'ssl', starttls: 'starttls', plain: 'none'}
const AUTH: Record<string, Authentication> = {
  'password-cleartext': 'password',
  plain: 'password',
  'password-encrypted': 'crammd5',
  secure: 'crammd5',
  ntlm: 'ntlm',
  none: 'none',
}

export type AutoconfigRead = {ok: true; config: FoundConfig; findings: Finding[]} | {ok: false; reason: string}

function server(node: unknown, role: FoundServer['role'], source: string, findings: Finding[], n: number): FoundServer | undefined {
  const type = String((node as Record<string, unknown>)?.['@type'] ?? '').toLowerCase()
  const where = `${role === 'incoming' ? 'incomingServer' : 'outgoingServer'} #${n} of ${source}`
  const skip = (why: string): undefined => {
    findings.push(finding('autoconfig-server-invalid', {message: `Thunderbird skips ${where}: ${why}.`}))
    return undefined
  }
  const protocol = (role === 'incoming' ? (type === 'imap' || type === 'pop3' ? type : undefined) : type === 'smtp' ? 'smtp' : undefined) as Protocol | undefined
  if (!protocol) return skip(`type "${type}" is not ${role === 'incoming' ? 'imap or pop3' : 'smtp'}`)
  const host = text(node, 'hostname')
  if (!host || /[\s/]/.test(host)) return skip(host ? `hostname "${host}" is not a host name` : 'it has no <hostname>')
  const portText = text(node, 'port')
  const port = Number(portText)
  if (!/^\d{1,5}$/.test(portText) || port < 1 || port > 65_535) return skip(`<port> "${portText}" is not a port number`)
  const socket = text(node, 'socketType')
  const security = SOCKET[socket.toLowerCase()]
  if (!security) return skip(`<socketType> "${socket}" is not SSL, STARTTLS or plain`)
  const auths = children(node, 'authentication').map((a) => (typeof a === 'string' ? a : text({a}, 'a')).toLowerCase())
  const authentication = auths.map((a) => AUTH[a]).find((a) => a !== undefined)
  const username = text(node, 'username') || undefined
  return {role, protocol, host, port, security, ...(username ? {username} : {}), ...(authentication ? {authentication} : {})}
}

export function readAutoconfig(body: Buffer, source: string): AutoconfigRead {
  const xml = readXml(body)
  if (!xml.ok) return xml
  const root = xml.doc.clientConfig
  const provider = children(root, 'emailProvider')[0]
  if (!provider) return {ok: false, reason: 'XML without <clientConfig><emailProvider>'}
  const findings: Finding[] = []
  const servers: FoundServer[] = []
  children(provider, 'incomingServer').forEach((s, i) => {
    const f = server(s, 'incoming', source, findings, i + 1)
    if (f) servers.push(f)
  })
  children(provider, 'outgoingServer').forEach((s, i) => {
    const f = server(s, 'outgoing', source, findings, i + 1)
    if (f) servers.push(f)
  })
  if (!servers.some((s) => s.role === 'incoming')) return {ok: false, reason: 'no usable incoming server'}
  return {ok: true, config: {source, format: 'autoconfig', servers}, findings}
}
