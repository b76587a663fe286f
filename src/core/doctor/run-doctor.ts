/**
 * `doctor ADDRESS [SETTINGS]`: what each mail client discovers for an address, checked. The
 * clients' flows run at once (as the clients themselves would, each in its own order); then every
 * configuration found gets the rules (rules.ts), the drift comparison with the settings (drift.ts),
 * and the servers it names are probed with the check engine. Returns a report; never prints.
 */
import {finding} from '../codes.js'
import {runCheck, type EndpointResult} from '../check/run-check.js'
import type {CheckEndpoint} from '../check/endpoints.js'
import {InputError} from '../errors.js'
import type {Finding} from '../findings.js'
import {endpointKey, normalizeHost, toALabels} from '../mail/host.js'
import type {ProbeSecurity} from '../net/evidence.js'
import type {Settings} from '../settings/model.js'
import type {AppleTrustStore} from '../x509/trust-store.js'
import {apple} from './apple.js'
import {ConnectToMap} from './connect-to.js'
import {DEFAULT_ISPDB, type DoctorContext} from './context.js'
import {Deadline, DEFAULT_DEADLINE_SECONDS} from './deadline.js'
import {DnsClient, withDeadline} from './dns.js'
import {driftFindings, settingsServers} from './drift.js'
import {CLIENT_NAMES, CLIENT_TITLES, type ClientName, type ClientReport, type FoundConfig} from './model.js'
import {outlook} from './outlook.js'
import {configFindings} from './rules.js'
import {srvClient} from './srv.js'
import {thunderbird} from './thunderbird.js'
import {pushAll} from '../arrays.js'

export interface DoctorOptions {
  clients?: readonly ClientName[]
  /** --dns SERVER:PORT (parsed); undefined: the system resolver. */
  dnsServer?: string
  connectTo?: ConnectToMap
  timeoutSeconds: number
  /** Bound for everything one address does, seconds (--deadline); default DEFAULT_DEADLINE_SECONDS. */
  deadlineSeconds?: number
  now: Date
  warnDays: number
  extraRoots: Buffer[]
  appleStore?: AppleTrustStore
  /** ISPDB base URL; false: --no-ispdb. Default: the public ISPDB. */
  ispdb?: string | false
  profileUrl?: string
  settings?: Settings
  /** Probe the servers each configuration names (default true). */
  probeServers?: boolean
  /** Shared between the addresses of one --domains run. */
  dns?: DnsClient
}

export interface DoctorResult {
  address: string
  domain: string
  dnsServer: string
  clients: ClientReport[]
  /** The servers the configurations name, probed with the check engine (as `check` reports them). */
  endpoints: EndpointResult[]
  findings: Finding[]
  durationMs: number
  /** The address's deadline and the steps it cut (client, step name, target), in client order. */
  deadline: {seconds: number; cut: Array<{client: ClientName; name: string; target: string}>}
}

/** "alice@example.com" → itself; "example.com" → "postmaster@example.com" (a domain from --domains). */
export function addressOf(input: string): {address: string; localPart: string; domain: string} {
  const t = input.trim()
  const at = t.lastIndexOf('@')
  const local = at < 0 ? 'postmaster' : t.slice(0, at)
  const domainText = (at < 0 ? t : t.slice(at + 1)).replace(/\.$/, '')
  const domain = toALabels(domainText)
  if (!local || /[\s<>()[\]\\,;:"]/.test(local) || !domain || !domain.includes('.') || /[^a-z0-9.-]/.test(domain)) {
    throw new InputError(`"${input}": expected an e-mail address such as alice@example.com (or, with --domains, a domain)`)
  }
  return {address: `${local}@${domain}`, localPart: local, domain}
}

function settingsConfig(settings: Settings, address: string): FoundConfig | undefined {
  const s = settingsServers(settings, address)
  if (!s) return undefined
  return {
    source: settings.file,
    format: 'settings',
    servers: [
      {role: 'incoming', protocol: s.incoming.protocol, host: s.incoming.host, port: s.incoming.port, security: s.incoming.security, username: s.login ?? s.incoming.username, authentication: s.incoming.authentication},
      {role: 'outgoing', protocol: s.outgoing.protocol, host: s.outgoing.host, port: s.outgoing.port, security: s.outgoing.security, username: s.login ?? s.outgoing.username, authentication: s.outgoing.authentication},
    ],
  }
}

async function probeConfigs(reports: ClientReport[], ctx: DoctorContext, options: DoctorOptions): Promise<EndpointResult[]> {
  const byKey = new Map<string, CheckEndpoint>()
  for (const r of reports) {
    if (!r.config || r.config.format === 'guess') continue
    for (const s of r.config.servers) {
      if (s.security === 'none') continue
      const target = {host: s.host, port: s.port, protocol: s.protocol, security: s.security as ProbeSecurity}
      const key = endpointKey(target)
      if (byKey.has(key)) continue
      const dns = await ctx.http.dns.addresses(s.host)
      if (!dns.ok && dns.kind === 'cut') {
        // The deadline has passed: the check engine reports it as not started (deadline-exceeded).
        byKey.set(key, {target, settingsSources: []})
        continue
      }
      if (!dns.ok) {
        r.findings.push(finding('host-unresolved', {message: `${s.host}, which ${r.client === 'srv' ? 'the SRV records name' : `${r.client}'s configuration names`}, does not resolve (${dns.error}): the client cannot connect.`, endpoint: {host: s.host, port: s.port, protocol: s.protocol}}))
        continue
      }
      const mapped = ctx.http.connectTo.lookup(s.host, s.port)
      byKey.set(key, {target: {...target, address: mapped?.address ?? dns.records[0], ...(mapped ? {connectPort: mapped.port} : {})}, settingsSources: []})
    }
  }
  if (byKey.size === 0) return []
  const deadlineSeconds = ctx.http.deadline.remainingMs() / 1000
  const result = await runCheck([...byKey.values()], {now: options.now, warnDays: options.warnDays, timeoutSeconds: options.timeoutSeconds, deadlineSeconds, extraRoots: options.extraRoots, appleStore: options.appleStore, trustInput: 'probe'})
  return result.endpoints
}

export async function runDoctor(input: string, options: DoctorOptions): Promise<DoctorResult> {
  const started = Date.now()
  const {address, localPart, domain} = addressOf(input)
  const timeoutMs = options.timeoutSeconds * 1000
  const deadline = new Deadline(options.deadlineSeconds ?? DEFAULT_DEADLINE_SECONDS, started)
  const dns = options.dns ?? new DnsClient(options.dnsServer, timeoutMs)
  const ctx: DoctorContext = {
    http: {dns: withDeadline(dns, deadline), deadline, connectTo: options.connectTo ?? new ConnectToMap(), timeoutMs, now: options.now, warnDays: options.warnDays, extraRoots: options.extraRoots, appleStore: options.appleStore},
    address,
    localPart,
    domain,
    ispdb: options.ispdb ?? DEFAULT_ISPDB,
    phaseTimeoutMs: timeoutMs,
  }
  const wanted = options.clients ?? CLIENT_NAMES
  const fromSettings = options.settings ? settingsConfig(options.settings, address) : undefined
  const runs: Record<ClientName, () => Promise<ClientReport>> = {
    thunderbird: () => thunderbird(ctx),
    outlook: () => outlook(ctx),
    srv: () => srvClient(ctx),
    apple: () => apple(ctx, {hosts: fromSettings?.servers.map((s) => s.host) ?? [], profileUrl: options.profileUrl, settingsConfig: fromSettings}),
  }
  const clients = await Promise.all(CLIENT_NAMES.filter((c) => wanted.includes(c)).map((c) => runs[c]()))
  for (const r of clients) {
    if (!r.config || r.config.format === 'settings') continue
    pushAll(r.findings, configFindings(r.config))
    if (options.settings) pushAll(r.findings, driftFindings(r.client, r.config, options.settings, address))
  }
  const cut = clients.flatMap((r) => deadlineCut(r, deadline))
  const endpoints = options.probeServers === false ? [] : await probeConfigs(clients, ctx, options)
  // A probed server's findings belong to every client whose configuration names it.
  for (const r of clients) {
    if (!r.config) continue
    const keys = new Set(r.config.servers.map((s) => `${normalizeHost(s.host)}|${s.port}`))
    const mine = endpoints.filter((e) => keys.has(`${normalizeHost(e.endpoint.host)}|${e.endpoint.port}`))
    const bad = mine.filter((e) => e.status === 'error')
    if (bad.length > 0 && r.client !== 'apple') r.sentence += ` But ${bad.map((e) => `${e.endpoint.host}:${e.endpoint.port}`).join(' and ')} fail${bad.length === 1 ? 's' : ''} the server check (${[...new Set(bad.flatMap((e) => e.findings.filter((f) => f.severity === 'error').map((f) => f.code)))].join(', ')}).`
  }
  const findings = [...clients.flatMap((r) => r.findings), ...endpoints.flatMap((e) => e.findings)]
  return {address, domain, dnsServer: dns.serverName, clients, endpoints, findings: dedupe(findings), durationMs: Date.now() - started, deadline: {seconds: deadline.seconds, cut}}
}

/**
 * A client whose steps the deadline cut: one finding, and a sentence that does not claim what the
 * client ends with (a cut source may have been the one it would use). Returns the cut steps.
 */
function deadlineCut(r: ClientReport, deadline: Deadline): DoctorResult['deadline']['cut'] {
  const cut = r.steps.filter((s) => s.result === 'cut')
  if (cut.length === 0) return []
  const title = CLIENT_TITLES[r.client]
  r.findings.push(
    finding('discovery-deadline-exceeded', {
      message: `doctor's ${deadline.seconds} s deadline for this address ran out before ${title} was followed to the end: ${cut.length} step(s) cut (first: ${cut[0]!.target}). What ${title} ends with is not known.`,
    }),
  )
  if (r.config) {
    r.sentence += ` (Not certain: doctor's deadline cut ${cut.length} step(s), and the client may end elsewhere.)`
  } else {
    r.findings = r.findings.filter((f) => f.code !== 'discovery-nothing-found')
    r.sentence = `doctor's ${deadline.seconds} s deadline ran out before ${title} was followed to the end: what it ends with is not known.`
  }
  return cut.map((s) => ({client: r.client, name: s.name, target: s.target}))
}

function dedupe(findings: Finding[]): Finding[] {
  const seen = new Set<string>()
  return findings.filter((f) => {
    const k = `${f.code}|${f.message}`
    if (seen.has(k)) return false
    seen.add(k)
    return true
  })
}
