/**
 * Human text for `doctor`: per client its steps in order (method, URL or DNS name, status,
 * redirect, certificate verdict, time), where it stopped, the configuration it ends with and the
 * plain sentence; for --domains one line per domain and the summary. Findings follow (render/text.ts).
 */
import type {ManyResult} from '../core/doctor/many.js'
import {CLIENT_TITLES, type ClientReport, type FoundConfig, type Step} from '../core/doctor/model.js'
import type {DoctorResult} from '../core/doctor/run-doctor.js'
import type {Style} from './style.js'

const MARK: Record<Step['result'], string> = {found: '✔', 'not-found': '·', failed: '✖', redirect: '→', skipped: '-', info: 'i', cut: '⏱'}

function stepLine(s: Step, i: number, stopped: boolean, style: Style): string {
  const mark = s.result === 'found' ? style.green(MARK[s.result]) : s.result === 'failed' || s.result === 'cut' ? style.red(MARK[s.result]) : MARK[s.result]
  const status = s.status !== undefined ? ` ${s.status}` : ''
  const cert = s.certificate ? ` [certificate ${s.certificate.accepted ? 'accepted' : style.red('rejected')}: ${s.certificate.summary}]` : ''
  const redirect = s.redirect ? ` → ${s.redirect}` : ''
  const line = `  ${String(i + 1).padStart(2)}. ${mark} ${s.name}: ${s.method} ${s.target}${status}${redirect}${cert} ${style.dim(`(${s.durationMs} ms)`)}`
  return `${line}\n      ${style.dim(s.detail)}${stopped ? `\n      ${style.bold('↳ stops here')}` : ''}`
}

function configLines(c: FoundConfig): string[] {
  return c.servers.map((s) => `    ${s.role.padEnd(8)} ${s.protocol.toUpperCase().padEnd(4)} ${s.host}:${s.port} ${s.security === 'ssl' ? 'SSL' : s.security === 'starttls' ? 'STARTTLS' : 'no TLS'}${s.username ? `, user ${s.username}` : ''}${s.authentication ? `, ${s.authentication}` : ''}`)
}

function clientBlock(r: ClientReport, style: Style): string {
  const out = [style.bold(CLIENT_TITLES[r.client])]
  r.steps.forEach((s, i) => out.push(stepLine(s, i, r.stoppedAt === i, style)))
  if (r.config) out.push(`  configuration (${r.config.source}):`, ...configLines(r.config))
  out.push(`  ${r.sentence}`)
  return out.join('\n') + '\n'
}

export function renderDoctorSections(result: DoctorResult, style: Style): string[] {
  const head = `${style.bold(`doctor ${result.address}`)} ${style.dim(`(DNS: ${result.dnsServer}, ${result.durationMs} ms)`)}\n`
  return [head, ...result.clients.map((c) => clientBlock(c, style))]
}

export function renderManySections(result: ManyResult, style: Style): string[] {
  const lines = result.domains.map((d) => {
    const mark = d.status === 'ok' ? style.green('✔') : d.status === 'warning' ? style.yellow('!') : style.red('✖')
    const clients = Object.entries(d.clients).map(([c, v]) => `${c}: ${v}`).join('; ')
    return `${mark} ${d.input}  ${clients}${d.codes.length ? `  [${d.codes.join(', ')}]` : ''}`
  })
  const s = result.summary
  return [lines.join('\n') + '\n', `${s.total} domains in ${s.durationMs} ms: ${s.ok} ok, ${s.warning} with warnings, ${s.error} with errors\n`]
}
