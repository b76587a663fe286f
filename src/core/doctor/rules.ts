/**
 * The rules `lint` and `inspect` apply to servers, applied to a configuration a client found:
 * plaintext, port vs TLS mode (mail/protocol's port meanings), misspelt placeholders. Autodiscover's
 * own Encryption/SPA rules sit with its reader's caller (outlook.ts), where the raw values are.
 */
import {finding} from '../codes.js'
import type {Finding} from '../findings.js'
import {isImplicitTlsPort, isStarttlsPort} from '../mail/protocol.js'
import type {FoundConfig} from './model.js'

const PLACEHOLDERS = new Set(['%EMAILADDRESS%', '%EMAILLOCALPART%', '%EMAILDOMAIN%'])

export function configFindings(config: FoundConfig): Finding[] {
  const out: Finding[] = []
  for (const s of config.servers) {
    const endpoint = {host: s.host, port: s.port, protocol: s.protocol, security: s.security}
    const name = `${s.protocol.toUpperCase()} ${s.host}:${s.port}`
    if (s.security === 'none') out.push(finding('discovery-plaintext', {message: `${config.source} publishes ${name} without TLS: the client sends the password in the clear.`, endpoint}))
    else if (s.security === 'ssl' && isStarttlsPort(s.port)) out.push(finding('discovery-port-mode', {message: `${config.source} publishes ${name} with SSL (implicit TLS) on a STARTTLS port.`, endpoint}))
    else if (s.security === 'starttls' && isImplicitTlsPort(s.port)) out.push(finding('discovery-port-mode', {message: `${config.source} publishes ${name} with STARTTLS on an implicit-TLS port.`, endpoint}))
    for (const m of (s.username ?? '').match(/%[A-Za-z]+%/g) ?? []) {
      if (!PLACEHOLDERS.has(m)) out.push(finding('discovery-placeholder-typo', {message: `${config.source} uses the user name "${s.username}" for ${name}: ${m} is no placeholder, so it is sent literally and the login fails.`, fix: `Write ${/LOCAL/i.test(m) ? '%EMAILLOCALPART%' : /DOMAIN/i.test(m) ? '%EMAILDOMAIN%' : '%EMAILADDRESS%'} instead of ${m}.`, endpoint}))
    }
  }
  return out
}
