/** The POP3 side of the fixture server (RFC 1939 / 2449 / 2595 subset: CAPA, STLS, NOOP, QUIT). */
import type {Dialect} from './mail-server.js'

export const pop3Dialect: Dialect = {
  greeting: (state) => [`+OK ${state.options.hostname} fixture POP3 ready${state.options.apopTimestamp ? ' <1896.697170952@fixture.example.test>' : ''}`],
  handle(line, state) {
    const command = (line.split(/\s+/)[0] ?? '').toUpperCase()
    const o = state.options
    switch (command) {
      case 'CAPA': {
        const lines = ['+OK Capability list follows', 'TOP', 'UIDL', 'RESP-CODES', 'PIPELINING']
        const mechs = state.tls ? o.authAfterTls : o.authBeforeTls
        if (mechs.length > 0) lines.push(`SASL ${mechs.join(' ')}`)
        if (o.pop3User === 'always' || (o.pop3User === 'with-sasl' && mechs.length > 0)) lines.push('USER')
        if (!state.tls && o.mode === 'starttls' && o.advertiseStarttls) lines.push('STLS')
        lines.push('.')
        return {lines}
      }
      case 'STLS':
        if (state.tls || o.mode !== 'starttls' || !o.advertiseStarttls) return {lines: ['-ERR STLS not available']}
        if (o.refuseStarttls) return {lines: ['-ERR [SYS/TEMP] TLS is not available right now']}
        return {lines: ['+OK Begin TLS negotiation'], then: 'starttls'}
      case 'NOOP':
        return {lines: ['+OK']}
      case 'QUIT':
        return {lines: ['+OK Bye'], then: 'close'}
      case 'USER':
      case 'PASS':
      case 'APOP':
      case 'AUTH':
        return {lines: ['-ERR [AUTH] fixture accepts no credentials']}
      default:
        return {lines: ['-ERR unknown command']}
    }
  },
}
