/**
 * Declarative Device Management: a `com.apple.configuration.account.mail` declaration per account
 * (Apple's account.mail.yaml). The Identifier is the account's PayloadIdentifier; the ServerToken
 * is a hash of the declaration's content, so it changes exactly when the content does (the device
 * re-applies a declaration when its token changes).
 *
 * DDM has no TLS switch (the device decides from the port) and carries no user name: credentials
 * and identity come from asset declarations. When the server authenticates, the declaration
 * references `<Identifier>.credentials` (a com.apple.asset.credential.userpassword asset) as
 * Apple requires, and per-user declarations reference `<Identifier>.identity`
 * (com.apple.asset.useridentity); the MDM supplies those assets under these identifiers.
 */
import type {Authentication} from '../settings/model.js'
import type {AccountServer, MailAccount} from './account.js'
import {sha256Hex} from './ids.js'
import {sortedDict} from './plist-order.js'

export const MAIL_DECLARATION_TYPE = 'com.apple.configuration.account.mail'

const AUTH: Record<Authentication, string> = {password: 'Password', crammd5: 'CRAMMD5', ntlm: 'NTLM', httpmd5: 'HTTPMD5', none: 'None'}

function server(s: AccountServer, identifier: string, serverType?: string): Record<string, unknown> {
  return sortedDict({
    AuthenticationCredentialsAssetReference: s.authentication === 'none' ? undefined : `${identifier}.credentials`,
    AuthenticationMethod: AUTH[s.authentication],
    HostName: s.host,
    Port: s.port,
    ServerType: serverType,
  })
}

/** The declaration object; `identifier` is the account's PayloadIdentifier. */
export function mailDeclaration(account: MailAccount, identifier: string): Record<string, unknown> {
  const payload = sortedDict({
    IncomingServer: server(account.incoming, identifier, account.incoming.protocol === 'pop3' ? 'POP' : 'IMAP'),
    OutgoingServer: server(account.outgoing, identifier),
    UserIdentityAssetReference: account.kind === 'user' ? `${identifier}.identity` : undefined,
    VisibleName: account.emailAddress ? `${account.description} (${account.emailAddress})` : account.description,
  })
  const token = sha256Hex(JSON.stringify({Type: MAIL_DECLARATION_TYPE, Identifier: identifier, Payload: payload})).slice(0, 32)
  return {Type: MAIL_DECLARATION_TYPE, Identifier: identifier, ServerToken: token, Payload: payload}
}

export function serializeDeclaration(declaration: Record<string, unknown>): Buffer {
  return Buffer.from(JSON.stringify(declaration, null, 2) + '\n', 'utf8')
}
