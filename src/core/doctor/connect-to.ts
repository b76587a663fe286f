/**
 * `--connect-to HOST:PORT:ADDR:PORT` (curl's convention): a connection the client would make to
 * HOST:PORT goes to ADDR:PORT instead, while SNI, the Host header and certificate checks keep
 * HOST. An empty HOST matches every host on that PORT (`:443:127.0.0.1:8443`), which is how tests
 * reach HTTPS servers they cannot bind on 443. The name is still looked up in DNS first: a name
 * that does not resolve stops there, as it would for the client.
 */
import {isIP} from 'node:net'

import {InputError} from '../errors.js'
import {normalizeHost} from '../mail/host.js'

export interface ConnectToEntry {
  /** '' matches any host. */
  host: string
  port: number
  address: string
  connectPort: number
  text: string
}

function portOf(text: string, whole: string): number {
  const n = Number(text)
  if (!/^\d{1,5}$/.test(text) || n < 1 || n > 65_535) throw new InputError(`--connect-to "${whole}": "${text}" is not a port (1 to 65535)`)
  return n
}

/** Parses one value; throws InputError with the expected form. */
export function parseConnectTo(text: string): ConnectToEntry {
  const usage = `--connect-to "${text}": expected HOST:PORT:ADDRESS:PORT, e.g. example.com:443:127.0.0.1:8443 (an empty HOST matches every host: :443:127.0.0.1:8443; IPv6 in brackets)`
  const m = /^(\[[^\]]*\]|[^:[\]]*):(\d+):(\[[^\]]+\]|[^:[\]]+):(\d+)$/.exec(text.trim())
  if (!m) throw new InputError(usage)
  const address = m[3]!.replace(/^\[(.*)\]$/, '$1')
  if (!isIP(address)) throw new InputError(`--connect-to "${text}": "${address}" is not an IP address`)
  const host = m[1] ? normalizeHost(m[1]) : ''
  return {host, port: portOf(m[2]!, text), address, connectPort: portOf(m[4]!, text), text}
}

export class ConnectToMap {
  private readonly entries: ConnectToEntry[]

  constructor(entries: readonly ConnectToEntry[] = []) {
    this.entries = [...entries]
  }

  static parse(values: readonly string[] | undefined): ConnectToMap {
    return new ConnectToMap((values ?? []).map(parseConnectTo))
  }

  /** Where a connection to host:port goes instead; an exact host wins over the any-host entry. */
  lookup(host: string, port: number): {address: string; port: number} | undefined {
    const h = normalizeHost(host)
    const e = this.entries.find((x) => x.host === h && x.port === port) ?? this.entries.find((x) => x.host === '' && x.port === port)
    return e ? {address: e.address, port: e.connectPort} : undefined
  }
}
