/**
 * `doctor ADDRESS [SETTINGS]` and `doctor --domains FILE`: the option values as typed, checked and
 * turned into DoctorOptions (clients, --dns, --connect-to, --ispdb, --profile-url, CA files, the
 * trust-store snapshot, the settings), then one address or the whole list run. Unusable values are
 * InputErrors naming the flag (exit 2).
 */
import {pushAll} from '../arrays.js'
import type {ManyResult} from '../doctor/many.js'
import {DOCTOR_CLIENTS, type ClientName} from '../doctor/model.js'
import type {DoctorOptions, DoctorResult} from '../doctor/run-doctor.js'
import {InputError} from '../errors.js'
import type {Finding} from '../findings.js'
import type {CoreReport} from '../report.js'
import type {Settings} from '../settings/model.js'
import {readAppleTrustStore} from './check-options.js'

export interface DoctorValues {
  address?: string
  settings?: string
  /** --client, as typed: a comma-separated list. */
  client: string
  dns?: string
  connectTo?: string[]
  timeoutSeconds: number
  /** --deadline: bound for everything one address does. */
  deadlineSeconds?: number
  /** --ispdb URL; ignored with noIspdb. */
  ispdb: string
  noIspdb?: boolean
  profileUrl?: string
  noProbe?: boolean
  domains?: string
  /** With --domains: probe the servers too. */
  probe?: boolean
  concurrency: number
  ca?: string[]
  at?: string
  warnDays: number
  appleTrustStore?: string
}

export type DoctorReport =
  | (CoreReport<Record<string, unknown>> & {kind: 'address'; result: DoctorResult})
  | (CoreReport<Record<string, unknown>> & {kind: 'domains'; many: ManyResult})

function parseClients(text: string): ClientName[] {
  const clients = text.split(',').map((c) => c.trim().toLowerCase()).filter(Boolean)
  const unknown = clients.filter((c) => !(DOCTOR_CLIENTS as readonly string[]).includes(c))
  if (unknown.length > 0 || clients.length === 0) throw new InputError(`--client: "${unknown.join(',') || text}" is not one of ${DOCTOR_CLIENTS.join(', ')}`)
  return clients as ClientName[]
}

function parseIspdb(values: DoctorValues): string | false {
  if (values.noIspdb) return false
  try {
    return new URL(values.ispdb.endsWith('/') ? values.ispdb : `${values.ispdb}/`).href
  } catch {
    throw new InputError(`--ispdb "${values.ispdb}": expected a URL`)
  }
}

/** The options of one run, with the error findings of loading SETTINGS (a settings file that fails the schema is an InputError). */
async function doctorOptionsFrom(values: DoctorValues): Promise<{options: DoctorOptions; findings: Finding[]}> {
  const clients = parseClients(values.client)
  if (!values.domains && !values.address) throw new InputError('give an ADDRESS (e.g. alice@example.com) or --domains FILE')
  if (values.domains && values.address) throw new InputError('give either an ADDRESS or --domains FILE, not both')
  if (values.profileUrl && !/^https?:\/\//i.test(values.profileUrl)) throw new InputError(`--profile-url "${values.profileUrl}": expected an http:// or https:// URL`)
  const [{parseAt, readCaFile}, {ConnectToMap}, {parseDnsServer}] = await Promise.all([import('../check/options.js'), import('../doctor/connect-to.js'), import('../doctor/dns.js')])
  const ispdb = parseIspdb(values)
  const findings: Finding[] = []
  let settings: Settings | undefined
  if (values.settings) {
    const loaded = (await import('../settings/load.js')).loadSettings(values.settings)
    pushAll(findings, loaded.findings.filter((f) => f.severity === 'error'))
    if (!loaded.settings) throw new InputError('the settings do not pass the schema; run `mailprofile lint` on them first', {file: values.settings})
    settings = loaded.settings
  }
  const options: DoctorOptions = {
    clients,
    dnsServer: values.dns ? parseDnsServer(values.dns) : undefined,
    connectTo: ConnectToMap.parse(values.connectTo),
    timeoutSeconds: values.timeoutSeconds,
    ...(values.deadlineSeconds !== undefined ? {deadlineSeconds: values.deadlineSeconds} : {}),
    now: values.at ? parseAt(values.at) : new Date(),
    warnDays: values.warnDays,
    extraRoots: (values.ca ?? []).flatMap((f) => readCaFile(f)),
    appleStore: values.appleTrustStore ? await readAppleTrustStore(values.appleTrustStore) : undefined,
    ispdb,
    profileUrl: values.profileUrl,
    settings,
  }
  return {options, findings}
}

export async function doctor(values: DoctorValues): Promise<DoctorReport> {
  const {options, findings} = await doctorOptionsFrom(values)
  if (values.domains) {
    const many = await import('../doctor/many.js')
    const inputs = many.readDomainsFile(values.domains)
    const result = await many.runMany(inputs, {...options, probeServers: values.probe === true}, values.concurrency)
    pushAll(
      findings,
      result.domains.flatMap((d) => d.findings.map((f) => ({...f, message: `${d.input}: ${f.message}`}))),
    )
    const data = {summary: result.summary, domains: result.domains.map(({findings: _f, ...rest}) => rest)}
    return {kind: 'domains', findings, inputErrors: [], data, many: result}
  }
  const {runDoctor} = await import('../doctor/run-doctor.js')
  const result = await runDoctor(values.address!, {...options, probeServers: values.noProbe !== true})
  pushAll(findings, result.findings)
  const data = {address: result.address, domain: result.domain, dnsServer: result.dnsServer, durationMs: result.durationMs, clients: result.clients, endpoints: result.endpoints, deadline: result.deadline}
  return {kind: 'address', findings, inputErrors: [], data, result}
}
