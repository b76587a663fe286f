/**
 * Reads an Autodiscover POX answer ([MS-OXDSCLI] 2.2.4.2) the way Outlook does: an <Error>
 * response, an Account with Action redirectAddr (ask again for another address) or redirectUrl
 * (POST to another URL), or settings: the IMAP/POP3/SMTP <Protocol> sections. `Encryption`
 * (SSL: implicit TLS, TLS: STARTTLS, None) wins over `SSL` (on: TLS of the port's kind).
 * EXCH/EXPR/WEB sections are ignored (Exchange, not what doctor judges).
 */
import type {Protocol, Security} from '../mail/protocol.js'
import {securityFromUseSsl} from '../mail/protocol.js'
import type {FoundConfig, FoundServer} from './model.js'
import {children, readXml, text} from './xml.js'

export type PoxRead =
  | {ok: true; kind: 'settings'; config: FoundConfig; encryption: Array<{server: FoundServer; encryption: string}>}
  | {ok: true; kind: 'redirectAddr'; target: string}
  | {ok: true; kind: 'redirectUrl'; target: string}
  | {ok: true; kind: 'error'; errorCode: string; message: string}
  | {ok: false; reason: string}

export function readPox(body: Buffer, source: string): PoxRead {
  const xml = readXml(body)
  if (!xml.ok) return xml
  const response = (xml.doc.Autodiscover as Record<string, unknown> | undefined)?.Response
  if (!response) return {ok: false, reason: 'XML without <Autodiscover><Response>'}
  const error = (response as Record<string, unknown>).Error
  if (error) return {ok: true, kind: 'error', errorCode: text(error, 'ErrorCode'), message: text(error, 'Message')}
  const account = children(response, 'Account')[0]
  if (!account) return {ok: false, reason: 'a Response without <Account>'}
  const action = text(account, 'Action')
  if (action === 'redirectAddr') return {ok: true, kind: 'redirectAddr', target: text(account, 'RedirectAddr')}
  if (action === 'redirectUrl') return {ok: true, kind: 'redirectUrl', target: text(account, 'RedirectUrl')}
  const servers: FoundServer[] = []
  const encryption: Array<{server: FoundServer; encryption: string}> = []
  for (const p of children(account, 'Protocol')) {
    const type = text(p, 'Type').toUpperCase()
    const protocol = ({IMAP: 'imap', POP3: 'pop3', SMTP: 'smtp'} as Record<string, Protocol>)[type]
    if (!protocol) continue
    const host = text(p, 'Server')
    const port = Number(text(p, 'Port') || (protocol === 'imap' ? 993 : protocol === 'pop3' ? 995 : 465))
    if (!host || !(port >= 1 && port <= 65_535)) continue
    const enc = text(p, 'Encryption')
    const ssl = text(p, 'SSL').toLowerCase()
    const security: Security = enc ? ({ssl: 'ssl', tls: 'starttls', none: 'none', auto: securityFromUseSsl(true, port)} as Record<string, Security>)[enc.toLowerCase()] ?? securityFromUseSsl(ssl !== 'off', port) : securityFromUseSsl(ssl !== 'off', port)
    const spaText = text(p, 'SPA').toLowerCase()
    const login = text(p, 'LoginName')
    const s: FoundServer = {role: protocol === 'smtp' ? 'outgoing' : 'incoming', protocol, host, port, security, ...(login ? {username: login} : {}), ...(spaText ? {spa: spaText === 'on'} : {})}
    if (s.spa === true) s.authentication = 'ntlm'
    else s.authentication = 'password'
    servers.push(s)
    if (enc) encryption.push({server: s, encryption: enc})
  }
  if (servers.length === 0) return {ok: false, reason: 'an Autodiscover answer without IMAP, POP3 or SMTP settings'}
  return {ok: true, kind: 'settings', config: {source, format: 'autodiscover-pox', servers}, encryption}
}
