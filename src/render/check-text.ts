/**
 * Human text for `check` and `probe`: one block per endpoint — how the connection went, the chain
 * as the server sent it (a short tree with fingerprints), the trust verdicts, and in plain words
 * what an iPhone would do. The findings themselves follow, grouped by endpoint (render/text.ts).
 */
import type {CheckResult, EndpointResult} from '../core/check/run-check.js'
import type {Finding} from '../core/findings.js'
import {hostPort} from '../core/mail/host.js'
import {X509_CODES} from '../core/x509/codes.js'
import type {ChainCertificate} from '../core/x509/index.js'
import {shortName} from '../core/x509/names.js'
import type {Style} from './style.js'
import {pushAll} from '../core/arrays.js'

const SECURITY_LABEL: Record<string, string> = {ssl: 'implicit TLS', starttls: 'STARTTLS'}

function keyText(c: ChainCertificate): string {
  const type = c.keyType === 'rsa' ? 'RSA' : c.keyType === 'ec' ? 'EC' : c.keyType
  return `${type}${c.keyBits ? ` ${c.keyBits}` : ''}${c.curve ? ` (${c.curve})` : ''}`
}

function roleText(c: ChainCertificate): string {
  if (c.role === 'root' && !c.sent) return c.trustedBy === 'apple' ? "root (from Apple's trust store, not sent)" : 'root (your private root, not sent)'
  if (c.role === 'root') return 'root (sent by the server)'
  if (c.role === 'unused') return 'not part of the chain'
  return c.role
}

function chainLines(certs: ChainCertificate[], style: Style): string[] {
  const out: string[] = []
  certs.forEach((c, i) => {
    const last = i === certs.length - 1
    const branch = last ? '└─' : '├─'
    const pipe = last ? '  ' : '│ '
    out.push(`    ${branch} ${style.bold(shortName(c.subject))}  ${style.dim(roleText(c))}`)
    const detail = (label: string, value: string) => out.push(`    ${pipe}   ${style.dim(label.padEnd(10))}${value}`)
    if (c.role === 'leaf' || c.dnsNames.length > 0 || c.ipAddresses.length > 0) {
      const names = [...c.dnsNames, ...c.ipAddresses]
      detail('names', names.length ? names.join(', ') : c.hasSan ? '(empty subjectAltName)' : '(no subjectAltName)')
    }
    detail('issuer', c.issuer)
    detail('valid', `${c.notBefore.slice(0, 10)} → ${c.notAfter.slice(0, 10)} (${c.validityDays} days)`)
    detail('key', `${keyText(c)}, signed ${c.signatureAlgorithm}`)
    if (c.role === 'leaf') detail('CT', c.embeddedScts ? `${c.embeddedScts.count} embedded SCT${c.embeddedScts.count === 1 ? '' : 's'} from ${c.embeddedScts.logs} log${c.embeddedScts.logs === 1 ? '' : 's'}` : 'no embedded SCTs')
    detail('SHA-256', c.sha256)
  })
  return out
}

/** Error-level certificate findings other than the host name: the chain itself fails. */
function chainFails(r: EndpointResult): boolean {
  return r.findings.some((f) => f.severity === 'error' && CERTIFICATE_CODES.has(f.code) && f.code !== 'hostname-mismatch' && f.code !== 'san-missing')
}

function trustLines(r: EndpointResult, style: Style): string[] {
  const t = r.trust
  if (!t) return []
  const yes = style.green('✔ trusted')
  const no = style.red('✖ not trusted')
  const out = ['  trust']
  out.push(`    Apple (trust store ${t.apple.storeVersion})  ${t.apple.trusted ? `${yes} — root "${t.apple.root?.name}"` : `${no} — ${t.apple.reason ?? 'no trusted root'}`}`)
  if (t.privateRoot) {
    const embedded = r.findings.some((f) => f.code === 'private-root-embedded')
    out.push(
      chainFails(r)
        ? `    your private root  ${no} — the chain to "${t.privateRoot.name}" fails validation (see below)`
        : `    your private root  ${style.yellow('✔ trusted')} — root "${t.privateRoot.name}" (${embedded ? 'the profile installs it' : 'install it on devices: see below'})`,
    )
  }
  out.push(`    Mozilla (Node's bundled store)  ${t.mozilla.trusted ? `${yes} — root "${t.mozilla.root?.name}"` : `${no} — ${t.mozilla.reason ?? 'no trusted root'}`}`)
  return out
}

const CERTIFICATE_CODES = new Set(X509_CODES.map((c) => c.code))
/** Findings that say the account can never sign in (src/core/net/login.ts). */
const LOGIN_CODES = new Set(['imap-login-disabled', 'pop3-login-unavailable', 'auth-mechanism-unsupported'])

/** In plain words: what Mail on an iPhone would do with this endpoint. */
function verdict(r: EndpointResult, style: Style): string {
  const errors = r.findings.filter((f) => f.severity === 'error')
  const warnings = r.findings.filter((f) => f.severity === 'warning')
  const codes = (list: Finding[]) => [...new Set(list.map((f) => f.code))].join(', ')
  if (errors.length > 0) {
    const certificate = errors.some((f) => CERTIFICATE_CODES.has(f.code))
    const authOnly = errors.every((f) => f.code === 'smtp-auth-unavailable')
    const loginOnly = errors.every((f) => LOGIN_CODES.has(f.code))
    const what = certificate
      ? 'iPhone, iPad and Mac Mail would show "Cannot Verify Server Identity" for this server'
      : loginOnly
        ? 'iPhone, iPad and Mac Mail would connect but could never sign in (they keep asking for the password)'
        : authOnly
        ? 'iPhone, iPad and Mac Mail would fail to send mail here ("Recipient Rejected By Server")'
        : r.endpoint.protocol === 'smtp'
          ? 'iPhone, iPad and Mac Mail would not send mail through this server ("Cannot Send Mail")'
          : 'iPhone, iPad and Mac Mail would not connect to this server ("Cannot Get Mail")'
    return style.red(`  ✖ ${what}: ${codes(errors)}. What to change is listed below.`)
  }
  if (warnings.length === 0 && r.findings.some((f) => f.code === 'private-root-embedded')) {
    return style.green('  ✔ iPhone, iPad and Mac Mail connect once the profile, which installs your private root, is installed (and the root fully trusted, unless an MDM installs it).')
  }
  if (warnings.some((f) => f.code === 'private-root')) {
    return style.yellow(`  ⚠ iPhone, iPad and Mac Mail connect only once your private root is installed (by the profile) and fully trusted: ${codes(warnings)} (see below).`)
  }
  if (warnings.length > 0) return style.yellow(`  ⚠ Mail on iPhone, iPad and Mac connects, with caveats: ${codes(warnings)} (see below).`)
  return style.green('  ✔ Mail on iPhone, iPad and Mac would connect without a warning.')
}

export interface EndpointTextOptions {
  /** Connection facts, the chain and the trust verdicts also for a clean endpoint (--verbose). */
  verbose?: boolean
}

/**
 * One block per endpoint: the verdict first. A clean endpoint (no error or warning) gets one line
 * of connection and chain facts; the full chain with fingerprints and the trust verdicts follow
 * for endpoints with findings, and for every endpoint with --verbose.
 */
export function renderEndpoint(r: EndpointResult, style: Style, options: EndpointTextOptions = {}): string {
  const e = r.endpoint
  const out: string[] = []
  const via = e.address ? ` via ${e.address} (--resolve)` : ''
  out.push(style.bold(`${hostPort(e.host, e.port)}  ${e.protocol.toUpperCase()}, ${SECURITY_LABEL[e.security] ?? e.security}${via}`))
  for (const s of r.settingsSources) out.push(`  ${style.dim('used by')}   ${s.domain} ${s.role} server (${s.file}${s.line !== undefined ? `:${s.line}:${s.column ?? 1}` : s.pointer ? ` ${s.pointer}` : ''})`)
  out.push(verdict(r, style))
  const c = r.connection
  const tls = c.tls ? `${c.tls.version}, ${c.tls.cipher}${c.tls.keyExchange ? `, ${c.tls.keyExchange}` : ''}` : 'no TLS session'
  if (r.status === 'ok' && !options.verbose) {
    const sent = r.certificates.filter((x) => x.sent).length
    const root = r.trust?.apple.root?.name ?? r.trust?.privateRoot?.name
    out.push(`  ${style.dim('connection')} ${tls}; ${sent} certificate${sent === 1 ? '' : 's'} sent${root ? `, root "${root}"` : ''} ${style.dim('(--verbose: chain and fingerprints)')}`)
    return out.join('\n') + '\n'
  }
  out.push(`  ${style.dim('connection')} ${tls}${c.remoteAddress ? ` — ${c.remoteAddress}` : ''}, ${c.durationMs} ms`)
  if (c.greeting) out.push(`  ${style.dim('greeting')}   ${c.greeting}`)
  if (e.protocol === 'smtp' && c.smtpAuthMechanisms) out.push(`  ${style.dim('AUTH')}       ${c.smtpAuthMechanisms.length ? c.smtpAuthMechanisms.join(' ') : '(none offered)'}`)
  if (r.certificates.length > 0) {
    out.push(`  chain as sent (${r.certificates.filter((x) => x.sent).length} certificate${r.certificates.filter((x) => x.sent).length === 1 ? '' : 's'})`)
    pushAll(out, chainLines(r.certificates, style))
  }
  pushAll(out, trustLines(r, style))
  return out.join('\n') + '\n'
}

/** The per-endpoint blocks, then a line saying when and against which store it was judged. */
export function renderCheckSections(result: CheckResult, style: Style, options: EndpointTextOptions = {}): string[] {
  const sections = result.endpoints.map((r) => renderEndpoint(r, style, options))
  sections.push(style.dim(`Judged as of ${result.checkedAt} against Apple's trust store ${result.appleTrustStoreVersion}; ${result.endpoints.length} endpoint${result.endpoints.length === 1 ? '' : 's'} probed.`) + '\n')
  const cut = result.deadline?.cut ?? []
  if (cut.length > 0) {
    sections.push(style.red(`--deadline ${result.deadline!.seconds} s cut ${cut.length} endpoint${cut.length === 1 ? '' : 's'} before their check finished (deadline-exceeded): ${cut.map((e) => hostPort(e.host, e.port)).join(', ')}`) + '\n')
  }
  return sections
}
