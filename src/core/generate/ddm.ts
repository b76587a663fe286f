/**
 * Declarative Device Management: a `com.apple.configuration.account.mail` declaration per account
 * (Apple's account.mail.yaml). The Identifier is the account's PayloadIdentifier; the ServerToken
 * is a hash of the declaration's content, so it changes exactly when the content does (the device
 * re-applies a declaration when its token changes).
 *
 * DDM has no TLS switch (the device decides from the port) and carries no user name: credentials
 * and identity come from asset declarations, and a configuration applies only when an activation
 * names it. So each account gets a set (`declarationSet`), each declaration validated against
 * Apple's schema by `build`:
 * - the configuration `<Identifier>`;
 * - `<Identifier>.credentials` (com.apple.asset.credential.userpassword), when a server
 *   authenticates: a reference to the user name and password data (Apple's
 *   com.apple.credential.usernameandpassword JSON), fetched with MDM authentication. That data
 *   holds the password, which mailprofile never has: the MDM serves it and replaces the
 *   placeholder DataURL (https://mdm.invalid/…, a name that never resolves) with its own URL;
 * - `<Identifier>.identity` (com.apple.asset.useridentity) for a user: the address and name;
 * - `<Identifier>.activation` (com.apple.activation.simple) naming the configuration.
 */
import type {Authentication} from '../settings/model.js'
import type {AccountServer, MailAccount} from './account.js'
import {sha256Hex} from '../util/hash.js'
import {sortedDict} from './plist-order.js'

export const MAIL_DECLARATION_TYPE = 'com.apple.configuration.account.mail'
export const CREDENTIAL_ASSET_TYPE = 'com.apple.asset.credential.userpassword'
export const IDENTITY_ASSET_TYPE = 'com.apple.asset.useridentity'
export const ACTIVATION_TYPE = 'com.apple.activation.simple'

/** Where the MDM serves the credential data; a placeholder it must replace (`.invalid` never resolves, RFC 2606). */
export const CREDENTIAL_DATA_URL_BASE = 'https://mdm.invalid/mailprofile/credentials/'

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

/** A declaration with its ServerToken: a hash of its content, so it changes exactly when the content does. */
function declaration(type: string, identifier: string, payload: Record<string, unknown>): Record<string, unknown> {
  const token = sha256Hex(JSON.stringify({Type: type, Identifier: identifier, Payload: payload})).slice(0, 32)
  return {Type: type, Identifier: identifier, ServerToken: token, Payload: payload}
}

/** The declaration object; `identifier` is the account's PayloadIdentifier. */
export function mailDeclaration(account: MailAccount, identifier: string): Record<string, unknown> {
  const payload = sortedDict({
    IncomingServer: server(account.incoming, identifier, account.incoming.protocol === 'pop3' ? 'POP' : 'IMAP'),
    OutgoingServer: server(account.outgoing, identifier),
    UserIdentityAssetReference: account.kind === 'user' ? `${identifier}.identity` : undefined,
    VisibleName: account.emailAddress ? `${account.description} (${account.emailAddress})` : account.description,
  })
  return declaration(MAIL_DECLARATION_TYPE, identifier, payload)
}

/** One file of an account's declaration set: `suffix` is added to the configuration's file name. */
export interface DeclarationFile {
  /** '' for the configuration, `.credentials`, `.identity`, `.activation` for the others. */
  suffix: string
  declaration: Record<string, unknown>
}

/** The configuration, the assets it references and the activation that applies it (see the module comment). */
export function declarationSet(account: MailAccount, identifier: string): DeclarationFile[] {
  const configuration = mailDeclaration(account, identifier)
  const files: DeclarationFile[] = [{suffix: '', declaration: configuration}]
  if (account.incoming.authentication !== 'none' || account.outgoing.authentication !== 'none') {
    const payload = {
      Authentication: {Type: 'MDM'},
      Reference: sortedDict({ContentType: 'application/json', DataURL: `${CREDENTIAL_DATA_URL_BASE}${encodeURIComponent(`${identifier}.credentials`)}.json`}),
    }
    files.push({suffix: '.credentials', declaration: declaration(CREDENTIAL_ASSET_TYPE, `${identifier}.credentials`, payload)})
  }
  if (account.kind === 'user' && account.emailAddress) {
    files.push({suffix: '.identity', declaration: declaration(IDENTITY_ASSET_TYPE, `${identifier}.identity`, sortedDict({EmailAddress: account.emailAddress, FullName: account.accountName}))})
  }
  files.push({suffix: '.activation', declaration: declaration(ACTIVATION_TYPE, `${identifier}.activation`, {StandardConfigurations: [identifier]})})
  return files
}

export function serializeDeclaration(declaration: Record<string, unknown>): Buffer {
  return Buffer.from(JSON.stringify(declaration, null, 2) + '\n', 'utf8')
}
