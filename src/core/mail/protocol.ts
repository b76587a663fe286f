/**
 * The mail services mailprofile describes: protocols, TLS modes and authentication, the port each
 * protocol uses for each TLS mode (RFC 8314, RFC 6409), which protocol a well-known port belongs
 * to, and how a TLS mode is written into a profile's `…MailServerUseSSL` and read back from it.
 * Every other module asks this one; none keeps its own port table.
 *
 * UseSSL: Apple's Mail reads `…MailServerUseSSL` as "this connection must use TLS", not as
 * "implicit TLS": on the protocol's implicit-TLS port (993, 995, 465) it starts TLS at once, on
 * the STARTTLS ports (143, 110, 587, 25) it upgrades with STARTTLS and does not fall back to
 * plaintext. Apple's reference only says "enables SSL"; deployed generators (Mail-in-a-box,
 * mailcow, LinkedIn Intro's profile) all write UseSSL=true with 587. So `useSsl` is true for both
 * `ssl` and `starttls` and false only for `none`, and `securityFromUseSsl` reads it back with the
 * port: true on a STARTTLS port is STARTTLS, elsewhere implicit TLS; false is `none`.
 */

export type Protocol = 'imap' | 'pop3' | 'smtp'
export type Security = 'ssl' | 'starttls' | 'none'
export type Authentication = 'password' | 'crammd5' | 'ntlm' | 'httpmd5' | 'none'

export const PROTOCOLS: readonly Protocol[] = ['imap', 'pop3', 'smtp']

/** RFC 8314 / RFC 6409 default ports: implicit TLS, and the plaintext/STARTTLS port. */
export const DEFAULT_PORTS: Readonly<Record<Protocol, Readonly<Record<Security, number>>>> = {
  imap: {ssl: 993, starttls: 143, none: 143},
  pop3: {ssl: 995, starttls: 110, none: 110},
  smtp: {ssl: 465, starttls: 587, none: 587},
}

/** SMTP relay: STARTTLS on 25 (server to server; lint warns against it for submission). */
const SMTP_RELAY_PORT = 25

export function defaultPort(protocol: Protocol, security: Security): number {
  return DEFAULT_PORTS[protocol][security]
}

/** A port that speaks TLS from the first byte (993, 995, 465). */
export function isImplicitTlsPort(port: number): boolean {
  return PROTOCOLS.some((p) => DEFAULT_PORTS[p].ssl === port)
}

/** A port that starts in plaintext and upgrades with STARTTLS/STLS (143, 110, 587, 25). */
export function isStarttlsPort(port: number): boolean {
  return port === SMTP_RELAY_PORT || PROTOCOLS.some((p) => DEFAULT_PORTS[p].starttls === port)
}

/** The mail service a well-known port stands for (RFC 8314 and the classic STARTTLS ports; 25 is SMTP with STARTTLS). */
export function serviceOfPort(port: number): {protocol: Protocol; security: 'ssl' | 'starttls'} | undefined {
  for (const protocol of PROTOCOLS) {
    if (DEFAULT_PORTS[protocol].ssl === port) return {protocol, security: 'ssl'}
    if (DEFAULT_PORTS[protocol].starttls === port) return {protocol, security: 'starttls'}
  }
  return port === SMTP_RELAY_PORT ? {protocol: 'smtp', security: 'starttls'} : undefined
}

/** The protocol whose IANA port this is (implicit TLS or plaintext/STARTTLS), if any. */
export function protocolOfPort(port: number): Protocol | undefined {
  return serviceOfPort(port)?.protocol
}

/** `…MailServerUseSSL` for a TLS mode (see the module comment): true for implicit TLS and for STARTTLS. */
export function useSsl(security: Security): boolean {
  return security !== 'none'
}

/** The TLS mode a profile's `…MailServerUseSSL` and port stand for (the inverse of `useSsl` with the port). */
export function securityFromUseSsl(useSslValue: boolean, port: number | undefined): Security {
  if (!useSslValue) return 'none'
  return port !== undefined && isStarttlsPort(port) ? 'starttls' : 'ssl'
}

/**
 * `…UseSSL` false on a mailbox or submission STARTTLS port (143, 110, 587): TLS is not required,
 * so the device uses STARTTLS only when the server offers it, which a network attacker can strip.
 * (Several generators write false there to mean STARTTLS; inspect reports it.)
 */
export function isOptionalStarttls(useSslValue: boolean, port: number): boolean {
  return !useSslValue && PROTOCOLS.some((p) => DEFAULT_PORTS[p].starttls === port)
}

/** "IMAP", "POP3", "SMTP". */
export function protocolName(protocol: Protocol): string {
  return protocol.toUpperCase()
}
