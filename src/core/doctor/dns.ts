/**
 * The DNS lookups doctor makes, through the system resolver or `--dns SERVER[:PORT]` (node:dns
 * Resolver with setServers). Every query is bounded by the resolver's timeout and one retry.
 * Answers are classified: `none` (NXDOMAIN / no data: the client moves on), `failed` (timeout,
 * SERVFAIL, refused: reported, the client is stuck too).
 */
import {promises as dnsPromises} from 'node:dns'
import {isIP} from 'node:net'

import {InputError} from '../errors.js'
import type {Deadline} from './deadline.js'

/** `cut`: the address's deadline ran out before the answer came (deadline.ts). */
export type DnsAnswer<T> = {ok: true; records: T[]} | {ok: false; kind: 'none' | 'failed' | 'cut'; error: string}

export interface MxRecord {
  exchange: string
  priority: number
}
export interface SrvRecord {
  name: string
  port: number
  priority: number
  weight: number
}

const NONE = new Set(['ENOTFOUND', 'ENODATA', 'NXDOMAIN', 'ENONAME'])

/** Parses --dns SERVER[:PORT] ("127.0.0.1:5353", "[::1]:53", "192.0.2.53"). */
export function parseDnsServer(text: string): string {
  const t = text.trim()
  const m = /^(?:\[([^\]]+)\]|([^:]+))(?::(\d{1,5}))?$/.exec(t)
  const host = m?.[1] ?? m?.[2]
  if (!m || !host || !isIP(host) || (m[3] !== undefined && (Number(m[3]) < 1 || Number(m[3]) > 65_535))) {
    throw new InputError(`--dns "${text}": expected an IP address with an optional port, e.g. 192.0.2.53, 127.0.0.1:5353 or [2001:db8::53]:53`)
  }
  const port = m[3] ?? '53'
  return isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`
}

/** The result of a lookup step that found nothing: `cut` when the deadline ended it. */
export function missed(answer: DnsAnswer<unknown>): 'cut' | 'not-found' {
  return !answer.ok && answer.kind === 'cut' ? 'cut' : 'not-found'
}

/** The lookups a client flow makes. */
export interface DnsLookups {
  readonly serverName: string
  mx(name: string): Promise<DnsAnswer<MxRecord>>
  srv(name: string): Promise<DnsAnswer<SrvRecord>>
  addresses(name: string): Promise<DnsAnswer<string>>
}

/** The lookups of one address, each cut when its deadline runs out (the shared cache still gets the answer). */
export function withDeadline(dns: DnsLookups, deadline: Deadline): DnsLookups {
  const cut = (): {ok: false; kind: 'cut'; error: string} => ({ok: false, kind: 'cut', error: deadline.detail})
  return {
    serverName: dns.serverName,
    mx: (name) => deadline.race<DnsAnswer<MxRecord>>(dns.mx(name), cut),
    srv: (name) => deadline.race<DnsAnswer<SrvRecord>>(dns.srv(name), cut),
    addresses: (name) => deadline.race<DnsAnswer<string>>(dns.addresses(name), cut),
  }
}

export class DnsClient implements DnsLookups {
  private readonly resolver: dnsPromises.Resolver
  private readonly cache = new Map<string, Promise<DnsAnswer<unknown>>>()

  constructor(
    private readonly server: string | undefined,
    timeoutMs: number,
  ) {
    this.resolver = new dnsPromises.Resolver({timeout: Math.max(50, Math.floor(timeoutMs / 2)), tries: 2})
    if (server) this.resolver.setServers([server])
  }

  /** The server queried, for the output ("system" for the system resolver). */
  get serverName(): string {
    return this.server ?? 'system resolver'
  }

  private query<T>(key: string, run: () => Promise<T[]>): Promise<DnsAnswer<T>> {
    let p = this.cache.get(key) as Promise<DnsAnswer<T>> | undefined
    if (!p) {
      p = run().then(
        (records): DnsAnswer<T> => ({ok: true, records}),
        (error: NodeJS.ErrnoException): DnsAnswer<T> => ({ok: false, kind: NONE.has(error.code ?? '') ? 'none' : 'failed', error: error.code ?? error.message}),
      )
      this.cache.set(key, p)
    }
    return p
  }

  mx(name: string): Promise<DnsAnswer<MxRecord>> {
    return this.query(`mx|${name}`, () => this.resolver.resolveMx(name))
  }

  srv(name: string): Promise<DnsAnswer<SrvRecord>> {
    return this.query(`srv|${name}`, () => this.resolver.resolveSrv(name))
  }

  /**
   * A and AAAA addresses of a name: with --dns both are queried on that server; without, the
   * system's getaddrinfo (which honours /etc/hosts, as clients do).
   */
  addresses(name: string): Promise<DnsAnswer<string>> {
    if (isIP(name)) return Promise.resolve({ok: true, records: [name]})
    return this.query(`addr|${name}`, async () => {
      if (!this.server) return (await dnsPromises.lookup(name, {all: true})).map((a) => a.address)
      const [v4, v6] = await Promise.allSettled([this.resolver.resolve4(name), this.resolver.resolve6(name)])
      const out = [...(v4.status === 'fulfilled' ? v4.value : []), ...(v6.status === 'fulfilled' ? v6.value : [])]
      if (out.length > 0) return out
      throw v4.status === 'rejected' ? v4.reason : v6.status === 'rejected' ? v6.reason : Object.assign(new Error('no address'), {code: 'ENODATA'})
    })
  }
}
