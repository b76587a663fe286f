/**
 * SMTP dialog (RFC 5321, STARTTLS from RFC 3207, AUTH keyword from RFC 4954): 220 greeting
 * (multi-line too), EHLO, STARTTLS, EHLO again, QUIT. Never AUTH, never MAIL.
 */
import {type Dialog, mechanismsAfter, PASSWORD_MECHANISMS} from './dialog.js'
import {excerpt} from './excerpt.js'
import {ProbeFailure} from './failure.js'
import type {LineReader} from './line-reader.js'

export interface SmtpReply {
  code: number
  /** The text of each line, without code and separator. */
  lines: string[]
}

/** Reads one (possibly multi-line) SMTP reply: "250-…" lines ending with "250 …". */
export async function readSmtpReply(reader: LineReader, phase: string): Promise<SmtpReply> {
  const lines: string[] = []
  let code: string | undefined
  for (;;) {
    const line = await reader.readLine()
    const m = /^(\d{3})([ -]|$)(.*)$/.exec(line)
    if (!m || (code !== undefined && m[1] !== code))
      throw new ProbeFailure('protocol', phase, `malformed SMTP reply to ${phase}: "${excerpt(line)}"`)
    code = m[1]!
    lines.push(m[3]!)
    if (m[2] !== '-') return {code: Number(code), lines}
  }
}

export function smtpDialog(ehloName: string): Dialog {
  return {
    startTlsName: 'STARTTLS',
    greeting(channel) {
      return channel.exchange('greeting', undefined, async (reader) => {
        const reply = await readSmtpReply(reader, 'greeting')
        const first = `${reply.code} ${reply.lines[0] ?? ''}`
        const quoted = `"${excerpt(reply.lines.map((l) => `${reply.code} ${l}`).join(' / '))}"`
        // 421 (service not available) and 554 (no SMTP service here) are the greetings RFC 5321 §3.1 gives a server that refuses clients.
        if (reply.code === 421 || reply.code === 554) throw new ProbeFailure('service-refused', 'greeting', quoted)
        if (reply.code !== 220) throw new ProbeFailure('protocol', 'greeting', `the server refused the session: ${quoted}`)
        return first
      })
    },
    capabilities(channel, when) {
      const phase = `EHLO ${when}`
      return channel.exchange(phase, `EHLO ${ehloName}`, async (reader) => {
        const reply = await readSmtpReply(reader, phase)
        if (reply.code !== 250) throw new ProbeFailure('protocol', phase, `the server answered EHLO with "${excerpt(`${reply.code} ${reply.lines.join(' / ')}`)}"`)
        // The first line is the server's name and greeting text, the others are extensions.
        return reply.lines.slice(1)
      })
    },
    startTls(channel) {
      return channel.exchange('STARTTLS', 'STARTTLS', async (reader) => {
        const reply = await readSmtpReply(reader, 'STARTTLS')
        if (reply.code !== 220)
          throw new ProbeFailure('starttls-unavailable', 'STARTTLS', `the server answered STARTTLS with "${excerpt(`${reply.code} ${reply.lines.join(' / ')}`)}"`)
      })
    },
    advertisesStartTls: (caps) => caps.some((c) => c.trim().toUpperCase() === 'STARTTLS'),
    authMechanisms: (caps) => mechanismsAfter('AUTH', caps),
    offersPasswordAuth: (caps) => mechanismsAfter('AUTH', caps).some((m) => PASSWORD_MECHANISMS.includes(m)),
    quitLine: () => 'QUIT',
  }
}
