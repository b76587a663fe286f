/**
 * RFC 6186 SRV records (with RFC 8314's implicit-TLS names first): _imaps, _imap, _pop3s, _pop3,
 * _submissions, _submission under _tcp.<domain>. A target of "." means "not offered" (§3.4).
 * The configuration is the most preferred offered record of each role, implicit TLS preferred.
 */
import {finding} from '../codes.js'
import type {Protocol, Security} from '../mail/protocol.js'
import type {DoctorContext} from './context.js'
import {missed} from './dns.js'
import type {ClientReport, FoundServer} from './model.js'
import {describeServers} from './thunderbird.js'

const SERVICES: Array<{service: string; role: FoundServer['role']; protocol: Protocol; security: Security}> = [
  {service: '_imaps', role: 'incoming', protocol: 'imap', security: 'ssl'},
  {service: '_imap', role: 'incoming', protocol: 'imap', security: 'starttls'},
  {service: '_pop3s', role: 'incoming', protocol: 'pop3', security: 'ssl'},
  {service: '_pop3', role: 'incoming', protocol: 'pop3', security: 'starttls'},
  {service: '_submissions', role: 'outgoing', protocol: 'smtp', security: 'ssl'},
  {service: '_submission', role: 'outgoing', protocol: 'smtp', security: 'starttls'},
]

export async function srvClient(ctx: DoctorContext): Promise<ClientReport> {
  const report: ClientReport = {client: 'srv', steps: [], sentence: '', findings: []}
  const answers = await Promise.all(
    SERVICES.map(async (s) => {
      const started = Date.now()
      const name = `${s.service}._tcp.${ctx.domain}`
      return {s, name, answer: await ctx.http.dns.srv(name), ms: Date.now() - started}
    }),
  )
  const servers: FoundServer[] = []
  for (const {s, name, answer, ms} of answers) {
    if (!answer.ok) {
      report.steps.push({name: `SRV ${s.service}`, method: 'SRV', target: name, result: missed(answer), durationMs: ms, detail: answer.kind === 'none' ? 'no record' : answer.error})
      if (answer.kind === 'failed') report.findings.push(finding('dns-failed', {message: `The SRV lookup of ${name} failed (${answer.error}).`}))
      continue
    }
    const best = [...answer.records].sort((a, b) => a.priority - b.priority || b.weight - a.weight)[0]!
    const notOffered = !best.name || best.name === '.'
    report.steps.push({name: `SRV ${s.service}`, method: 'SRV', target: name, result: notOffered ? 'info' : 'found', durationMs: ms, detail: notOffered ? 'target "." (not offered)' : `${best.name}:${best.port} (priority ${best.priority}, weight ${best.weight})`})
    if (notOffered) {
      report.findings.push(finding('srv-not-offered', {message: `${name} says ${s.protocol.toUpperCase()} over ${s.security === 'ssl' ? 'implicit TLS' : 'STARTTLS'} is not offered.`}))
      continue
    }
    if (!servers.some((x) => x.role === s.role)) servers.push({role: s.role, protocol: s.protocol, host: best.name.replace(/\.$/, ''), port: best.port, security: s.security, username: ctx.address})
  }
  if (servers.some((s) => s.role === 'incoming')) {
    report.config = {source: `SRV records of ${ctx.domain}`, format: 'srv', servers}
    report.stoppedAt = report.steps.length - 1
    report.sentence = `Clients that read RFC 6186 SRV records will use ${describeServers(report.config)}.`
  } else {
    report.sentence = `${ctx.domain} publishes no RFC 6186 SRV records for mail; clients that read them fall back to their own discovery.`
  }
  return report
}
