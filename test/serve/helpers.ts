/** Starts `serve`'s core on 127.0.0.1 (port 0) for tests, with a silent logger, and raw-socket helpers for hostile clients. */
import {existsSync} from 'node:fs'
import {connect} from 'node:net'
import {resolve} from 'node:path'

import {pino} from 'pino'

import {startServe, type ServeHandle, type ServeOptions} from '../../src/core/serve/server.js'
import {ROOT} from '../helpers/cli.js'

export const PROVIDER = resolve(ROOT, 'examples', 'provider.yaml')
export const SINGLE = resolve(ROOT, 'examples', 'single-domain.yaml')
/** Mozilla's autoconfig grammar, next to the main checkout (../shared) or at the shared reference folder. */
export const AUTOCONFIG_RNG = [resolve(ROOT, '..', 'shared', 'reference', 'mozilla-autoconfig', 'autoconfig.rng'), '/work/shared/reference/mozilla-autoconfig/autoconfig.rng'].find((p) => existsSync(p)) ?? resolve(ROOT, '..', 'shared', 'reference', 'mozilla-autoconfig', 'autoconfig.rng')

export const REQUEST_NS = 'http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006'
export const SCHEMA_2006A = 'http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a'
export const MOBILESYNC = 'http://schemas.microsoft.com/exchange/autodiscover/mobilesync/responseschema/2006'

export function poxRequest(address: string, schema = SCHEMA_2006A): string {
  return `<?xml version="1.0" encoding="utf-8"?>\n<Autodiscover xmlns="${REQUEST_NS}"><Request><EMailAddress>${address}</EMailAddress><AcceptableResponseSchema>${schema}</AcceptableResponseSchema></Request></Autodiscover>`
}

export interface LogLine {
  msg: string
  [key: string]: unknown
}

export async function startTestServer(options: Partial<ServeOptions> = {}): Promise<{handle: ServeHandle; url: string; logs: LogLine[]}> {
  const logs: LogLine[] = []
  const logger = pino({level: 'info'}, {write: (line: string) => void logs.push(JSON.parse(line) as LogLine)})
  const started = await startServe({
    file: PROVIDER,
    listeners: [{host: '127.0.0.1', port: 0}],
    redirectHttp: false,
    trustProxy: [],
    logAddresses: false,
    env: {},
    logger,
    processMetrics: false,
    ...options,
  })
  if (!started.ok) throw new Error(`serve refused: ${started.message}`)
  return {handle: started.handle, url: started.handle.urls[0]!, logs}
}

export async function post(url: string, body: string | Buffer, contentType = 'text/xml; charset=utf-8'): Promise<{status: number; text: string; headers: Headers}> {
  const r = await fetch(url, {method: 'POST', body: typeof body === 'string' ? body : new Uint8Array(body), headers: {'content-type': contentType}})
  return {status: r.status, text: await r.text(), headers: r.headers}
}

/** Sends raw bytes on a fresh connection and returns everything the server sent until it closed (or `timeoutMs`). */
export function rawRequest(url: string, bytes: string | Buffer, timeoutMs = 5000): Promise<string> {
  const {hostname, port} = new URL(url)
  return new Promise((done, fail) => {
    const socket = connect({host: hostname, port: Number(port)})
    const chunks: Buffer[] = []
    const timer = setTimeout(() => {
      socket.destroy()
      done(Buffer.concat(chunks).toString('latin1'))
    }, timeoutMs)
    socket.on('data', (c) => chunks.push(c))
    socket.on('error', (e) => {
      clearTimeout(timer)
      if (chunks.length > 0) done(Buffer.concat(chunks).toString('latin1'))
      else fail(e)
    })
    socket.on('close', () => {
      clearTimeout(timer)
      done(Buffer.concat(chunks).toString('latin1'))
    })
    socket.write(bytes)
  })
}

export function statusOf(raw: string): number {
  return Number(/^HTTP\/1\.1 (\d{3})/.exec(raw)?.[1] ?? 0)
}
