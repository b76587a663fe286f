/**
 * Apple Mail (iOS, iPadOS, macOS): it discovers nothing for an arbitrary domain (only the big
 * providers are built in), so the way is a configuration profile. doctor checks what such a
 * profile depends on: the MX, that the host names the settings (or the other clients' findings)
 * use resolve, and with --profile-url fetches the profile (bounded, certificate judged) and runs
 * `inspect` on it.
 */
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {finding} from '../codes.js'
import {inspectProfile} from '../inspect/inspect.js'
import type {DoctorContext} from './context.js'
import {missed} from './dns.js'
import {fetchStep} from './fetch-step.js'
import type {ClientReport, FoundConfig} from './model.js'
import {pushAll} from '../arrays.js'

export interface AppleInput {
  /** Host names the settings use for this domain (empty without SETTINGS). */
  hosts: string[]
  profileUrl?: string
  /** The configuration the settings give (the profile's servers), when SETTINGS is given. */
  settingsConfig?: FoundConfig
}

export async function apple(ctx: DoctorContext, input: AppleInput): Promise<ClientReport> {
  const report: ClientReport = {client: 'apple', steps: [], sentence: '', findings: []}
  report.findings.push(finding('apple-needs-profile', {message: `iPhones, iPads and Macs find no settings for ${ctx.domain} by themselves: users type the servers by hand unless they install a profile.`}))
  let started = Date.now()
  const mx = await ctx.http.dns.mx(ctx.domain)
  const mxRecords = mx.ok ? [...mx.records].sort((a, b) => a.priority - b.priority) : []
  report.steps.push({name: 'MX', method: 'MX', target: ctx.domain, result: mxRecords.length > 0 ? 'found' : missed(mx), durationMs: Date.now() - started, detail: mxRecords.length > 0 ? mxRecords.map((m) => `${m.priority} ${m.exchange}`).join(', ') : mx.ok ? 'no MX' : mx.error})
  if (mxRecords.length === 0 && missed(mx) !== 'cut') report.findings.push(finding('mx-missing', {message: `${ctx.domain} has no MX record${mx.ok ? '' : ` (${mx.error})`}: mail to it is not delivered as expected.`}))
  for (const host of [...new Set(input.hosts.map((h) => h.toLowerCase()))]) {
    started = Date.now()
    const a = await ctx.http.dns.addresses(host)
    report.steps.push({name: 'host name', method: 'A/AAAA', target: host, result: a.ok ? 'found' : missed(a), durationMs: Date.now() - started, detail: a.ok ? a.records.join(', ') : a.error})
    if (!a.ok && a.kind !== 'cut') report.findings.push(finding('host-unresolved', {message: `${host}, which the settings use, does not resolve (${a.error}): iPhones with the profile cannot connect.`}))
  }
  if (input.profileUrl) {
    const fetched = await fetchStep({client: 'apple', name: 'profile download', request: {url: new URL(input.profileUrl), method: 'GET'}, follow: true}, ctx.http)
    pushAll(report.steps, fetched.steps)
    pushAll(report.findings, fetched.findings.map((f) => (f.code === 'discovery-certificate-skipped' ? {...f, message: f.message.replace('Thunderbird rejects', 'Safari rejects').replace('silently skips', 'does not download')} : f)))
    if (!fetched.body) {
      report.findings.push(finding('profile-url-failed', {message: `${input.profileUrl} gives no profile (${fetched.failure ?? 'no answer'}).`}))
    } else {
      const dir = mkdtempSync(join(tmpdir(), 'mailprofile-doctor-'))
      try {
        const file = join(dir, 'downloaded.mobileconfig')
        writeFileSync(file, fetched.body, {mode: 0o600})
        const result = await inspectProfile(file, {now: ctx.http.now, warnDays: ctx.http.warnDays, trustedRoots: ctx.http.extraRoots, appleStore: ctx.http.appleStore})
        const last = fetched.steps[fetched.steps.length - 1]!
        last.detail += `; ${result.signed ? 'signed' : 'unsigned'} profile, ${result.payloads.length} payload(s)`
        pushAll(report.findings, result.findings.map((f) => ({...f, ...(f.source ? {source: {...f.source, file: input.profileUrl!}} : {})})))
        report.stoppedAt = report.steps.length - 1
      } catch (error) {
        report.findings.push(finding('profile-url-failed', {message: `${input.profileUrl} answers with something that is not a readable profile (${(error as Error).message}).`}))
      } finally {
        rmSync(dir, {recursive: true, force: true})
      }
    }
  }
  if (input.settingsConfig) report.config = input.settingsConfig
  report.sentence = input.profileUrl
    ? `An iPhone discovers nothing by itself; users who install the profile from ${input.profileUrl} get ${report.stoppedAt !== undefined ? 'its mail account' : 'an error instead'}.`
    : `An iPhone discovers nothing for ${ctx.domain}: give users a profile (mailprofile build or serve) and pass its URL with --profile-url to check it.`
  return report
}
