/**
 * POP3 dialog (RFC 1939, CAPA from RFC 2449, STLS from RFC 2595): greeting, CAPA, STLS, QUIT.
 * Never USER, PASS, APOP or AUTH.
 */
import type {Channel} from './channel.js'
import {type Dialog, mechanismsAfter, PASSWORD_MECHANISMS} from './dialog.js'
import {excerpt} from './excerpt.js'
import {ProbeFailure} from './failure.js'

async function status(channel: Channel, phase: string, line: string | undefined): Promise<{ok: boolean; text: string}> {
  return channel.exchange(phase, line, async (reader) => {
    const reply = await reader.readLine()
    if (/^\+OK\b/i.test(reply)) return {ok: true, text: reply}
    if (/^-ERR\b/i.test(reply)) return {ok: false, text: reply}
    throw new ProbeFailure('protocol', phase, `expected "+OK" or "-ERR" ${line ? `in reply to ${phase}` : 'as the POP3 greeting'}, got "${excerpt(reply)}"`)
  })
}

export function pop3Dialog(): Dialog {
  return {
    startTlsName: 'STLS',
    async greeting(channel) {
      const reply = await status(channel, 'greeting', undefined)
      if (!reply.ok) throw new ProbeFailure('protocol', 'greeting', `the server refused the session: "${excerpt(reply.text)}"`)
      return reply.text
    },
    capabilities(channel, when) {
      const phase = `CAPA ${when}`
      return channel.exchange(phase, 'CAPA', async (reader) => {
        const first = await reader.readLine()
        // CAPA is optional (RFC 2449): a server without it has no capabilities to show.
        if (/^-ERR\b/i.test(first)) return []
        if (!/^\+OK\b/i.test(first)) throw new ProbeFailure('protocol', phase, `expected "+OK" in reply to CAPA, got "${excerpt(first)}"`)
        const caps: string[] = []
        for (;;) {
          const line = await reader.readLine()
          if (line === '.') return caps
          caps.push(line.startsWith('..') ? line.slice(1) : line)
        }
      })
    },
    async startTls(channel) {
      const reply = await status(channel, 'STLS', 'STLS')
      if (!reply.ok) throw new ProbeFailure('starttls-unavailable', 'STLS', `the server answered STLS with "${excerpt(reply.text)}"`)
    },
    advertisesStartTls: (caps) => caps.some((c) => c.trim().toUpperCase() === 'STLS'),
    authMechanisms: (caps) => mechanismsAfter('SASL', caps),
    offersPasswordAuth(caps) {
      if (caps.some((c) => c.trim().toUpperCase() === 'USER')) return true
      return mechanismsAfter('SASL', caps).some((m) => PASSWORD_MECHANISMS.includes(m))
    },
    quitLine: () => 'QUIT',
  }
}
