/**
 * Outlook's POX Autodiscover response ([MS-OXDSCLI]): `Autodiscover` in
 * http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006 holding a `Response` in
 * …/outlook/responseschema/2006a with one `Account` (AccountType email, Action settings) and a
 * `Protocol` per server.
 *
 * Encryption: `SSL` for implicit TLS (993, 995, 465), `TLS` for STARTTLS, `None` without TLS;
 * [MS-OXDSCLI] says `Encryption` overrides `SSL`, which older Outlook versions read instead, so
 * `SSL` is `on` whenever there is any TLS. `SPA` (Secure Password Authentication) means NTLM, so
 * it is `on` only for `authentication: ntlm`. `LoginName` is written for a user's response, and for
 * the domain's response only when the username is a literal (no %EMAIL…% placeholder): with no
 * LoginName Outlook uses the address the user typed, which is what `%EMAILADDRESS%` means.
 */
import type {Security} from '../settings/model.js'
import type {AccountServer, MailAccount} from './account.js'
import {buildXml} from './xml-builder.js'

export const AUTODISCOVER_RESPONSE_NS = 'http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006'
export const OUTLOOK_RESPONSE_NS = 'http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a'

export function encryptionOf(security: Security): 'SSL' | 'TLS' | 'None' {
  return security === 'ssl' ? 'SSL' : security === 'starttls' ? 'TLS' : 'None'
}

const onOff = (b: boolean): string => (b ? 'on' : 'off')

function protocol(server: AccountServer, type: 'IMAP' | 'POP3' | 'SMTP', extra: Record<string, unknown> = {}): Record<string, unknown> {
  const out: Record<string, unknown> = {Type: type, Server: server.host, Port: server.port}
  if (server.username !== undefined) out.LoginName = server.username
  Object.assign(out, {
    DomainRequired: 'off',
    SPA: onOff(server.authentication === 'ntlm'),
    SSL: onOff(server.security !== 'none'),
    Encryption: encryptionOf(server.security),
    AuthRequired: onOff(server.authentication !== 'none'),
    ...extra,
  })
  return out
}

export function autodiscoverObject(account: MailAccount): Record<string, unknown> {
  const {incoming, outgoing} = account
  const smtpExtra: Record<string, unknown> = {}
  if (outgoing.authentication !== 'none' && incoming.authentication !== 'none' && outgoing.usernameTemplate === incoming.usernameTemplate) smtpExtra.UsePOPAuth = 'on'
  const response: Record<string, unknown> = {'@_xmlns': OUTLOOK_RESPONSE_NS}
  if (account.accountName !== undefined) response.User = {DisplayName: account.accountName}
  response.Account = {
    AccountType: 'email',
    Action: 'settings',
    Protocol: [protocol(incoming, incoming.protocol === 'pop3' ? 'POP3' : 'IMAP'), protocol(outgoing, 'SMTP', smtpExtra)],
  }
  return {Autodiscover: {'@_xmlns': AUTODISCOVER_RESPONSE_NS, Response: response}}
}

export function buildAutodiscover(account: MailAccount): Buffer {
  return buildXml(autodiscoverObject(account), 'autodiscover')
}

/**
 * The documented error response ([MS-OXDSCLI] 2.2.4.1.1.3, error codes in 2.2.4.1.1.3.2), for the
 * web server to return for requests it cannot answer: 600 "Invalid Request" (malformed request),
 * 500 (address not found), 601 (response schema not provided). `Time` and `Id` attributes are left out: they describe a live server.
 */
export function buildAutodiscoverError(code: 500 | 600 | 601 = 600): Buffer {
  // 601: "Provider could not be found for the requested schema" (e.g. mobilesync, which this server does not provide).
  const message = code === 600 ? 'Invalid Request' : code === 601 ? 'Provider could not be found for the requested schema.' : 'The email address cannot be found.'
  return buildXml({Autodiscover: {'@_xmlns': AUTODISCOVER_RESPONSE_NS, Response: {Error: {ErrorCode: code, Message: message, DebugData: ''}}}}, 'autodiscover error')
}
