/**
 * What each endpoint answers, as pure functions of the loaded state and the request's inputs; the
 * bytes come from the generators `build` uses (src/core/generate), so a served file and a built
 * file never differ.
 */
import {domainAccount, userAccount} from '../generate/account.js'
import {buildAutoconfig} from '../generate/autoconfig.js'
import {buildAutodiscover, buildAutodiscoverError} from '../generate/autodiscover.js'
import {safeFileName} from '../generate/write.js'
import type {DomainSettings, UserSettings} from '../settings/model.js'
import {domainForHost, resolveAddress} from './address.js'
import {OUTLOOK_2006A, parseAutodiscoverRequest} from './autodiscover-request.js'
import type {ServeState} from './state.js'

/** An answer that is not the thing asked for: an HTTP status and a one-line reason for the client (never echoing its input). */
export interface Refusal {
  status: 400 | 404
  error: string
}

export const MOBILECONFIG_TYPE = 'application/x-apple-aspen-config'

/** POX Autodiscover: always an Autodiscover document (settings, or the documented Error response), never an HTTP error. */
export function answerAutodiscover(state: ServeState, body: Buffer): {xml: Buffer; address?: string; outcome: string} {
  const request = parseAutodiscoverRequest(body)
  if (!request.ok) return {xml: buildAutodiscoverError(600), outcome: request.reason}
  if (request.schema.trim() !== OUTLOOK_2006A) return {xml: buildAutodiscoverError(601), address: request.emailAddress, outcome: 'schema-unsupported'}
  const resolved = resolveAddress(state, request.emailAddress)
  if (!resolved.ok) return {xml: buildAutodiscoverError(resolved.reason === 'invalid' ? 600 : 500), address: request.emailAddress, outcome: resolved.reason}
  return {xml: buildAutodiscover(userAccount(resolved.domain, resolved.user)), address: request.emailAddress, outcome: 'settings'}
}

/** Thunderbird autoconfig: per user with an address, else the Host's domain with the placeholders left in. */
export function answerAutoconfig(state: ServeState, emailAddress: string | undefined, host: string | undefined): {xml: Buffer} | Refusal {
  if (emailAddress !== undefined && emailAddress !== '') {
    const resolved = resolveAddress(state, emailAddress)
    if (!resolved.ok) return refusal(resolved.reason)
    return {xml: buildAutoconfig(userAccount(resolved.domain, resolved.user))}
  }
  const domain = domainForHost(state, host)
  if (!domain) return {status: 404, error: 'No mail domain is configured for this host name; add ?emailaddress=.'}
  return {xml: buildAutoconfig(domainAccount(domain))}
}

/** Which profile a request names: a user's (with an address) or the Host's domain's generic one. */
export type ProfileTarget = {domain: DomainSettings; user?: UserSettings; fileName: string; key: string}

export function profileTarget(state: ServeState, emailAddress: string | undefined, host: string | undefined): ProfileTarget | Refusal {
  if (emailAddress !== undefined && emailAddress !== '') {
    const resolved = resolveAddress(state, emailAddress)
    if (!resolved.ok) return refusal(resolved.reason)
    const name = safeFileName(resolved.user.address)
    return {domain: resolved.domain, user: resolved.user, fileName: `${name}.mobileconfig`, key: `${state.generation}:u:${resolved.user.address.toLowerCase()}`}
  }
  const domain = domainForHost(state, host)
  if (!domain) return {status: 404, error: 'No mail domain is configured for this host name; add ?emailaddress=.'}
  return {domain, fileName: `${safeFileName(domain.domain)}.mobileconfig`, key: `${state.generation}:d:${domain.domain.toLowerCase()}`}
}

function refusal(reason: 'invalid' | 'unknown-domain'): Refusal {
  return reason === 'invalid'
    ? {status: 400, error: 'The email address is not valid (local-part@domain).'}
    : {status: 404, error: 'The email address is not in a mail domain this server configures.'}
}
