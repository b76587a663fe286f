/**
 * `doctor --domains FILE`: one address or domain per line (# comments and blank lines ignored),
 * all run with bounded parallelism (net/pool's runPool) and one shared DNS cache; each gets a one-line
 * summary, and the run a count per status. Server probes are left out unless asked for, so a
 * hoster's list of thousands stays bounded in time and memory: only summaries are kept.
 */

import {InputError} from '../errors.js'
import {readTextInput} from '../files.js'
import {countFindings, type Finding} from '../findings.js'
import {runPool} from '../net/pool.js'
import {DnsClient} from './dns.js'
import type {ClientName} from './model.js'
import {addressOf, type DoctorOptions, runDoctor} from './run-doctor.js'

export interface DomainLine {
  input: string
  address?: string
  status: 'ok' | 'warning' | 'error'
  /** Per client: where it ends ("autoconfig (HTTPS)", "nothing"). */
  clients: Partial<Record<ClientName, string>>
  codes: string[]
  findings: Finding[]
  durationMs: number
}

export interface ManyResult {
  domains: DomainLine[]
  summary: {total: number; ok: number; warning: number; error: number; durationMs: number}
}

export const MAX_DOMAINS = 100_000

export function readDomainsFile(file: string): string[] {
  const text = readTextInput(file, 'domains file')
  const lines: string[] = []
  text.split(/\r?\n/).forEach((raw, index) => {
    const entry = raw.replace(/#.*/, '').trim()
    if (!entry) return
    if (lines.length === MAX_DOMAINS) throw new InputError(`--domains: more than ${MAX_DOMAINS} lines`, {file, line: index + 1})
    try {
      addressOf(entry)
    } catch (error) {
      throw new InputError((error as Error).message, {file, line: index + 1})
    }
    lines.push(entry)
  })
  if (lines.length === 0) throw new InputError('--domains: the file lists no domain', {file})
  return lines
}

export async function runMany(inputs: readonly string[], options: DoctorOptions, concurrency: number): Promise<ManyResult> {
  const started = Date.now()
  const dns = new DnsClient(options.dnsServer, options.timeoutSeconds * 1000)
  const domains = await runPool(inputs, concurrency, async (input): Promise<DomainLine> => {
    const r = await runDoctor(input, {...options, dns})
    const counts = countFindings(r.findings)
    const clients: DomainLine['clients'] = {}
    for (const c of r.clients) clients[c.client] = c.stoppedAt !== undefined ? c.steps[c.stoppedAt]!.name : c.config ? c.config.format : 'nothing'
    return {
      input,
      address: r.address,
      status: counts.error > 0 ? 'error' : counts.warning > 0 ? 'warning' : 'ok',
      clients,
      codes: [...new Set(r.findings.filter((f) => f.severity !== 'info').map((f) => f.code))],
      findings: r.findings,
      durationMs: r.durationMs,
    }
  })
  const count = (s: DomainLine['status']) => domains.filter((d) => d.status === s).length
  return {domains, summary: {total: domains.length, ok: count('ok'), warning: count('warning'), error: count('error'), durationMs: Date.now() - started}}
}
