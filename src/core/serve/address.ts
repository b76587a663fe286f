/**
 * The address a request names, judged against the loaded settings. A listed user resolves to its
 * entry (name, login); any other valid address in a configured domain resolves to an entry made
 * from the domain's template, so known and unknown users get answers of the same shape and no
 * answer tells whether an address exists.
 */
import {findXmlInvalidCharacter} from '../generate/xml-text.js'
import type {DomainSettings, UserSettings} from '../settings/model.js'
import {analyzeAddress, analyzeName} from '../settings/names.js'
import type {ServeState} from './state.js'

export type ResolvedAddress =
  | {ok: true; domain: DomainSettings; user: UserSettings}
  | {ok: false; reason: 'invalid' | 'unknown-domain'}

/** Control characters (NUL, CR, LF, …) and what XML 1.0 cannot carry are refused before anything else: they never reach a header or a file. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/

export function resolveAddress(state: ServeState, raw: string): ResolvedAddress {
  const address = raw.trim()
  if (address.length === 0 || address.length > 254 || CONTROL.test(address) || findXmlInvalidCharacter(address)) return {ok: false, reason: 'invalid'}
  const a = analyzeAddress(address)
  if (a.problem) return {ok: false, reason: 'invalid'}
  const domain = state.domains.get(a.domainAscii)
  if (!domain) return {ok: false, reason: 'unknown-domain'}
  const listed = state.users.get(a.key)
  if (listed) return {ok: true, domain, user: listed}
  // Not listed: the address as given, with the domain as the settings spell it.
  return {ok: true, domain, user: {address: `${a.local}@${domain.domain}`, source: domain.source}}
}

/**
 * The configured domain a Host header names: `autoconfig.<domain>`, `autodiscover.<domain>`, or
 * the domain itself (case-insensitive, port and trailing dot ignored). With one domain configured,
 * any host answers for it.
 */
export function domainForHost(state: ServeState, host: string | undefined): DomainSettings | undefined {
  if (host) {
    const name = host.replace(/:\d+$/, '').replace(/\.$/, '')
    const ascii = analyzeName(name).ascii || name.toLowerCase()
    for (const candidate of [ascii, ascii.replace(/^(autoconfig|autodiscover|www)\./, '')]) {
      const d = state.domains.get(candidate)
      if (d) return d
    }
  }
  return state.domains.size === 1 ? state.domains.values().next().value : undefined
}
