/**
 * IMAP dialog (RFC 9051 / 3501): greeting, CAPABILITY, STARTTLS, LOGOUT. Never LOGIN or AUTHENTICATE.
 */
import {type Dialog, PASSWORD_MECHANISMS} from './dialog.js'
import {excerpt} from './excerpt.js'
import {ProbeFailure} from './failure.js'
import type {LineReader} from './line-reader.js'

interface TaggedReply {
  status: string
  text: string
  untagged: string[]
}

/** Reads untagged lines until the line tagged `tag`. */
async function readTagged(reader: LineReader, tag: string, phase: string): Promise<TaggedReply> {
  const untagged: string[] = []
  for (;;) {
    const line = await reader.readLine()
    if (line.startsWith('* ')) {
      untagged.push(line.slice(2))
      continue
    }
    if (line.startsWith('+')) continue
    const m = /^(\S+) (OK|NO|BAD)\b ?(.*)$/i.exec(line)
    if (m && m[1] === tag) return {status: m[2]!.toUpperCase(), text: m[3]!, untagged}
    throw new ProbeFailure('protocol', phase, `unexpected IMAP reply to ${phase}: "${excerpt(line)}"`)
  }
}

export function imapDialog(): Dialog {
  let counter = 0
  const nextTag = (): string => `mp${++counter}`
  return {
    startTlsName: 'STARTTLS',
    greeting(channel) {
      return channel.exchange('greeting', undefined, async (reader) => {
        const line = await reader.readLine()
        if (/^\* (OK|PREAUTH)\b/i.test(line)) return line
        if (/^\* BYE\b/i.test(line)) throw new ProbeFailure('protocol', 'greeting', `the server refused the session: "${excerpt(line)}"`)
        throw new ProbeFailure('protocol', 'greeting', `expected an IMAP greeting ("* OK …"), got "${excerpt(line)}"`)
      })
    },
    capabilities(channel, when) {
      const tag = nextTag()
      const phase = `CAPABILITY ${when}`
      return channel.exchange(phase, `${tag} CAPABILITY`, async (reader) => {
        const reply = await readTagged(reader, tag, phase)
        if (reply.status !== 'OK') throw new ProbeFailure('protocol', phase, `the server answered CAPABILITY with ${reply.status} "${excerpt(reply.text)}"`)
        const caps: string[] = []
        for (const line of reply.untagged) {
          const m = /^CAPABILITY (.*)$/i.exec(line)
          if (m) for (const c of m[1]!.trim().split(/\s+/)) if (c && !caps.includes(c)) caps.push(c)
        }
        return caps
      })
    },
    startTls(channel) {
      const tag = nextTag()
      return channel.exchange('STARTTLS', `${tag} STARTTLS`, async (reader) => {
        const reply = await readTagged(reader, tag, 'STARTTLS')
        if (reply.status !== 'OK')
          throw new ProbeFailure('starttls-unavailable', 'STARTTLS', `the server answered STARTTLS with ${reply.status} "${excerpt(reply.text)}"`)
      })
    },
    advertisesStartTls: (caps) => caps.some((c) => c.toUpperCase() === 'STARTTLS'),
    authMechanisms: (caps) => caps.filter((c) => /^AUTH=/i.test(c)).map((c) => c.slice(5).toUpperCase()),
    offersPasswordAuth(caps) {
      const upper = caps.map((c) => c.toUpperCase())
      if (!upper.includes('LOGINDISABLED')) return true
      return PASSWORD_MECHANISMS.some((m) => upper.includes(`AUTH=${m}`))
    },
    quitLine: () => `mp${++counter} LOGOUT`,
  }
}
