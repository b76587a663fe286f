/**
 * Thunderbird's autoconfig file (`https://autoconfig.<domain>/mail/config-v1.1.xml`, the IETF draft
 * "Mail Autoconfig"): one emailProvider for the domain. The domain's file keeps the username's %EMAILADDRESS% /
 * %EMAILLOCALPART% / %EMAILDOMAIN% placeholders, which the client fills in; a user's account (what
 * `serve` answers for `?emailaddress=`) carries the login expanded for that address.
 */
import type {Authentication, Security} from '../settings/model.js'
import type {AccountServer, MailAccount} from './account.js'
import {buildXml} from './xml-builder.js'

const SOCKET_TYPE: Record<Security, string> = {ssl: 'SSL', starttls: 'STARTTLS', none: 'plain'}

/** password → SASL PLAIN/LOGIN; CRAM-MD5 and HTTP-MD5 are challenge-response ("password-encrypted"). */
const AUTHENTICATION: Record<Authentication, string> = {
  password: 'password-cleartext',
  crammd5: 'password-encrypted',
  httpmd5: 'password-encrypted',
  ntlm: 'NTLM',
  none: 'none',
}

function server(s: AccountServer, type: string): Record<string, unknown> {
  return {
    '@_type': type,
    hostname: s.host,
    port: s.port,
    socketType: SOCKET_TYPE[s.security],
    authentication: AUTHENTICATION[s.authentication],
    // A domain account has `username` only for a literal template (the same string), so its file is unchanged.
    username: s.username ?? s.usernameTemplate,
  }
}

export function autoconfigObject(account: MailAccount): Record<string, unknown> {
  const {domain} = account
  return {
    clientConfig: {
      '@_version': '1.1',
      emailProvider: {
        '@_id': domain.domain,
        domain: domain.domain,
        displayName: domain.displayName,
        incomingServer: server(account.incoming, account.incoming.protocol === 'pop3' ? 'pop3' : 'imap'),
        outgoingServer: server(account.outgoing, 'smtp'),
      },
    },
  }
}

export function buildAutoconfig(account: MailAccount): Buffer {
  return buildXml(autoconfigObject(account), 'autoconfig')
}
