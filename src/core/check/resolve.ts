/**
 * `--resolve HOST:PORT:ADDRESS` (curl's convention): connect to ADDRESS while sending HOST as SNI
 * and verifying the certificate against HOST — to test a new server before DNS points at it.
 * IPv6 addresses (and an IPv6 HOST) are written in brackets: `mail.example.com:993:[2001:db8::1]`.
 */
import {isIP} from 'node:net'

import {InputError} from '../errors.js'
import type {ProbeTarget} from '../net/evidence.js'
import {normalizeHost} from '../mail/host.js'

export interface ResolveEntry {
  host: string
  port: number
  address: string
  /** The option as written, for messages. */
  text: string
}

function takeHost(text: string): [string, string] | undefined {
  if (text.startsWith('[')) {
    const end = text.indexOf(']')
    if (end < 0 || text[end + 1] !== ':') return undefined
    return [text.slice(1, end), text.slice(end + 2)]
  }
  const colon = text.indexOf(':')
  if (colon < 0) return undefined
  return [text.slice(0, colon), text.slice(colon + 1)]
}

/** Parses one --resolve value; throws InputError with the expected form on anything else. */
export function parseResolve(text: string): ResolveEntry {
  const usage = `--resolve "${text}": expected HOST:PORT:ADDRESS, e.g. mail.example.com:993:192.0.2.10 or mail.example.com:993:[2001:db8::1]`
  const first = takeHost(text.trim().replace(/^\+/, ''))
  if (!first) throw new InputError(usage)
  const [host, rest] = first
  const colon = rest.indexOf(':')
  if (!host || colon < 0) throw new InputError(usage)
  const portText = rest.slice(0, colon)
  let address = rest.slice(colon + 1)
  if (!/^\d{1,5}$/.test(portText) || Number(portText) < 1 || Number(portText) > 65_535) throw new InputError(`${usage} (the port must be a number from 1 to 65535)`)
  if (address.includes(',')) throw new InputError(`--resolve "${text}": give one address per --resolve`)
  if (address.startsWith('[') && address.endsWith(']')) address = address.slice(1, -1)
  else if (isIP(address) === 6) throw new InputError(`--resolve "${text}": write an IPv6 address in brackets, e.g. [${address}]`)
  if (!isIP(address)) throw new InputError(`--resolve "${text}": "${address}" is not an IP address`)
  return {host: normalizeHost(host), port: Number(portText), address, text}
}

/** A set of --resolve entries, looked up by host and port. */
export class ResolveMap {
  private readonly entries = new Map<string, ResolveEntry>()
  private readonly used = new Set<string>()

  constructor(entries: readonly ResolveEntry[] = []) {
    for (const e of entries) this.entries.set(`${e.host}|${e.port}`, e)
  }

  static parse(values: readonly string[] | undefined): ResolveMap {
    return new ResolveMap((values ?? []).map(parseResolve))
  }

  /** The target with `address` set when an entry matches its host and port. */
  apply(target: ProbeTarget): ProbeTarget {
    const key = `${normalizeHost(target.host)}|${target.port}`
    const e = this.entries.get(key)
    if (!e) return target
    this.used.add(key)
    return {...target, address: e.address}
  }

  /** Entries that matched no endpoint (likely a typo in host or port). */
  unused(): ResolveEntry[] {
    return [...this.entries].filter(([k]) => !this.used.has(k)).map(([, e]) => e)
  }
}
