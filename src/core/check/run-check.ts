/**
 * runCheck: probe every endpoint (concurrently, bounded), judge each chain as sent with the
 * certificate policy, compare certificates across ports of one host, and return one structured
 * result per endpoint plus all findings (each carrying its endpoint and, from a settings file,
 * the position that names it).
 */
import type {EndpointRef, Finding} from '../findings.js'
import type {ProbeEvidence, ProbeTarget} from '../net/evidence.js'
import {DEFAULT_CONCURRENCY, probe, runPool} from '../net/index.js'
import {deadlineFinding} from '../net/finding.js'
import {loginFinding} from '../net/login.js'
import type {Authentication, Settings} from '../settings/model.js'
import {type ChainCertificate, type ChainEvaluation, type ChainTrust, chainEvaluator, compareEndpointCertificates, loadTrustStore} from '../x509/index.js'
import {endpointKey} from '../mail/host.js'
import {type CheckEndpoint, endpointsFromSettings, type SettingsSource} from './endpoints.js'
import {sourceForCode} from './finding-source.js'
import type {LoadedCaFile} from '../settings/ca-files.js'
import {type CheckOptions, readSettingsCaFiles} from './options.js'
import {pushAll} from '../arrays.js'

export interface EndpointSourceRef {
  domain: string
  role: 'incoming' | 'outgoing'
  file: string
  line?: number
  column?: number
  /** JSON pointer into the file, when there is no line (a .mobileconfig: /PayloadContent/N/…). */
  pointer?: string
}

/** What the JSON document carries per endpoint (documented in the README). */
export interface EndpointResult {
  endpoint: {host: string; port: number; protocol: string; security: string; address?: string}
  /** Where the settings name this endpoint (empty for `probe`). */
  settingsSources: EndpointSourceRef[]
  /** What the probe saw on the wire (see ProbeEvidence); `tls` is absent when no TLS session was established. */
  connection: Pick<ProbeEvidence, 'remoteAddress' | 'durationMs' | 'greeting' | 'plaintextCapabilities' | 'capabilities' | 'smtpAuthMechanisms' | 'tls'>
  /** As the server sent them, leaf first; a root from a store is appended with sent: false. */
  certificates: ChainCertificate[]
  /** Trust verdicts; absent when no certificate was received. */
  trust?: ChainTrust
  findings: Finding[]
  /** error: any error-level finding; warning: warnings only; ok otherwise. */
  status: 'ok' | 'warning' | 'error'
}

export interface CheckResult {
  /** The instant validity was judged at (ISO). */
  checkedAt: string
  /** Apple trust store version used. */
  appleTrustStoreVersion: string
  endpoints: EndpointResult[]
  /** Every finding: per endpoint, cross-endpoint (certificate-differs) and general ones. */
  findings: Finding[]
  /** With --deadline: its length and the endpoints it cut (each also has a deadline-exceeded finding). */
  deadline?: {seconds: number; cut: EndpointResult['endpoint'][]}
}

/** The evidence of an endpoint whose probe never started because the run's --deadline had passed. */
function notStarted(target: ProbeTarget): ProbeEvidence {
  return {target, durationMs: 0, chain: [], findings: [deadlineFinding(target, 'before its probe started')]}
}

function refOf(target: ProbeTarget): EndpointRef {
  const ref: EndpointRef = {host: target.host, port: target.port, protocol: target.protocol, security: target.security}
  if (target.address) ref.address = target.address
  return ref
}

function statusOf(findings: readonly Finding[]): EndpointResult['status'] {
  if (findings.some((f) => f.severity === 'error')) return 'error'
  if (findings.some((f) => f.severity === 'warning')) return 'warning'
  return 'ok'
}

function attach(f: Finding, endpoint: EndpointRef, where: SettingsSource | undefined): Finding {
  const out: Finding = {...f, endpoint: f.endpoint ? {...endpoint, ...f.endpoint} : endpoint}
  const source = f.source ? undefined : sourceForCode(f.code, where)
  if (source) out.source = source
  return out
}

/**
 * One evaluator per run (x509 chainEvaluator): each distinct chain is parsed and pathed to the
 * trust stores once, and judged once per host name that serves it (a host with the same chain on
 * all its ports is judged once).
 */
type Evaluator = (host: string, chain: Buffer[]) => ChainEvaluation

function runEvaluator(options: CheckOptions): Evaluator {
  return chainEvaluator({
    now: options.now,
    warnDays: options.warnDays,
    extraRoots: options.extraRoots,
    profileRoots: options.profileRoots,
    trustInput: options.trustInput,
    pins: options.pins,
    appleStore: options.appleStore,
  })
}

/**
 * Whether each way the settings sign in to this endpoint can ever succeed (see net/login.ts): one
 * finding per distinct `authentication`, pointing at the first settings source that uses it.
 * Without settings (probe) the account signs in with a password, as iOS and Outlook do by default.
 */
function loginFindings(ep: CheckEndpoint, evidence: ProbeEvidence): Array<[Finding, SettingsSource | undefined]> {
  const byAuth = new Map<Authentication, SettingsSource | undefined>()
  for (const s of ep.settingsSources) if (!byAuth.has(s.authentication ?? 'password')) byAuth.set(s.authentication ?? 'password', s)
  if (ep.settingsSources.length === 0) byAuth.set('password', undefined)
  const out: Array<[Finding, SettingsSource | undefined]> = []
  for (const [authentication, where] of byAuth) {
    const f = loginFinding(evidence, authentication)
    if (f) out.push([f, where])
  }
  return out
}

function judge(ep: CheckEndpoint, evidence: ProbeEvidence, evaluate: Evaluator): EndpointResult {
  const target = evidence.target
  const ref = refOf(target)
  const source = ep.settingsSources[0]
  const findings = evidence.findings.map((f) => attach(f, ref, source))
  pushAll(findings, loginFindings(ep, evidence).map(([f, where]) => attach(f, ref, where)))
  let certificates: ChainCertificate[] = []
  let trust: ChainTrust | undefined
  if (evidence.chain.length > 0) {
    const evaluation = evaluate(target.host, evidence.chain)
    certificates = evaluation.certificates
    trust = evaluation.trust
    pushAll(findings, evaluation.findings.map((f) => attach(f, ref, source)))
  }
  const connection: EndpointResult['connection'] = {durationMs: Math.round(evidence.durationMs)}
  if (evidence.remoteAddress) connection.remoteAddress = evidence.remoteAddress
  if (evidence.greeting !== undefined) connection.greeting = evidence.greeting
  if (evidence.plaintextCapabilities) connection.plaintextCapabilities = evidence.plaintextCapabilities
  if (evidence.capabilities) connection.capabilities = evidence.capabilities
  if (evidence.smtpAuthMechanisms) connection.smtpAuthMechanisms = evidence.smtpAuthMechanisms
  if (evidence.tls) connection.tls = evidence.tls
  return {
    endpoint: {host: target.host, port: target.port, protocol: target.protocol, security: target.security, ...(target.address ? {address: target.address} : {})},
    settingsSources: ep.settingsSources.map((s) => ({domain: s.domain, role: s.role, file: s.source.file, line: s.source.line, column: s.source.column, ...(s.source.line === undefined && s.source.pointer ? {pointer: s.source.pointer} : {})})),
    connection,
    certificates,
    trust,
    findings,
    status: statusOf(findings),
  }
}

/** The targets as connected to: each endpoint's, with --resolve applied. */
function targetsOf(endpoints: readonly CheckEndpoint[], options: CheckOptions): ProbeTarget[] {
  return endpoints.map((ep) => (options.resolve ? options.resolve.apply(ep.target) : ep.target))
}

/**
 * Probes each endpoint once (at most `options.concurrency` at once, none started after the run's
 * --deadline) and hands each evidence to `then` as soon as its probe ends, while other probes
 * still wait on the network. Results in endpoint order.
 */
function probeEach<R>(endpoints: readonly CheckEndpoint[], options: CheckOptions, then: (ep: CheckEndpoint, evidence: ProbeEvidence) => R): Promise<R[]> {
  const targets = targetsOf(endpoints, options)
  const runDeadlineAt = options.deadlineSeconds !== undefined ? Date.now() + options.deadlineSeconds * 1000 : undefined
  const probeOptions = {phaseTimeoutMs: options.timeoutSeconds * 1000, ...(runDeadlineAt !== undefined ? {runDeadlineAt} : {})}
  return runPool(targets, options.concurrency ?? DEFAULT_CONCURRENCY, async (target, i) => {
    const ep = endpoints[i]!
    const evidence =
      runDeadlineAt !== undefined && Date.now() >= runDeadlineAt
        ? notStarted(target)
        : await probe(target, {...probeOptions, expectation: ep.settingsSources.length > 0 ? 'settings' : 'command-line'})
    return then(ep, evidence)
  })
}

/**
 * A settings file's servers as probed once: the endpoints (settings order; servers with security
 * "none" are not probed and have an info finding in `findings`) and one evidence per endpoint. `build --check
 * --embed-server-root` takes the servers' roots from it and hands it to checkSettings, so no
 * server is connected to twice.
 */
export interface SettingsProbe {
  endpoints: CheckEndpoint[]
  findings: Finding[]
  evidence: ProbeEvidence[]
}

/** Probes every server of the settings once (no credentials sent), as checkSettings would. */
export async function probeSettings(settings: Settings, options: CheckOptions): Promise<SettingsProbe> {
  const {endpoints, findings} = endpointsFromSettings(settings)
  return {endpoints, findings, evidence: await probeEach(endpoints, options, (_ep, evidence) => evidence)}
}

/**
 * Probes the endpoints and judges what they present; with `probed` (one evidence per endpoint, in
 * order), judges that evidence instead of connecting again. Never throws for network problems:
 * they become findings.
 */
export async function runCheck(endpoints: readonly CheckEndpoint[], options: CheckOptions, probed?: readonly ProbeEvidence[]): Promise<CheckResult> {
  const targets = targetsOf(endpoints, options)
  const evaluate = runEvaluator(options)
  if (probed && probed.length !== endpoints.length) throw new Error(`mailprofile bug: ${probed.length} probe results for ${endpoints.length} endpoints`)
  const results = probed ? endpoints.map((ep, i) => judge(ep, probed[i]!, evaluate)) : await probeEach(endpoints, options, (ep, evidence) => judge(ep, evidence, evaluate))

  // One host, different certificates on different ports.
  const differs = compareEndpointCertificates(
    results
      .filter((r) => r.certificates[0]?.sent)
      .map((r) => ({host: r.endpoint.host, port: r.endpoint.port, protocol: r.endpoint.protocol, security: r.endpoint.security, leafSha256: r.certificates[0]!.sha256, notAfter: r.certificates[0]!.notAfter})),
  )
  const byKey = new Map(results.map((r, i) => [endpointKey(r.endpoint), i]))
  for (const f of differs) {
    const i = f.endpoint ? byKey.get(endpointKey(f.endpoint)) : undefined
    if (i === undefined) continue
    const r = results[i]!
    r.findings.push(attach(f, refOf(targets[i]!), endpoints[i]!.settingsSources[0]))
    r.status = statusOf(r.findings)
  }
  const result: CheckResult = {
    checkedAt: options.now.toISOString(),
    appleTrustStoreVersion: (options.appleStore ?? loadTrustStore()).version,
    endpoints: results,
    findings: results.flatMap((r) => r.findings),
  }
  if (options.deadlineSeconds !== undefined) {
    result.deadline = {seconds: options.deadlineSeconds, cut: results.filter((r) => r.findings.some((f) => f.code === 'deadline-exceeded')).map((r) => r.endpoint)}
  }
  return result
}

/**
 * The check of a whole settings file, for `check FILE` and `build --check`: endpoints from the
 * settings (security "none" skipped with an info finding), the settings' CA files and pins
 * trusted in addition to `options.extraRoots`.
 */
export async function checkSettings(settings: Settings, options: CheckOptions, caFiles?: readonly LoadedCaFile[], probed?: SettingsProbe): Promise<CheckResult> {
  const {endpoints, findings: skipped} = probed ?? endpointsFromSettings(settings)
  const ca = readSettingsCaFiles(settings, caFiles)
  const pins = [...(options.pins ?? []), ...settings.trust.pins.map((p) => p.value)]
  const result = await runCheck(endpoints, {...options, extraRoots: [...options.extraRoots, ...ca.roots], profileRoots: [...(options.profileRoots ?? []), ...ca.roots], pins}, probed?.evidence)
  pushAll(result.findings, skipped)
  pushAll(result.findings, ca.findings)
  return result
}
