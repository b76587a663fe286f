/**
 * The HTTP app `serve` runs: Fastify 5 routes (case-insensitive paths, schema'd query strings, a
 * 16 KiB body limit) over the pure answers of answers.ts. It never prints and never exits: logs
 * go through the pino logger it is given, one JSON line per request, with email addresses hashed
 * unless `logAddresses`. The caller (server.ts) owns the sockets.
 */
import type {IncomingMessage, Server, ServerResponse} from 'node:http'
import type {Socket} from 'node:net'

import Fastify, {LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest} from 'fastify'
import type {Logger} from 'pino'

import {sha256Hex} from '../util/hash.js'
import {MOBILECONFIG_TYPE, answerAutoconfig, answerAutodiscover, profileTarget, type ProfileTarget} from './answers.js'
import {domainForHost, resolveAddress} from './address.js'
import {AnswerCache, bodyKey} from './answer-cache.js'
import type {ServeMetrics} from './metrics.js'
import {PAGE_CSP, renderPage} from './page.js'
import {strongEtag} from './etag.js'
import {buildProfile} from './profile-build.js'
import type {CachedProfile, ProfileCache} from './profile-cache.js'
import type {ProfilePool} from './profile-pool.js'
import type {ServeState} from './state.js'

export const MAX_BODY_BYTES = 16 * 1024

export interface ServeAppOptions {
  /** Base of every URL the server hands out (Autodiscover JSON, QR code, redirects), without a trailing slash. */
  publicUrl: string
  /** Plain-HTTP requests for the Autodiscover XML get a 302 to publicUrl's (Outlook's HTTP-redirect step). */
  redirectHttp: boolean
  /** Addresses of the reverse proxies whose X-Forwarded-* headers are believed; none: the headers are ignored. */
  trustProxy: readonly string[]
  logAddresses: boolean
}

export interface ServeAppDeps {
  state: () => ServeState
  metrics: ServeMetrics
  cache: ProfileCache
  /** Worker threads that build and sign cache misses; without it they are built on the event loop. */
  pool?: ProfilePool
  logger: Logger
  options: ServeAppOptions
  /** The server Fastify answers on (server.ts makes it, with the timeouts); more servers may call `app.routing`. */
  server: Server
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The email address the request named, for the log line (hashed there unless --log-addresses). */
    mailAddress?: string
  }
}

const XML_TYPE = 'text/xml; charset=utf-8'
const AUTODISCOVER_PATH = '/autodiscover/autodiscover.xml'
const ADDRESS = {type: 'string', maxLength: 512} as const

/** Answers the sockets Node's parser gave up on (bad request line, header overflow, header timeout) with nosniff, as every other answer. */
export function answerClientError(error: Error & {code?: string}, socket: Socket): void {
  if (!socket.writable) {
    socket.destroy()
    return
  }
  const status = error.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? '408 Request Timeout' : '400 Bad Request'
  socket.end(`HTTP/1.1 ${status}\r\nX-Content-Type-Options: nosniff\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`)
}

export function addressForLog(address: string, logAddresses: boolean): Record<string, string> {
  if (logAddresses) return {address}
  return {addressHash: sha256Hex(address.trim().toLowerCase()).slice(0, 16)}
}

export function buildServeApp(deps: ServeAppDeps): FastifyInstance {
  const {metrics, cache, options} = deps
  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    logController: new LogController({disableRequestLogging: true}),
    bodyLimit: MAX_BODY_BYTES,
    trustProxy: options.trustProxy.length > 0 ? [...options.trustProxy] : false,
    routerOptions: {caseSensitive: false, ignoreTrailingSlash: true, maxParamLength: 512},
    return503OnClosing: true,
    clientErrorHandler: answerClientError,
    // A path with a bad %-escape (`/profiles/%`, `%ff`) is refused by the router before any hook runs:
    // answered here with the headers every answer has, and without echoing the URL back.
    frameworkErrors: (_error, _request, reply: FastifyReply) => {
      void reply.code(400).header('X-Content-Type-Options', 'nosniff').header('Referrer-Policy', 'no-referrer').type('application/json; charset=utf-8').send({error: 'Bad request.'})
    },
    serverFactory: (handler: (req: IncomingMessage, res: ServerResponse) => void) => {
      deps.server.on('request', handler)
      return deps.server
    },
  })

  // The only bodies read: Outlook's XML, as raw bytes (autodiscover-request.ts decodes and checks them).
  app.removeAllContentTypeParsers()
  app.addContentTypeParser(/^(text|application)\/xml(\s*;.*)?$/i, {parseAs: 'buffer', bodyLimit: MAX_BODY_BYTES}, (_req, body, done) => done(null, body))

  // Callback hooks, not async ones: no promise per hook per request.
  app.addHook('onSend', (_request, reply, payload, done) => {
    reply.header('X-Content-Type-Options', 'nosniff')
    reply.header('Referrer-Policy', 'no-referrer')
    done(null, payload)
  })
  const count = requestCounter(metrics)
  app.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched'
    const ms = reply.elapsedTime
    count(route, request.method, reply.statusCode, ms / 1000)
    // The log line's object (and the address hash in it) is only made when the line is written.
    if (deps.logger.isLevelEnabled('info')) request.log.info({method: request.method, route, status: reply.statusCode, ms: Math.round(ms * 10) / 10, remote: request.ip, ...(request.mailAddress ? addressForLog(request.mailAddress, options.logAddresses) : {})}, 'request')
    done()
  })

  app.setErrorHandler(async (error: Error & {statusCode?: number; code?: string; validation?: unknown}, request, reply) => {
    const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500
    if (status === 500) request.log.error({err: error, route: request.routeOptions.url}, 'request failed')
    if (request.routeOptions.url === AUTODISCOVER_PATH && request.method === 'POST' && status !== 413) {
      // Outlook gets an Autodiscover document for every request it could send (wrong media type, bad body, …).
      const {buildAutodiscoverError} = await import('../generate/autodiscover.js')
      return reply.code(200).type(XML_TYPE).send(buildAutodiscoverError(600))
    }
    return reply.code(status).type('application/json; charset=utf-8').send({error: status === 500 ? 'Internal error.' : publicMessage(status, error)})
  })
  app.setNotFoundHandler(async (_request, reply) => reply.code(404).type('application/json; charset=utf-8').send({error: 'Not found.'}))

  // Answers are pure functions of (settings generation, request inputs): kept so a repeated question costs no XML work.
  const autodiscoverAnswers = new AnswerCache<ReturnType<typeof answerAutodiscover>>()
  const autoconfigAnswers = new AnswerCache<ReturnType<typeof answerAutoconfig>>()

  // --- Outlook: POX Autodiscover
  app.post(AUTODISCOVER_PATH, async (request, reply) => {
    const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0)
    const state = deps.state()
    const answer = autodiscoverAnswers.get(`${state.generation}:${bodyKey(body)}`, () => answerAutodiscover(state, body))
    if (answer.address !== undefined) request.mailAddress = answer.address
    return reply.type(XML_TYPE).header('Cache-Control', 'no-store').send(answer.xml)
  })
  app.get(AUTODISCOVER_PATH, async (request, reply) => {
    if (options.redirectHttp && request.protocol === 'http') return reply.code(302).header('Location', `${options.publicUrl}${AUTODISCOVER_PATH}`).send()
    return reply.code(405).header('Allow', 'POST').type('application/json; charset=utf-8').send({error: 'Autodiscover takes a POST.'})
  })

  // --- Outlook: Autodiscover JSON v2
  const jsonAnswer = async (request: FastifyRequest, reply: FastifyReply, email: string | undefined, protocol: string | undefined): Promise<FastifyReply> => {
    if (email !== undefined) request.mailAddress = email
    if ((protocol ?? '').toLowerCase() !== 'autodiscoverv1') {
      return reply.code(400).send({ErrorCode: 'InvalidProtocol', ErrorMessage: "The given protocol value is invalid. Supported values are 'AutodiscoverV1'."})
    }
    const resolved = resolveAddress(deps.state(), email ?? '')
    if (!resolved.ok) return reply.code(resolved.reason === 'invalid' ? 400 : 404).send({ErrorCode: resolved.reason === 'invalid' ? 'InvalidUser' : 'NotFound', ErrorMessage: resolved.reason === 'invalid' ? 'The email address is not valid.' : 'The email address is not in a mail domain this server configures.'})
    return reply.header('Cache-Control', 'no-store').send({Protocol: 'AutodiscoverV1', Url: `${options.publicUrl}${AUTODISCOVER_PATH}`})
  }
  const jsonQuery = {type: 'object', properties: {Email: ADDRESS, email: ADDRESS, Protocol: {type: 'string', maxLength: 64}, protocol: {type: 'string', maxLength: 64}}} as const
  const jsonResponse = {
    200: {type: 'object', properties: {Protocol: {type: 'string'}, Url: {type: 'string'}}, required: ['Protocol', 'Url']},
    '4xx': {type: 'object', properties: {ErrorCode: {type: 'string'}, ErrorMessage: {type: 'string'}, error: {type: 'string'}}},
  }
  app.get<{Querystring: {Email?: string; email?: string; Protocol?: string; protocol?: string}}>('/autodiscover/autodiscover.json', {schema: {querystring: jsonQuery, response: jsonResponse}}, (request, reply) =>
    jsonAnswer(request, reply, request.query.Email ?? request.query.email, request.query.Protocol ?? request.query.protocol),
  )
  app.get<{Params: {address: string}; Querystring: {Protocol?: string; protocol?: string}}>('/autodiscover/autodiscover.json/v1.0/:address', {schema: {params: {type: 'object', properties: {address: ADDRESS}}, querystring: jsonQuery, response: jsonResponse}}, (request, reply) =>
    jsonAnswer(request, reply, request.params.address, request.query.Protocol ?? request.query.protocol),
  )

  // --- Thunderbird autoconfig
  const autoconfig = async (request: FastifyRequest<{Querystring: {emailaddress?: string}}>, reply: FastifyReply): Promise<FastifyReply> => {
    const email = request.query.emailaddress
    if (email) request.mailAddress = email
    const state = deps.state()
    const host = request.hostname
    const key = email ? `${state.generation}:u:${email}` : `${state.generation}:h:${host ?? ''}`
    const answer = autoconfigAnswers.get(key, () => answerAutoconfig(state, email, host))
    if ('status' in answer) return reply.code(answer.status).type('application/json; charset=utf-8').send({error: answer.error})
    return reply.type(XML_TYPE).header('Cache-Control', 'no-cache').send(answer.xml)
  }
  const autoconfigSchema = {schema: {querystring: {type: 'object', properties: {emailaddress: ADDRESS}}}}
  app.get('/mail/config-v1.1.xml', autoconfigSchema, autoconfig)
  app.get('/.well-known/autoconfig/mail/config-v1.1.xml', autoconfigSchema, autoconfig)

  // --- Apple profiles
  // Builds in progress, by cache key: concurrent downloads of one profile wait for the one signature.
  const building = new Map<string, Promise<CachedProfile>>()
  const keep = (state: ServeState, key: string, bytes: Buffer, etag?: string): CachedProfile => {
    metrics.signatures.inc()
    // Bytes of settings replaced while they were built are answered, not kept.
    return state.generation === deps.state().generation ? cache.set(key, bytes, etag) : {bytes, etag: etag ?? strongEtag(bytes)}
  }
  const profileEntry = (state: ServeState, target: ProfileTarget): CachedProfile | Promise<CachedProfile> | 'busy' => {
    const entry = cache.get(target.key) ?? building.get(target.key)
    if (entry) {
      metrics.cacheHits.inc()
      return entry
    }
    const pool = deps.pool
    // No pool, or every worker lost and not yet replaced: the event loop signs (a slow answer, never a 503).
    if (!pool || pool.threads === 0) {
      metrics.cacheMisses.inc()
      return keep(state, target.key, buildProfile(state, target))
    }
    const job = pool.build(state, target)
    if (job === 'busy') {
      metrics.profileBusy.inc()
      return 'busy'
    }
    metrics.cacheMisses.inc()
    metrics.profileQueue.inc()
    const built = job
      .then(
        (b) => keep(state, target.key, b.bytes, b.etag),
        (error: unknown) => {
          // A worker that died is replaced; its requests are answered from the event loop meanwhile.
          deps.logger.error({err: error}, 'profile worker failed; building on the event loop')
          return keep(state, target.key, buildProfile(state, target))
        },
      )
      .finally(() => {
        metrics.profileQueue.dec()
        building.delete(target.key)
      })
    building.set(target.key, built)
    return built
  }
  const profile = async (request: FastifyRequest, reply: FastifyReply, email: string | undefined): Promise<FastifyReply> => {
    if (email) request.mailAddress = email
    const state = deps.state()
    const target = profileTarget(state, email, request.hostname)
    if ('status' in target) return reply.code(target.status).type('application/json; charset=utf-8').send({error: target.error})
    const found = profileEntry(state, target)
    if (found === 'busy') return reply.code(503).header('Retry-After', '1').type('application/json; charset=utf-8').send({error: 'Too many profiles are being built; retry in a second.'})
    const entry = found instanceof Promise ? await found : found
    reply.header('ETag', entry.etag).header('Cache-Control', 'private, no-cache')
    if (etagMatches(request.headers['if-none-match'], entry.etag)) return reply.code(304).send()
    return reply.type(MOBILECONFIG_TYPE).header('Content-Disposition', `attachment; filename="${target.fileName}"`).send(entry.bytes)
  }
  app.get<{Querystring: {emailaddress?: string}}>('/mobileconfig', autoconfigSchema, (request, reply) => profile(request, reply, request.query.emailaddress))
  app.get<{Params: {file: string}}>('/profiles/:file', {schema: {params: {type: 'object', properties: {file: {type: 'string', maxLength: 540}}}}}, (request, reply) => {
    const m = /^([\s\S]+)\.mobileconfig$/i.exec(request.params.file)
    if (!m) return reply.code(404).type('application/json; charset=utf-8').send({error: 'Not found.'})
    return profile(request, reply, m[1])
  })

  // --- The onboarding page
  app.get<{Querystring: {emailaddress?: string}}>('/', autoconfigSchema, async (request, reply) => {
    const state = deps.state()
    const email = request.query.emailaddress
    const resolved = email ? resolveAddress(state, email) : undefined
    const valid = resolved?.ok ? email!.trim() : undefined
    const hostDomain = domainForHost(state, request.hostname)
    // With an address, the QR code is that profile's URL; without one, this page's (the phone then asks for the address).
    const profileUrl = valid ? `${options.publicUrl}/mobileconfig?emailaddress=${encodeURIComponent(valid)}` : `${options.publicUrl}/`
    const page = await renderPage({organization: state.settings.organization.name, domains: resolved?.ok ? [resolved.domain] : hostDomain ? [hostDomain] : state.settings.domains, profileUrl, emailAddress: valid})
    return reply.type('text/html; charset=utf-8').header('Content-Security-Policy', PAGE_CSP).header('Cache-Control', 'no-cache').send(page)
  })

  // --- Operations
  app.get('/healthz', async (_request, reply) => reply.header('Cache-Control', 'no-store').send({status: 'ok', generation: deps.state().generation}))
  app.get('/metrics', async (_request, reply) => reply.type(metrics.registry.contentType).header('Cache-Control', 'no-store').send(await metrics.registry.metrics()))

  return app
}

/**
 * Counts a request and observes its latency through the labelled children of the counter and the
 * histogram, kept per label set (routes are the route patterns, methods and statuses the few HTTP
 * has): prom-client otherwise hashes the labels again on every request.
 */
function requestCounter(metrics: ServeMetrics): (route: string, method: string, status: number, seconds: number) => void {
  const counters = new Map<string, {inc(): void}>()
  const histograms = new Map<string, {observe(v: number): void}>()
  return (route, method, status, seconds) => {
    const key = `${route} ${method} ${status}`
    let counter = counters.get(key)
    if (!counter) counters.set(key, (counter = metrics.requests.labels({route, method, status: String(status)})))
    counter.inc()
    let histogram = histograms.get(route)
    if (!histogram) histograms.set(route, (histogram = metrics.duration.labels({route})))
    histogram.observe(seconds)
  }
}

/** If-None-Match: `*` or a list holding the strong tag (a weak comparison of W/ tags, RFC 9110 13.1.2). */
function etagMatches(header: string | undefined, etag: string): boolean {
  if (!header) return false
  if (header.trim() === '*') return true
  return header.split(',').some((t) => t.trim().replace(/^W\//, '') === etag)
}

function publicMessage(status: number, error: Error & {code?: string; validation?: unknown}): string {
  if (status === 413) return `The request body is larger than ${MAX_BODY_BYTES} bytes.`
  if (status === 415) return 'Unsupported media type: send text/xml or application/xml.'
  if (error.validation) return 'The request has a parameter this server does not accept (too long or malformed).'
  if (status === 405) return 'Method not allowed.'
  return 'Bad request.'
}
