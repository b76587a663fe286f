/**
 * `serve` as a running thing: loads the settings (state.ts), makes one Node server per listener
 * with the timeouts and connection bound that keep slow clients from holding it, puts the Fastify
 * app (app.ts) behind them, reloads on request or when the settings files change, and closes
 * gracefully. Never prints, never exits, installs no signal handlers: the command does that and
 * calls `reload()` / `close()`.
 */
import {unwatchFile, watchFile} from 'node:fs'
import {createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse} from 'node:http'
import {createServer as createHttpsServer} from 'node:https'
import type {AddressInfo, Socket} from 'node:net'
import {resolve} from 'node:path'

import type {FastifyInstance} from 'fastify'
import type {Logger} from 'pino'

import {InputError} from '../errors.js'
import {readInputFile} from '../files.js'
import type {Finding} from '../findings.js'
import {answerClientError, buildServeApp, type ServeAppOptions} from './app.js'
import {packageFile} from '../paths.js'
import {createMetrics, type ServeMetrics} from './metrics.js'
import {ProfileCache} from './profile-cache.js'
import {ProfilePool} from './profile-pool.js'
import {loadServeState, type ServeState} from './state.js'

export interface Listener {
  host: string
  port: number
  /** HTTPS with this certificate chain and key (PEM files); plain HTTP otherwise. */
  tls?: {cert: string; key: string}
}

export interface ServeLimits {
  /** Whole request headers must arrive within this many ms (slowloris). */
  headersTimeoutMs: number
  /** Whole request (headers and body) within this many ms. */
  requestTimeoutMs: number
  /** An idle keep-alive connection is closed after this many ms. */
  keepAliveTimeoutMs: number
  /** A socket with no traffic at all is closed after this many ms. */
  idleTimeoutMs: number
  /** Concurrent connections per listener; more are refused at accept. */
  maxConnections: number
  /** Total bytes of built profiles kept in the cache. */
  cacheBytes: number
  /** How long close() lets requests in flight finish before it cuts the connections. */
  shutdownGraceMs: number
  /** Profile builds in flight on the worker threads at most; a download beyond gets 503 with Retry-After. */
  profileQueue: number
}

export const DEFAULT_LIMITS: ServeLimits = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 15_000,
  keepAliveTimeoutMs: 5_000,
  idleTimeoutMs: 30_000,
  maxConnections: 4096,
  cacheBytes: 64 * 1024 * 1024,
  shutdownGraceMs: 10_000,
  profileQueue: 256,
}

export interface ServeOptions extends Omit<ServeAppOptions, 'publicUrl'> {
  file: string
  listeners: readonly Listener[]
  /** Default: the first listener's URL. */
  publicUrl?: string
  env: Readonly<Record<string, string | undefined>>
  logger: Logger
  limits?: Partial<ServeLimits>
  /** Reload when the settings file (or the users CSV) changes; polled every `watchIntervalMs` (default 1000). */
  watch?: boolean
  watchIntervalMs?: number
  /** Node's default process metrics in /metrics (default true). */
  processMetrics?: boolean
  /**
   * Threads that build and sign the profiles the cache does not hold: 2 or more start that many
   * worker threads (profile-pool.ts) beside the event loop; 1 (the default) builds them on the event loop.
   */
  threads?: number
  /** The worker threads' entry file (default: dist/serve-worker.cjs of the package). */
  workerFile?: string
}

export interface ReloadOutcome {
  ok: boolean
  message: string
  findings: Finding[]
}

export interface ServeHandle {
  /** `http://127.0.0.1:8080`-style URLs, one per listener, with the ports actually bound. */
  urls: string[]
  publicUrl: string
  app: FastifyInstance
  metrics: ServeMetrics
  /** Worker threads building profiles (0: they are built on the event loop). */
  threads: number
  state(): ServeState
  reload(): Promise<ReloadOutcome>
  /** Stops accepting, lets requests in flight finish (up to shutdownGraceMs), then resolves. */
  close(): Promise<void>
}

export type StartResult = {ok: true; handle: ServeHandle; findings: Finding[]} | {ok: false; message: string; findings: Finding[]}

/** Loads the settings and starts listening. Settings with errors give `ok: false`; unusable flags (TLS files, ports in use) throw InputError. */
export async function startServe(options: ServeOptions): Promise<StartResult> {
  const first = await loadServeState(options.file, {env: options.env})
  if (!first.ok) return {ok: false, message: first.message, findings: first.findings}
  let state = first.state
  const limits = {...DEFAULT_LIMITS, ...options.limits}
  const logger = options.logger
  const metrics = createMetrics({processMetrics: options.processMetrics})
  const cache = new ProfileCache(limits.cacheBytes)
  if (options.listeners.length === 0) throw new InputError('serve needs at least one --listen address')
  const servers = options.listeners.map((l) => makeServer(l, limits))
  const pool = await startPool(options, first.state, limits, logger)
  const publicUrlBox = {value: options.publicUrl ?? ''}
  const appOptions: ServeAppOptions = {
    get publicUrl() {
      return publicUrlBox.value
    },
    redirectHttp: options.redirectHttp,
    trustProxy: options.trustProxy,
    logAddresses: options.logAddresses,
  }
  const app = buildServeApp({state: () => state, metrics, cache, pool, logger, options: appOptions, server: servers[0]!})
  await app.ready()
  // Fastify answers client errors on its own server; the others get the same handler.
  for (const s of servers.slice(1)) s.on('request', app.routing).on('clientError', answerClientError)

  const urls: string[] = []
  try {
    for (const [i, s] of servers.entries()) {
      const l = options.listeners[i]!
      await new Promise<void>((resolveListen, reject) => {
        s.once('error', reject)
        s.listen({host: l.host, port: l.port, backlog: 2048}, () => {
          s.off('error', reject)
          resolveListen()
        })
      })
      const port = (s.address() as AddressInfo).port
      urls.push(`${l.tls ? 'https' : 'http'}://${l.host.includes(':') ? `[${l.host}]` : l.host}:${port}`)
    }
  } catch (error) {
    for (const s of servers) s.close()
    await pool?.close()
    const e = error as NodeJS.ErrnoException
    throw new InputError(`cannot listen: ${e.code === 'EADDRINUSE' ? 'the address is in use' : e.code === 'EACCES' ? 'permission denied (ports below 1024 need privileges)' : e.message}`)
  }
  publicUrlBox.value = (options.publicUrl ?? urls[0]!).replace(/\/+$/, '')
  logger.info({urls, publicUrl: publicUrlBox.value, domains: state.settings.domains.map((d) => d.domain), users: state.settings.users.length, signed: Boolean(state.signer)}, 'serving')

  let reloading: Promise<ReloadOutcome> | undefined
  const reload = (): Promise<ReloadOutcome> => {
    reloading ??= (async () => {
      const next = await loadServeState(options.file, {env: options.env})
      if (!next.ok) {
        metrics.reloads.inc({result: 'failed'})
        logger.error({codes: next.findings.filter((f) => f.severity === 'error').map((f) => f.code), reason: next.message}, 'settings reload failed; the previous settings keep serving')
        return {ok: false, message: next.message, findings: next.findings}
      }
      state = next.state
      pool?.setState(state)
      cache.clear()
      metrics.reloads.inc({result: 'ok'})
      logger.info({generation: state.generation, domains: state.settings.domains.length, users: state.settings.users.length}, 'settings reloaded')
      watch()
      return {ok: true, message: 'reloaded', findings: next.findings}
    })().finally(() => {
      reloading = undefined
    })
    return reloading
  }

  // Polling, not fs.watch: editors and `git checkout` replace files by renaming, which inotify watches lose.
  let watched: string[] = []
  let debounce: NodeJS.Timeout | undefined
  const onChange = (): void => {
    clearTimeout(debounce)
    debounce = setTimeout(() => void reload(), 200)
  }
  const watch = (): void => {
    if (!options.watch) return
    const files = state.watchFiles.map((f) => resolve(f))
    for (const f of watched) if (!files.includes(f)) unwatchFile(f, onChange)
    for (const f of files) if (!watched.includes(f)) watchFile(f, {interval: options.watchIntervalMs ?? 1000, persistent: false}, onChange)
    watched = files
  }
  watch()

  let closing: Promise<void> | undefined
  const close = (): Promise<void> => {
    closing ??= (async () => {
      clearTimeout(debounce)
      for (const f of watched) unwatchFile(f, onChange)
      logger.info('shutting down: finishing requests in flight')
      await Promise.all(servers.map((s) => closeServer(s, limits.shutdownGraceMs)))
      await app.close()
      await pool?.close()
    })()
    return closing
  }

  const handle: ServeHandle = {
    urls,
    publicUrl: publicUrlBox.value,
    app,
    metrics,
    get threads() {
      return pool?.threads ?? 0
    },
    state: () => state,
    reload,
    close,
  }
  return {ok: true, findings: first.findings, handle}
}

/** The profile worker threads, when more than one thread is asked for; if they cannot start, profiles are built on the event loop. */
async function startPool(options: ServeOptions, state: ServeState, limits: ServeLimits, logger: Logger): Promise<ProfilePool | undefined> {
  const threads = options.threads ?? 1
  if (threads < 2) return undefined
  try {
    return await ProfilePool.start({
      file: options.workerFile ?? packageFile('dist', 'serve-worker.cjs'),
      threads,
      state,
      maxQueued: limits.profileQueue,
      onWorkerError: (error) => logger.error({err: error}, 'a profile worker thread stopped; starting another'),
    })
  } catch (error) {
    logger.warn({err: error}, 'the profile worker threads could not start; profiles are built on the event loop')
    return undefined
  }
}

function makeServer(l: Listener, limits: ServeLimits): Server {
  const common = {
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    // How often Node looks for connections past headersTimeout/requestTimeout (default 30 s, too coarse for a slowloris).
    connectionsCheckingInterval: Math.min(1000, limits.headersTimeoutMs),
    maxHeaderSize: 16 * 1024,
  }
  let server: Server
  if (l.tls) {
    const cert = readInputFile(l.tls.cert, '--tls-cert', 'TLS certificate')
    const key = readInputFile(l.tls.key, '--tls-key', 'TLS key')
    server = createHttpsServer({...common, cert, key, minVersion: 'TLSv1.2'}) as unknown as Server
  } else server = createHttpServer(common)
  server.maxConnections = limits.maxConnections
  server.timeout = limits.idleTimeoutMs
  guardHeaderDeadline(server, l.tls ? 'secureConnection' : 'connection', limits.headersTimeoutMs)
  return server
}

const DEADLINE = Symbol('mailprofile.headerDeadline')
type GuardedSocket = Socket & {[DEADLINE]?: NodeJS.Timeout}

/**
 * Every request's headers must be complete within `ms` of the connection opening (or of the
 * previous response on a kept-alive connection). Node's own headersTimeout is not enough: its
 * clock restarts each time the parser hands a batch of 32 headers to JavaScript, so a slowloris
 * dripping distinct header names is never cut off by it (measured on Node 20 and 22).
 */
function guardHeaderDeadline(server: Server, event: 'connection' | 'secureConnection', ms: number): void {
  const arm = (socket: GuardedSocket): void => {
    clearTimeout(socket[DEADLINE])
    const timer = setTimeout(() => {
      if (socket.writable) socket.end('HTTP/1.1 408 Request Timeout\r\nX-Content-Type-Options: nosniff\r\nContent-Length: 0\r\nConnection: close\r\n\r\n')
      socket.destroySoon()
      setTimeout(() => socket.destroy(), 1000).unref()
    }, ms)
    timer.unref()
    socket[DEADLINE] = timer
  }
  server.on(event, (socket: GuardedSocket) => {
    arm(socket)
    socket.once('close', () => clearTimeout(socket[DEADLINE]))
  })
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    const socket = request.socket as GuardedSocket
    clearTimeout(socket[DEADLINE])
    response.once('finish', () => {
      if (!socket.destroyed) arm(socket)
    })
  })
}

function closeServer(server: Server, graceMs: number): Promise<void> {
  return new Promise((done) => {
    if (!server.listening) return done()
    const timer = setTimeout(() => server.closeAllConnections(), graceMs)
    timer.unref()
    server.close(() => {
      clearTimeout(timer)
      done()
    })
    server.closeIdleConnections()
  })
}
