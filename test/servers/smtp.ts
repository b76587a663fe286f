/** The SMTP side of the fixture server (RFC 5321 / 3207 / 4954 subset: EHLO, HELO, STARTTLS, NOOP, RSET, QUIT). */
import type {Dialect} from './mail-server.js'

function multiline(code: number, texts: string[]): string[] {
  return texts.map((t, i) => `${code}${i === texts.length - 1 ? ' ' : '-'}${t}`)
}

export const smtpDialect: Dialect = {
  greeting(state) {
    const host = state.options.hostname
    if (state.options.smtpGreeting) return [state.options.smtpGreeting]
    if (state.options.multilineGreeting)
      return multiline(220, [`${host} ESMTP fixture`, 'This server is for tests only', 'Ready'])
    return [`220 ${host} ESMTP fixture ready`]
  },
  handle(line, state) {
    const command = (line.split(/\s+/)[0] ?? '').toUpperCase()
    const o = state.options
    switch (command) {
      case 'EHLO': {
        const texts = [`${o.hostname} greets you`, 'PIPELINING', 'SIZE 35882577', 'ENHANCEDSTATUSCODES']
        if (!state.tls && o.mode === 'starttls' && o.advertiseStarttls) texts.push('STARTTLS')
        const mechs = state.tls ? o.authAfterTls : o.authBeforeTls
        if (mechs.length > 0) texts.push(`AUTH ${mechs.join(' ')}`)
        texts.push('8BITMIME')
        return {lines: multiline(250, texts)}
      }
      case 'HELO':
        return {lines: [`250 ${o.hostname}`]}
      case 'STARTTLS':
        if (state.tls || o.mode !== 'starttls' || !o.advertiseStarttls) return {lines: ['502 5.5.1 STARTTLS not available']}
        if (o.refuseStarttls) return {lines: ['454 4.7.0 TLS not available due to temporary reason']}
        return {lines: ['220 2.0.0 Ready to start TLS'], then: 'starttls'}
      case 'NOOP':
      case 'RSET':
        return {lines: ['250 2.0.0 OK']}
      case 'QUIT':
        return {lines: ['221 2.0.0 Bye'], then: 'close'}
      case 'AUTH':
        return {lines: ['535 5.7.8 fixture accepts no credentials']}
      default:
        return {lines: ['502 5.5.2 command not recognized']}
    }
  },
}
