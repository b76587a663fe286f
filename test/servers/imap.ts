/** The IMAP side of the fixture server (RFC 9051 subset: CAPABILITY, STARTTLS, NOOP, LOGOUT). */
import type {Dialect, SessionState} from './mail-server.js'

function capabilities(state: SessionState): string {
  const o = state.options
  const caps = ['IMAP4rev1', 'LITERAL+', 'SASL-IR', 'ID', 'IDLE']
  if (!state.tls && o.mode === 'starttls' && o.advertiseStarttls) caps.push('STARTTLS')
  const mechs = state.tls ? o.authAfterTls : o.authBeforeTls
  for (const m of mechs) caps.push(`AUTH=${m}`)
  if ((!state.tls && mechs.length === 0) || (state.tls && o.loginDisabledAfterTls)) caps.push('LOGINDISABLED')
  return caps.join(' ')
}

export const imapDialect: Dialect = {
  greeting: (state) => [`* OK ${state.options.hostname} fixture IMAP ready`],
  handle(line, state) {
    const match = /^(\S+)\s+(\S+)/.exec(line)
    if (!match) return {lines: ['* BAD missing tag or command']}
    const tag = match[1]!
    const command = match[2]!.toUpperCase()
    switch (command) {
      case 'CAPABILITY':
        return {lines: [`* CAPABILITY ${capabilities(state)}`, `${tag} OK CAPABILITY completed`]}
      case 'STARTTLS':
        if (state.tls || state.options.mode !== 'starttls' || !state.options.advertiseStarttls)
          return {lines: [`${tag} BAD STARTTLS not available`]}
        if (state.options.refuseStarttls) return {lines: [`${tag} NO [UNAVAILABLE] TLS is not available right now`]}
        return {lines: [`${tag} OK Begin TLS negotiation now`], then: 'starttls'}
      case 'NOOP':
        return {lines: [`${tag} OK NOOP completed`]}
      case 'LOGOUT':
        return {lines: ['* BYE Logging out', `${tag} OK LOGOUT completed`], then: 'close'}
      case 'LOGIN':
      case 'AUTHENTICATE':
        return {lines: [`${tag} NO [AUTHENTICATIONFAILED] fixture accepts no credentials`]}
      default:
        return {lines: [`${tag} BAD unknown command`]}
    }
  },
}
