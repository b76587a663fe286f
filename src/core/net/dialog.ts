/**
 * What the probe needs from each mail protocol (imap.ts, pop3.ts, smtp.ts). A dialog object lives
 * for one connection (IMAP tags count up per connection).
 */
import type {Channel} from './channel.js'

export interface Dialog {
  /** Reads and checks the server greeting; returns its first line. */
  greeting(channel: Channel): Promise<string>
  /** Asks for capabilities (IMAP CAPABILITY, POP3 CAPA, SMTP EHLO); `when` names the phase ("before TLS"). */
  capabilities(channel: Channel, when: string): Promise<string[]>
  /** Sends STARTTLS / STLS; resolves when the server agreed, rejects (starttls-unavailable) otherwise. */
  startTls(channel: Channel): Promise<void>
  /** Whether the capabilities advertise STARTTLS / STLS. */
  advertisesStartTls(capabilities: string[]): boolean
  /** SASL mechanisms in the capabilities. */
  authMechanisms(capabilities: string[]): string[]
  /** Whether the capabilities let a client send a password (LOGIN/USER, AUTH PLAIN/LOGIN). */
  offersPasswordAuth(capabilities: string[]): boolean
  /** The polite goodbye (LOGOUT / QUIT). */
  quitLine(): string
  /** The protocol's name for STARTTLS in messages ("STARTTLS" or "STLS"). */
  readonly startTlsName: string
}

/** Splits "AUTH PLAIN LOGIN" / "AUTH=PLAIN LOGIN" / "SASL PLAIN" style lines into upper-case mechanisms. */
const KEYWORD_PATTERNS = new Map<string, RegExp>()

export function mechanismsAfter(keyword: string, lines: string[]): string[] {
  const out: string[] = []
  let re = KEYWORD_PATTERNS.get(keyword)
  if (!re) KEYWORD_PATTERNS.set(keyword, (re = new RegExp(`^${keyword}[ =](.*)$`, 'i')))
  for (const line of lines) {
    const m = re.exec(line.trim())
    if (!m) continue
    for (const mech of m[1]!.split(/[\s=]+/)) {
      const upper = mech.toUpperCase()
      if (upper && !out.includes(upper)) out.push(upper)
    }
  }
  return out
}

export const PASSWORD_MECHANISMS = ['PLAIN', 'LOGIN']
