import * as Args from '@oclif/core/args'
import * as Flags from '@oclif/core/flags'

import {InputError} from '../core/errors.js'
import type {Listener} from '../core/serve/server.js'
import type {Report} from '../render/report.js'
import {BaseCommand} from './base.js'

export default class Serve extends BaseCommand {
  static override summary = 'Serve Autodiscover, autoconfig, signed profiles and an onboarding page from a settings file.'
  static override description = `Answers the URLs mail clients fetch their settings from: Outlook's POX Autodiscover (POST /autodiscover/autodiscover.xml) and Autodiscover JSON, Thunderbird's autoconfig (/mail/config-v1.1.xml, /.well-known/autoconfig/…), per-user signed .mobileconfig profiles (/mobileconfig?emailaddress=…, /profiles/<address>.mobileconfig), an onboarding page (/), /healthz and /metrics. Paths match case-insensitively. The answers are the bytes \`build\` writes.
SIGHUP or a change of the settings file reloads it (lint errors keep the old settings serving); SIGTERM or SIGINT finishes the requests in flight and stops. Logs are JSON lines on stderr, email addresses hashed unless --log-addresses.
Exit status: 0 stopped cleanly, 1 the settings have error-level findings (nothing served), 2 usage error or unreadable input.`
  static override examples = [
    '<%= config.bin %> serve examples/provider.yaml',
    '<%= config.bin %> serve mail.yaml --listen 127.0.0.1:8080 --listen 127.0.0.1:8081 --trust-proxy 127.0.0.1 --public-url https://autodiscover.example.com',
    '<%= config.bin %> serve mail.yaml --listen 0.0.0.0:443 --tls-cert fullchain.pem --tls-key key.pem --listen http://0.0.0.0:80 --redirect-http --public-url https://autodiscover.example.com',
  ]
  static override args = {
    file: Args.string({description: 'Settings file (YAML or JSON).', required: true}),
  }
  static override flags = {
    listen: Flags.string({description: 'Address to listen on, HOST:PORT ([::1]:8080 for IPv6); https://HOST:PORT or http://HOST:PORT chooses the scheme (default: https with --tls-cert, else http). Repeatable.', multiple: true, default: ['127.0.0.1:8080'], helpValue: 'HOST:PORT'}),
    'tls-cert': Flags.string({description: 'PEM certificate chain for HTTPS listeners.', dependsOn: ['tls-key'], helpValue: 'FILE'}),
    'tls-key': Flags.string({description: 'PEM private key for HTTPS listeners.', dependsOn: ['tls-cert'], helpValue: 'FILE'}),
    'trust-proxy': Flags.string({description: 'Address (or CIDR) of a reverse proxy whose X-Forwarded-For/-Proto/-Host headers are believed; from anyone else they are ignored. Repeatable.', multiple: true, helpValue: 'ADDRESS'}),
    'public-url': Flags.string({description: 'Base URL the server hands out (Autodiscover JSON, the QR code, --redirect-http), e.g. https://autodiscover.example.com. Default: the first listener.', helpValue: 'URL'}),
    'redirect-http': Flags.boolean({description: "On plain-HTTP listeners, answer GET /autodiscover/autodiscover.xml with a 302 to --public-url's (Outlook's HTTP-redirect step)."}),
    'log-addresses': Flags.boolean({description: 'Write email addresses into the request log as they are (default: a SHA-256 prefix).'}),
    'max-connections': Flags.integer({description: 'Concurrent connections per listener; more are refused.', default: 4096, min: 1}),
    'cache-mb': Flags.integer({description: 'Megabytes of built, signed profiles kept in memory so repeated downloads cost no signature.', default: 64, min: 0}),
    threads: Flags.integer({description: 'Threads that build and sign the profiles the cache does not hold, beside the one answering HTTP (default: the cores; 1: no worker threads, the event loop builds them). The bytes are the same either way.', min: 1, max: 64}),
    watch: Flags.boolean({description: 'Reload when the settings file or its users CSV changes (--no-watch: only on SIGHUP).', default: true, allowNo: true}),
    'log-level': Flags.string({description: 'Request log level.', options: ['debug', 'info', 'warn', 'error', 'silent'], default: 'info'}),
  }

  protected async report(): Promise<Report> {
    const {args, flags} = await this.parse(Serve)
    const listeners = flags.listen.map((l) => parseListen(l, flags['tls-cert'], flags['tls-key']))
    const publicUrl = flags['public-url'] === undefined ? undefined : parsePublicUrl(flags['public-url'])
    if (flags['redirect-http'] && !publicUrl?.startsWith('https://')) throw new InputError('--redirect-http needs --public-url https://… (the address Outlook is sent to)')
    const [{runServe}, {createServeLogger}] = await Promise.all([import('../core/serve/run.js'), import('../core/serve/logger.js')])
    const logger = createServeLogger(flags['log-level'])
    const stop = new AbortController()
    const onStop = (): void => stop.abort()
    process.once('SIGTERM', onStop).once('SIGINT', onStop)
    let onHup: (() => void) | undefined
    try {
      const result = await runServe({
        file: args.file,
        listeners,
        publicUrl,
        redirectHttp: flags['redirect-http'],
        trustProxy: flags['trust-proxy'] ?? [],
        logAddresses: flags['log-addresses'],
        env: process.env,
        logger,
        watch: flags.watch,
        threads: flags.threads,
        limits: {maxConnections: flags['max-connections'], cacheBytes: flags['cache-mb'] * 1024 * 1024},
        stop: stop.signal,
        onReady: (handle) => {
          onHup = () => void handle.reload()
          process.on('SIGHUP', onHup)
        },
      })
      const sections = result.refused
        ? [`Nothing was served: ${result.refused}.\n`]
        : [`Served ${result.requests} request${result.requests === 1 ? '' : 's'} on ${result.urls.join(', ')} (public URL ${result.publicUrl}); settings reloaded ${result.reloads.ok} time${result.reloads.ok === 1 ? '' : 's'}, ${result.reloads.failed} reload${result.reloads.failed === 1 ? '' : 's'} refused.\n`]
      return {command: 'serve', findings: result.findings, inputErrors: [], sections, data: {urls: result.urls, publicUrl: result.publicUrl ?? null, requests: result.requests, reloads: result.reloads}}
    } finally {
      logger.flush()
      process.off('SIGTERM', onStop).off('SIGINT', onStop)
      if (onHup) process.off('SIGHUP', onHup)
    }
  }
}

function parseListen(value: string, cert: string | undefined, key: string | undefined): Listener {
  const m = /^(?:(https?):\/\/)?(\[[0-9a-fA-F:.]+\]|[^:/[\]]+):(\d{1,5})$/.exec(value)
  const port = m ? Number(m[3]) : NaN
  if (!m || port > 65535) throw new InputError(`--listen "${value}" is not HOST:PORT (e.g. 127.0.0.1:8080, [::1]:8080, https://0.0.0.0:443)`)
  const scheme = m[1] ?? (cert ? 'https' : 'http')
  if (scheme === 'https' && (!cert || !key)) throw new InputError(`--listen ${value} is HTTPS, which needs --tls-cert and --tls-key`)
  return {host: m[2]!.replace(/^\[|\]$/g, ''), port, tls: scheme === 'https' ? {cert: cert!, key: key!} : undefined}
}

function parsePublicUrl(value: string): string {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw new InputError(`--public-url "${value}" is not a URL (e.g. https://autodiscover.example.com)`)
  }
  if (!/^https?:$/.test(url.protocol) || url.search || url.hash || url.username) throw new InputError(`--public-url "${value}" must be an http(s) URL without query, fragment or credentials`)
  return url.href.replace(/\/+$/, '')
}
