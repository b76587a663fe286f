/**
 * One bounded HTTP(S) request of a discovery step, made as the client makes it: the name looked up
 * through doctor's DNS client (or sent where --connect-to says), SNI and Host for the name, no
 * credentials and no cookies, at most MAX_BODY_BYTES read, the whole exchange within the step's
 * time limit. The certificate is not verified by the TLS layer; the chain exactly as sent is judged
 * with the certificate policy (x509 evaluateChain), so the report can say what the client sees.
 * Redirects are not followed here: the caller decides what the client would follow.
 */
import http from 'node:http'
import https from 'node:https'
import type {TLSSocket} from 'node:tls'

import type {Finding} from '../findings.js'
import {peerChain} from '../net/tls-connect.js'
import {type ChainEvaluation, evaluateChain} from '../x509/index.js'
import type {AppleTrustStore} from '../x509/trust-store.js'
import type {ConnectToMap} from './connect-to.js'
import type {Deadline} from './deadline.js'
import type {DnsLookups} from './dns.js'

/** Largest body read (autoconfig and Autodiscover files are a few KiB; the ISPDB's biggest ~10 KiB). */
export const MAX_BODY_BYTES = 256 * 1024

export interface HttpContext {
  /** Lookups already bounded by the deadline. */
  dns: DnsLookups
  /** The address's deadline: a request still running then (or asked for after it) is cut. */
  deadline: Deadline
  connectTo: ConnectToMap
  timeoutMs: number
  now: Date
  warnDays: number
  extraRoots: Buffer[]
  appleStore?: AppleTrustStore
}

export interface CertificateVerdict {
  /** False when the client would reject the certificate (any error-level certificate finding). */
  accepted: boolean
  /** The certificate codes found (error and warning). */
  codes: string[]
  /** One line: why not, or the root it chains to. */
  summary: string
  findings: Finding[]
}

export type HttpOutcome =
  | {kind: 'response'; status: number; headers: http.IncomingHttpHeaders; body: Buffer; certificate?: CertificateVerdict; remote: string}
  | {kind: 'dns'; error: string; failed: boolean}
  | {kind: 'connect' | 'tls' | 'timeout' | 'too-large' | 'deadline'; error: string; certificate?: CertificateVerdict; remote?: string}

export interface HttpRequest {
  url: URL
  method: 'GET' | 'POST'
  body?: string
  contentType?: string
}

function verdictOf(evaluation: ChainEvaluation): CertificateVerdict {
  const bad = evaluation.findings.filter((f) => f.severity === 'error')
  const codes = [...new Set(evaluation.findings.filter((f) => f.severity !== 'info').map((f) => f.code))]
  const summary = bad.length > 0 ? bad.map((f) => f.code).filter((c, i, a) => a.indexOf(c) === i).join(', ') : `chains to ${evaluation.trust.apple.root?.name ?? evaluation.trust.privateRoot?.name ?? 'a trusted root'}`
  return {accepted: bad.length === 0, codes, summary, findings: evaluation.findings}
}

/** Judges the chain a TLS socket received for `host`. */
export function judgeSocket(socket: TLSSocket, host: string, ctx: HttpContext): CertificateVerdict {
  const chain = peerChain(socket)
  return verdictOf(evaluateChain({host, chain, now: ctx.now, warnDays: ctx.warnDays, extraRoots: ctx.extraRoots, appleStore: ctx.appleStore}))
}

/** Makes one request. Never throws: every failure is an outcome. */
export async function request(req: HttpRequest, ctx: HttpContext): Promise<HttpOutcome> {
  const {url} = req
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1')
  const secure = url.protocol === 'https:'
  const port = url.port ? Number(url.port) : secure ? 443 : 80
  if (ctx.deadline.passed) return {kind: 'deadline', error: ctx.deadline.detail}
  const addresses = await ctx.dns.addresses(host)
  if (!addresses.ok && addresses.kind === 'cut') return {kind: 'deadline', error: ctx.deadline.detail}
  if (!addresses.ok) return {kind: 'dns', error: addresses.error, failed: addresses.kind === 'failed'}
  const mapped = ctx.connectTo.lookup(host, port)
  const address = mapped?.address ?? addresses.records[0]!
  const connectPort = mapped?.port ?? port
  return new Promise<HttpOutcome>((resolve) => {
    let certificate: CertificateVerdict | undefined
    let settled = false
    const done = (o: HttpOutcome): void => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      r.destroy()
      resolve(o)
    }
    const headers: Record<string, string> = {Host: url.host, 'User-Agent': 'mailprofile-doctor', Accept: '*/*', Connection: 'close'}
    if (req.body !== undefined) {
      headers['Content-Type'] = req.contentType ?? 'text/xml'
      headers['Content-Length'] = String(Buffer.byteLength(req.body))
    }
    const options = {host: address, port: connectPort, path: `${url.pathname}${url.search}`, method: req.method, headers, agent: false as const}
    const r = secure
      ? https.request({...options, servername: /^[\d.]+$|:/.test(host) ? undefined : host, rejectUnauthorized: false, minVersion: 'TLSv1' as const})
      : http.request(options)
    const left = ctx.deadline.remainingMs()
    const timer =
      left < ctx.timeoutMs
        ? setTimeout(() => done({kind: 'deadline', error: ctx.deadline.detail, certificate}), left)
        : setTimeout(() => done({kind: 'timeout', error: `no answer within ${ctx.timeoutMs / 1000} s`, certificate}), ctx.timeoutMs)
    r.on('socket', (socket) => {
      if (secure) socket.once('secureConnect', () => (certificate = judgeSocket(socket as TLSSocket, host, ctx)))
    })
    r.on('error', (error: NodeJS.ErrnoException) => {
      const tlsFailure = secure && !certificate && !/ECONNREFUSED|EHOSTUNREACH|ENETUNREACH|ECONNRESET/.test(error.code ?? '')
      done({kind: tlsFailure ? 'tls' : 'connect', error: error.code ?? error.message, certificate})
    })
    r.on('response', (res) => {
      const chunks: Buffer[] = []
      let size = 0
      res.on('data', (chunk: Buffer) => {
        size += chunk.length
        if (size > MAX_BODY_BYTES) done({kind: 'too-large', error: `the answer is larger than ${MAX_BODY_BYTES / 1024} KiB`, certificate})
        else chunks.push(chunk)
      })
      res.on('end', () => done({kind: 'response', status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks), certificate, remote: `${address}:${connectPort}`}))
      res.on('error', (error) => done({kind: 'connect', error: error.message, certificate}))
    })
    r.end(req.body)
  })
}
