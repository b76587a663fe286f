/**
 * Thunderbird's account discovery (comm-central mail/components/accountcreation: FindConfig,
 * FetchConfig, GuessConfig; draft-ietf-mailmaint-autoconfig), from the outside:
 * 1. at once: autoconfig.<domain> over HTTPS, <domain>/.well-known over HTTPS, both over HTTP,
 *    and the ISPDB; the first of these, in that priority, that yields a usable file wins;
 * 2. else the MX route: the most-preferred MX host's parent domain and its registrable (base)
 *    domain (public suffix list, tldts): HTTPS autoconfig and the ISPDB for each;
 * 3. else the guess: imap./pop3./pop./mail./the domain and smtp./mail./the domain on the
 *    standard ports, by capability probes (the net probe: greeting and TLS, no login).
 */
import {getDomain} from 'tldts'

import {finding} from '../codes.js'
import type {Finding} from '../findings.js'
import type {Protocol, Security} from '../mail/protocol.js'
import {probe} from '../net/probe.js'
import {readAutoconfig} from './autoconfig-xml.js'
import {missed} from './dns.js'
import type {DoctorContext} from './context.js'
import {fetchStep, type FetchedStep} from './fetch-step.js'
import type {ClientReport, FoundConfig, FoundServer, Step} from './model.js'
import {pushAll} from '../arrays.js'

interface Candidate {
  name: string
  url: URL
  thirdParty: boolean
}

function autoconfigUrl(scheme: string, host: string, wellKnown: boolean, address: string): URL {
  const u = new URL(`${scheme}://${host}${wellKnown ? '/.well-known/autoconfig' : ''}/mail/config-v1.1.xml`)
  u.searchParams.set('emailaddress', address)
  return u
}

interface Tried {
  fetched: FetchedStep
  config?: FoundConfig
  findings: Finding[]
}

async function tryCandidate(c: Candidate, ctx: DoctorContext): Promise<Tried> {
  const fetched = await fetchStep({client: 'thunderbird', name: c.name, request: {url: c.url, method: 'GET'}, follow: true}, ctx.http)
  const findings = [...fetched.findings]
  if (!fetched.body) return {fetched, findings}
  const last = fetched.steps[fetched.steps.length - 1]!
  const read = readAutoconfig(fetched.body, fetched.finalUrl.href)
  if (!read.ok) {
    last.result = 'failed'
    last.detail += `; ${read.reason}`
    fetched.failure = read.reason
    if (/HTML|not XML|malformed/.test(read.reason)) findings.push(finding('discovery-not-xml', {message: `${fetched.finalUrl.href} answers ${last.status} with ${read.reason} instead of an autoconfig file; Thunderbird moves on.`}))
    return {fetched, findings}
  }
  pushAll(findings, read.findings)
  last.detail += `; ${read.config.servers.length} server(s)`
  return {fetched, config: read.config, findings}
}

/** Runs candidates at once; the winner is the first in list order with a configuration. */
async function stage(cands: Candidate[], ctx: DoctorContext, report: ClientReport): Promise<{config: FoundConfig; candidate: Candidate} | undefined> {
  const results = await Promise.all(cands.map((c) => tryCandidate(c, ctx)))
  let winner: {config: FoundConfig; candidate: Candidate} | undefined
  results.forEach((r, i) => {
    const base = report.steps.length
    if (winner) {
      for (const s of r.fetched.steps) report.steps.push({...s, detail: `${s.detail} (not used: an earlier source won)`})
      return
    }
    pushAll(report.steps, r.fetched.steps)
    pushAll(report.findings, r.findings)
    if (r.config) {
      winner = {config: r.config, candidate: cands[i]!}
      report.stoppedAt = base + r.fetched.steps.length - 1
    }
  })
  return winner
}

function ispdbCandidate(domain: string, ctx: DoctorContext, label: string): Candidate[] {
  if (ctx.ispdb === false) return []
  return [{name: `ISPDB (${label})`, url: new URL(encodeURIComponent(domain), ctx.ispdb), thirdParty: true}]
}

const GUESS_IN: Array<{protocol: Protocol; port: number; security: Security}> = [
  {protocol: 'imap', port: 993, security: 'ssl'},
  {protocol: 'imap', port: 143, security: 'starttls'},
  {protocol: 'pop3', port: 995, security: 'ssl'},
  {protocol: 'pop3', port: 110, security: 'starttls'},
]
const GUESS_OUT: Array<{protocol: Protocol; port: number; security: Security}> = [
  {protocol: 'smtp', port: 465, security: 'ssl'},
  {protocol: 'smtp', port: 587, security: 'starttls'},
]

async function guess(ctx: DoctorContext, report: ClientReport): Promise<FoundConfig | undefined> {
  const d = ctx.domain
  const pick = async (role: FoundServer['role'], hostsFor: (p: Protocol) => string[], modes: typeof GUESS_IN): Promise<FoundServer | undefined> => {
    const tries: Array<{host: string; protocol: Protocol; port: number; security: Security}> = []
    for (const m of modes) for (const host of hostsFor(m.protocol)) tries.push({host, ...m})
    if (ctx.http.deadline.passed) {
      report.steps.push({name: `guess ${role}`, method: 'probe', target: `${tries.length} candidate servers`, result: 'cut', durationMs: 0, detail: ctx.http.deadline.detail})
      return undefined
    }
    // Only names that resolve are probed (as Thunderbird's connection attempts fail at once otherwise).
    const resolved = await Promise.all(tries.map((t) => ctx.http.dns.addresses(t.host)))
    const probes = await Promise.all(
      tries.map(async (t, i) => {
        const dns = resolved[i]!
        const deadline = ctx.http.deadline
        if (!dns.ok && dns.kind === 'cut') return {t, ok: false, cut: true, detail: deadline.detail, ms: 0, skipped: false}
        if (!dns.ok) return {t, ok: false, detail: 'the name does not resolve', ms: 0, skipped: true}
        if (deadline.passed) return {t, ok: false, cut: true, detail: deadline.detail, ms: 0, skipped: false}
        const mapped = ctx.http.connectTo.lookup(t.host, t.port)
        const started = Date.now()
        const ev = await probe({host: t.host, port: t.port, protocol: t.protocol, security: t.security as 'ssl' | 'starttls', address: mapped?.address ?? dns.records[0], ...(mapped ? {connectPort: mapped.port} : {})}, {phaseTimeoutMs: ctx.phaseTimeoutMs, runDeadlineAt: deadline.at, expectation: 'command-line'})
        const ok = ev.greeting !== undefined && ev.tls !== undefined
        const cut = !ok && ev.findings.some((f) => f.code === 'deadline-exceeded')
        return {t, ok, cut, detail: ok ? `greeting and ${ev.tls!.version}` : cut ? deadline.detail : (ev.findings[0]?.code ?? 'no answer'), ms: Date.now() - started, skipped: false}
      }),
    )
    let chosen: FoundServer | undefined
    for (const p of probes) {
      if (p.skipped) continue
      const step: Step = {name: `guess ${role}`, method: 'probe', target: `${p.t.protocol}://${p.t.host}:${p.t.port} (${p.t.security})`, result: p.ok ? 'found' : p.cut ? 'cut' : 'not-found', durationMs: p.ms, detail: p.detail}
      if (p.ok && chosen) step.detail += ' (not used: an earlier guess won)'
      report.steps.push(step)
      if (p.ok && !chosen) chosen = {role, protocol: p.t.protocol, host: p.t.host, port: p.t.port, security: p.t.security, username: ctx.address}
    }
    return chosen
  }
  const incoming = await pick('incoming', (p) => (p === 'imap' ? [`imap.${d}`, `mail.${d}`, d] : [`pop3.${d}`, `pop.${d}`, `mail.${d}`, d]), GUESS_IN)
  const outgoing = await pick('outgoing', () => [`smtp.${d}`, `mail.${d}`, d], GUESS_OUT)
  if (!incoming) return undefined
  report.stoppedAt = report.steps.length - 1
  return {source: 'guess', format: 'guess', servers: outgoing ? [incoming, outgoing] : [incoming]}
}

export async function thunderbird(ctx: DoctorContext): Promise<ClientReport> {
  const report: ClientReport = {client: 'thunderbird', steps: [], sentence: '', findings: []}
  const d = ctx.domain
  const first: Candidate[] = [
    {name: 'autoconfig (HTTPS)', url: autoconfigUrl('https', `autoconfig.${d}`, false, ctx.address), thirdParty: false},
    {name: '.well-known autoconfig (HTTPS)', url: autoconfigUrl('https', d, true, ctx.address), thirdParty: false},
    {name: 'autoconfig (HTTP)', url: autoconfigUrl('http', `autoconfig.${d}`, false, ctx.address), thirdParty: false},
    {name: '.well-known autoconfig (HTTP)', url: autoconfigUrl('http', d, true, ctx.address), thirdParty: false},
    ...ispdbCandidate(d, ctx, d),
  ]
  let won = await stage(first, ctx, report)
  let via = ''
  if (!won) {
    const started = Date.now()
    const mx = await ctx.http.dns.mx(d)
    const best = mx.ok ? [...mx.records].sort((a, b) => a.priority - b.priority)[0] : undefined
    report.steps.push({name: 'MX', method: 'MX', target: d, result: best ? 'found' : missed(mx), durationMs: Date.now() - started, detail: best ? `most preferred: ${best.exchange} (priority ${best.priority})` : mx.ok ? 'no MX' : mx.error})
    if (best && best.exchange && best.exchange !== '.') {
      const mxHost = best.exchange.toLowerCase().replace(/\.$/, '')
      const parent = mxHost.split('.').slice(1).join('.')
      const base = getDomain(mxHost) ?? parent
      const domains = [...new Set([parent, base].filter((x) => x && x.includes('.') && x !== d))]
      const cands: Candidate[] = []
      for (const md of domains) cands.push({name: `MX domain autoconfig (HTTPS, ${md})`, url: autoconfigUrl('https', `autoconfig.${md}`, false, ctx.address), thirdParty: true}, ...ispdbCandidate(md, ctx, md))
      if (cands.length > 0) {
        won = await stage(cands, ctx, report)
        if (won) via = ` (via the MX ${mxHost})`
      }
    }
  }
  if (won) {
    report.config = won.config
    if (won.candidate.thirdParty) report.findings.push(finding('discovery-third-party-source', {message: `Thunderbird takes its settings for ${d} from ${won.candidate.name}${via}: ${won.config.source}, a file the domain does not control.`}))
    report.sentence = `Thunderbird will use ${won.candidate.name}${via} and set up ${describeServers(won.config)}.`
    return report
  }
  const guessed = await guess(ctx, report)
  if (guessed) {
    report.config = guessed
    report.findings.push(finding('discovery-guessed', {message: `Thunderbird finds no published configuration for ${d} and guesses ${describeServers(guessed)}.`}))
    report.sentence = `Thunderbird finds no configuration file and guesses ${describeServers(guessed)}.`
    return report
  }
  report.findings.push(finding('discovery-nothing-found', {message: `Thunderbird finds no configuration for ${ctx.address} and no server it can guess: the user must enter every setting by hand.`}))
  report.sentence = 'Thunderbird finds nothing and asks the user to enter the servers by hand.'
  return report
}

export function describeServers(config: FoundConfig): string {
  const first = (role: FoundServer['role']) => config.servers.find((s) => s.role === role)
  const show = (s: FoundServer | undefined) => (s ? `${s.host}:${s.port} ${s.protocol.toUpperCase()} over ${s.security === 'ssl' ? 'SSL' : s.security === 'starttls' ? 'STARTTLS' : 'no encryption'}` : 'no outgoing server')
  return `${show(first('incoming'))} and ${show(first('outgoing'))}`
}
