/**
 * evaluateChain: judges the certificates one server sent (leaf first, exactly as sent) for one
 * host name, against Apple's trust store and rules, the admin's extra roots and pins, and reports
 * separately what Node's bundled Mozilla store makes of it. Findings carry no endpoint: the caller
 * (check / probe) adds it.
 */
import type {Finding} from '../findings.js'
import {normalizePin} from '../settings/rules/pins.js'
import {OUTLOOK_ALERT, appleAlert, appleAlertText} from './alerts.js'
import {type CertificateInfo, type ParsedCertificate, fingerprintHex, parseCertificate} from './certificate.js'
import {type ChainPath, buildPath} from './chain.js'
import {certificateCoversHost, coveredNames, suggestHostName} from './hostname.js'
import {
  ctLifetimeDays,
  describeKey,
  hasServerAuthEku,
  intermediateEkuAllowsServerAuth,
  isWeakKey,
  isWeakSignature,
  requiredEmbeddedScts,
  requiresServerAuthEku,
  validityLimit,
  validityMs,
} from './policy-apple.js'
import {type AppleTrustStore, RootIndex, entryFingerprint, loadMozillaStore, loadTrustStore} from './trust-store.js'

export interface EvaluateChainOptions {
  /** The host name the settings use (and the client sends as SNI). */
  host: string
  /** DER certificates as the server sent them, leaf first. */
  chain: Buffer[]
  /** The instant validity is judged at (the command's --at, else now). */
  now: Date
  /** Warn when a certificate expires within this many days. */
  warnDays: number
  /** DER certificates the admin trusts as roots (--ca files and the settings' trust.caFiles). */
  extraRoots: Buffer[]
  /** SHA-256 fingerprints (hex, colons optional) from the settings' trust.pins. */
  pins?: string[]
  /** Replaces Apple's shipped trust store (tests; a pinned older store). Default: loadTrustStore(). */
  appleStore?: AppleTrustStore
  /** Replaces Node's bundled Mozilla store. Default: loadMozillaStore(). */
  mozillaStore?: RootIndex
}

export type ChainRole = 'leaf' | 'intermediate' | 'root' | 'unused'

export interface ChainCertificate extends CertificateInfo {
  /** False for a root that came from a trust store rather than from the server. */
  sent: boolean
  /** Its place on the path from the leaf to the anchor; "unused" for a sent certificate not on it. */
  role: ChainRole
  /** For the anchor: which store trusts it ("apple": Apple's trust store; "extra": --ca / settings). */
  trustedBy?: 'apple' | 'extra'
}

export interface RootRef {
  name: string
  /** SHA-256, "AB:CD:…" like CertificateInfo.sha256. */
  sha256: string
}

export interface ChainTrust {
  /** Does the chain link to a root in Apple's trust store? (Private roots count under privateRoot.) */
  apple: {trusted: boolean; storeVersion: string; root?: RootRef; reason?: string}
  /** Does the chain link to a root in Node's bundled Mozilla store (tls.rootCertificates)? */
  mozilla: {trusted: boolean; root?: RootRef; reason?: string}
  /** Present when the chain ends at one of the admin's extra roots. */
  privateRoot?: RootRef
}

export interface ChainEvaluation {
  /** As sent, leaf first, then the root used when it came from a store (sent: false). */
  certificates: ChainCertificate[]
  trust: ChainTrust
  findings: Finding[]
}

const DAY_MS = 86_400_000
const BOTH_ALERTS = (host: string) => `${appleAlert(host)} ${OUTLOOK_ALERT}`

function nameOf(info: CertificateInfo): string {
  return info.commonName ?? info.subject
}

function issuerName(info: CertificateInfo): string {
  return /(?:^|, )CN=([^,]+)/.exec(info.issuer)?.[1] ?? info.issuer
}

/** "a", "b", "c" — at most 10, then "and N more". */
function listNames(names: string[]): string {
  const shown = names.slice(0, 10).map((n) => `"${n}"`).join(', ')
  return names.length > 10 ? `${shown} and ${names.length - 10} more` : shown
}

function day(iso: string | Date): string {
  return (typeof iso === 'string' ? iso : iso.toISOString()).slice(0, 10)
}

function sameCert(a: ParsedCertificate, b: ParsedCertificate): boolean {
  return a === b || a.info.sha256 === b.info.sha256
}

/** Evaluates one server's certificate chain for one host name. Never throws on bad certificates. */
export function evaluateChain(options: EvaluateChainOptions): ChainEvaluation {
  const {host, now} = options
  const store = options.appleStore ?? loadTrustStore()
  const findings: Finding[] = []
  const parsedAll = options.chain.map((der, i) => {
    try {
      return parseCached(der)
    } catch (error) {
      findings.push({
        code: 'certificate-unreadable',
        severity: 'error',
        message: `Certificate ${i + 1} the server sent cannot be parsed (${(error as Error).message}); clients reject the connection. ${appleAlert(host)}`,
        fix: 'Check the certificate files the server is configured with (PEM, complete, in order: server certificate first).',
      })
      return undefined
    }
  })
  const sent = parsedAll.filter((c): c is ParsedCertificate => c !== undefined)
  const leaf = parsedAll[0]
  if (!leaf) {
    const reason = options.chain.length === 0 ? 'the server sent no certificate' : 'the server certificate cannot be parsed'
    return {
      certificates: sent.map((c) => ({...c.info, sent: true, role: 'unused' as const})),
      trust: {apple: {trusted: false, storeVersion: store.version, reason}, mozilla: {trusted: false, reason}},
      findings,
    }
  }

  const extra = extraIndex(options.extraRoots)
  const applePath = buildPath(sent, [
    {source: 'apple' as const, index: store.roots},
    {source: 'extra' as const, index: extra},
  ])
  const mozillaStore = options.mozillaStore ?? loadMozillaStore()
  const mozillaPath = buildPath(sent, [{source: 'mozilla' as const, index: mozillaStore}])
  const anchor = applePath.anchor
  const publicRoot = anchor?.source === 'apple'
  const privateRoot = anchor?.source === 'extra'
  const last = applePath.path[applePath.path.length - 1]!
  const removedOnPath = applePath.path.map((c) => store.removed.contains(c)).find((e) => e !== undefined)
  const removedIssuer = applePath.end === 'missing-issuer' ? store.removed.issuerOf(last)?.entry : undefined
  const removedRoot = removedOnPath ?? removedIssuer

  // --- the certificates, as sent, plus a store root
  const onPath = new Map(applePath.sentIndexes.map((sentIndex, pos) => [sentIndex, pos]))
  const certificates: ChainCertificate[] = sent.map((c, i) => {
    const pos = onPath.get(i)
    const isAnchor = anchor?.sent && sameCert(anchor.parsed, c)
    const role: ChainRole = pos === undefined ? 'unused' : isAnchor || (pos > 0 && c.info.selfSigned) ? 'root' : pos === 0 ? 'leaf' : 'intermediate'
    return {...c.info, sent: true, role, ...(isAnchor ? {trustedBy: anchor.source} : {})}
  })
  if (certificates[0]) certificates[0].role = 'leaf'
  if (anchor && !anchor.sent) certificates.push({...anchor.parsed.info, sent: false, role: 'root', trustedBy: anchor.source})

  const label = (c: ParsedCertificate): string => {
    if (c === leaf) return `The server certificate "${nameOf(c.info)}"`
    if (c.info.selfSigned || (anchor && sameCert(anchor.parsed, c))) return `The root "${nameOf(c.info)}"`
    return `The intermediate certificate "${nameOf(c.info)}"`
  }

  // --- host name
  const names = coveredNames(leaf.info)
  if (!leaf.info.hasSan || names.length === 0) {
    const cn = leaf.info.commonName
    findings.push({
      code: 'san-missing',
      severity: 'error',
      message:
        `The certificate has no subjectAltName names${cn ? `; its only name is the CN "${cn}"` : ''}, and Apple ignores the CN since iOS 13 and macOS 10.15. ` +
        `${appleAlert(host)} Outlook on Windows still accepts a matching CN, so only Apple devices fail.`,
      fix: `Reissue the certificate with subjectAltName DNS:${host}${cn && cn !== host ? ` (and DNS:${cn} if that name is used too)` : ''}.`,
    })
  } else if (!certificateCoversHost(leaf.info, host)) {
    const suggestion = suggestHostName(leaf.info, host)
    findings.push({
      code: 'hostname-mismatch',
      severity: 'error',
      message: `The certificate does not cover "${host}"; it covers ${listNames(names)}. ${BOTH_ALERTS(host)}`,
      fix: suggestion
        ? `Use ${suggestion} as the server name, or install a certificate that covers ${host}.`
        : `Install a certificate whose subjectAltName includes ${host}.`,
    })
  }

  // --- validity in time, for every certificate on the path and the anchor
  const judged = [...applePath.path]
  if (anchor && !anchor.sent) judged.push(anchor.parsed)
  for (const c of judged) {
    const notBefore = new Date(c.info.notBefore)
    const notAfter = new Date(c.info.notAfter)
    if (now.getTime() > notAfter.getTime()) {
      findings.push({
        code: 'expired',
        severity: 'error',
        message: `${label(c)} expired on ${day(notAfter)} (checked as of ${day(now)}). ${BOTH_ALERTS(host)}`,
        fix: c === leaf ? 'Renew the certificate, install it and reload every mail daemon that serves it.' : 'Serve the CA\'s current intermediate certificate (download the chain again from the CA).',
      })
    } else if (now.getTime() < notBefore.getTime()) {
      findings.push({
        code: 'not-yet-valid',
        severity: 'error',
        message: `${label(c)} is not valid until ${notBefore.toISOString()} (checked as of ${now.toISOString()}). ${BOTH_ALERTS(host)}`,
        fix: 'Switch to this certificate only once it is valid, or reissue it; check the server\'s clock.',
      })
    } else if (notAfter.getTime() - now.getTime() < options.warnDays * DAY_MS && !(anchor && !anchor.sent && c === anchor.parsed)) {
      const days = Math.floor((notAfter.getTime() - now.getTime()) / DAY_MS)
      findings.push({
        code: 'expires-soon',
        severity: 'warning',
        message: `${label(c)} expires on ${day(notAfter)}, in ${days} day${days === 1 ? '' : 's'}; from then on ${appleAlert(host)}`,
        fix: c === leaf ? 'Renew it now and reload the IMAP, POP3 and SMTP daemons afterwards.' : 'Serve the CA\'s current intermediate certificate.',
      })
    }
  }

  // --- trust
  const mozillaRoot = mozillaPath.anchor ? {name: mozillaStore.nameOf(mozillaPath.anchor.entry), sha256: entryFingerprint(mozillaPath.anchor.entry)} : undefined
  let appleReason: string | undefined
  if (removedRoot) {
    const name = store.removed.nameOf(removedRoot)
    appleReason = `the chain ends at "${name}", a root Apple removed from its trust store`
    findings.push({
      code: 'distrusted-root',
      severity: 'error',
      message: `The chain ends at "${name}" (SHA-256 ${entryFingerprint(removedRoot)}), a root Apple removed from its trust store (version ${store.version}). ${appleAlert(host)}`,
      fix: 'Get a certificate from a CA whose root is in Apple\'s current trust store, and serve that CA\'s current intermediates.',
    })
  } else if (applePath.end === 'self-signed' && applePath.path.length === 1) {
    appleReason = 'the server certificate is self-signed'
    findings.push({
      code: 'self-signed',
      severity: 'error',
      message: `The server certificate "${nameOf(leaf.info)}" is self-signed, so no device can verify it. ${BOTH_ALERTS(host)}`,
      fix: `Use a certificate from a public CA (e.g. Let's Encrypt) for ${host}, or issue one from a private CA and trust that CA with --ca and in the settings (trust.caFiles) so the profile installs it.`,
    })
  } else if (applePath.end === 'self-signed') {
    appleReason = `the chain ends at "${nameOf(last.info)}", which is not in Apple's trust store`
    findings.push({
      code: 'untrusted-root',
      severity: 'error',
      message: `The chain ends at the root "${nameOf(last.info)}" (SHA-256 ${last.info.sha256}), which is neither in Apple's trust store (version ${store.version}) nor among the CA files you trust. ${BOTH_ALERTS(host)}`,
      fix: 'Use a certificate from a CA Apple trusts, or, if this is your private CA, pass its root with --ca and list it in the settings (trust.caFiles) so the profile installs it.',
    })
  } else if (applePath.end === 'missing-issuer' && mozillaPath.anchor && !mozillaPath.anchor.sent) {
    appleReason = `the chain's root "${mozillaRoot!.name}" is not in Apple's trust store`
    findings.push({
      code: 'untrusted-root',
      severity: 'error',
      message: `The chain ends at the root "${mozillaRoot!.name}", which Mozilla's store trusts but Apple's trust store (version ${store.version}) does not. ${appleAlert(host)}`,
      fix: 'Use a certificate from a CA whose root is in Apple\'s trust store.',
    })
  } else if (applePath.end === 'missing-issuer') {
    const issuer = issuerName(last.info)
    const aia = last.info.caIssuers?.[0]
    const known = !!aia
    appleReason = `the server does not send the certificate of "${issuer}", which issued "${nameOf(last.info)}"`
    findings.push({
      code: 'incomplete-chain',
      severity: 'error',
      message:
        `The server sends ${label(last).replace(/^The/, 'the')} but not the certificate of its issuer "${issuer}"` +
        (known ? `, an intermediate CA${aia ? ` (the certificate names where to download it: ${aia})` : ''}. ` : ` — an intermediate CA the server must send, or, if "${issuer}" is your private root, a root you have not passed with --ca. `) +
        `iOS Mail does not download missing intermediates, so ${appleAlert(host)} Outlook on Windows and browsers fetch the intermediate themselves and may connect fine, which hides the problem.`,
      fix: `Configure the server to send the full chain: its certificate followed by the intermediate "${issuer}" (e.g. Let's Encrypt's fullchain.pem; Dovecot ssl_cert, Postfix smtpd_tls_chain_files)${known ? '' : `; if "${issuer}" is your private root, pass it with --ca and list it in trust.caFiles instead`}.`,
    })
  } else if (privateRoot && anchor) {
    const name = extra.nameOf(anchor.entry)
    const leafIsRoot = anchor.sent && sameCert(anchor.parsed, leaf)
    findings.push({
      code: 'private-root',
      severity: 'warning',
      message:
        `The chain ends at "${name}" (SHA-256 ${entryFingerprint(anchor.entry)}), ${leafIsRoot ? 'a self-signed certificate' : 'a private root'} you trust but Apple does not. ` +
        `Until it is installed and trusted, iPhone, iPad and Mac Mail show ${appleAlertText(host)} The profile must carry it as a certificate payload, and users must then enable full trust for it in Settings → General → About → Certificate Trust Settings unless the profile is installed by MDM.`,
      fix: 'Keep it in the settings (trust.caFiles) so `mailprofile build` embeds it in the profile; deploy the profile by MDM, or tell users to turn on full trust for the root after installing it.',
    })
  }
  const appleTrust: ChainTrust['apple'] = {trusted: publicRoot && !removedRoot, storeVersion: store.version}
  if (publicRoot && anchor && !removedRoot) appleTrust.root = {name: store.roots.nameOf(anchor.entry), sha256: entryFingerprint(anchor.entry)}
  else appleTrust.reason = appleReason ?? (privateRoot ? 'the chain ends at a private root (see privateRoot), not at a root in Apple\'s trust store' : 'no root in Apple\'s trust store')
  const trust: ChainTrust = {
    apple: appleTrust,
    mozilla: mozillaPath.anchor ? {trusted: true, root: mozillaRoot} : {trusted: false, reason: mozillaReason(mozillaPath)},
  }
  if (privateRoot && anchor) trust.privateRoot = {name: extra.nameOf(anchor.entry), sha256: entryFingerprint(anchor.entry)}

  // --- Apple's rules for the server certificate and its issuers
  const leafIsAnchor = !!anchor?.sent && sameCert(anchor.parsed, leaf)
  const limit = validityLimit(new Date(leaf.info.notBefore), publicRoot, leafIsAnchor)
  const lengthMs = validityMs(leaf.info)
  if (limit && lengthMs > limit.maxMs) {
    const days = Math.round((lengthMs / DAY_MS) * 100) / 100
    findings.push({
      code: 'validity-too-long',
      severity: 'error',
      message:
        `The server certificate is valid for ${days} days (${day(leaf.info.notBefore)} to ${day(leaf.info.notAfter)}); Apple allows ${limit.rule}. ` +
        `${appleAlert(host)} Outlook on Windows does not enforce this limit, so only Apple devices fail.`,
      fix: `Reissue the certificate valid for at most ${limit.days} days.`,
    })
  }
  if (!leafIsAnchor && requiresServerAuthEku(leaf.info, publicRoot) && !hasServerAuthEku(leaf.info)) {
    const eku = leaf.info.extendedKeyUsage
    findings.push({
      code: 'missing-server-auth-eku',
      severity: 'error',
      message:
        `The server certificate ${eku === undefined ? 'has no ExtendedKeyUsage extension' : `has an ExtendedKeyUsage without serverAuth (${eku.join(', ') || 'empty'})`}; ` +
        `Apple requires id-kp-serverAuth in certificates issued after 1 July 2019 (HT210176)${publicRoot ? ' and in every certificate from a public root' : ''}. ${appleAlert(host)}`,
      fix: 'Reissue the certificate with extendedKeyUsage = serverAuth (OID 1.3.6.1.5.5.7.3.1).',
    })
  }
  if (publicRoot) {
    for (const c of applePath.path.slice(1)) {
      if (anchor && sameCert(anchor.parsed, c)) continue
      if (!intermediateEkuAllowsServerAuth(c.info)) {
        findings.push({
          code: 'missing-server-auth-eku',
          severity: 'error',
          message: `${label(c)} restricts its ExtendedKeyUsage to ${c.info.extendedKeyUsage!.join(', ')}, without serverAuth; Apple rejects server certificates it issues. ${appleAlert(host)}`,
          fix: 'Use an intermediate CA that is allowed to issue TLS server certificates.',
        })
      }
    }
  }
  if (publicRoot && !leafIsAnchor) {
    const required = requiredEmbeddedScts(leaf.info)
    const scts = leaf.info.embeddedScts
    if (required && !scts) {
      findings.push({
        code: 'ct-scts-missing',
        severity: 'error',
        message:
          `The server certificate embeds no Signed Certificate Timestamps. Apple trusts a certificate from a public CA issued after 15 October 2018 only when it was logged for Certificate Transparency (support.apple.com/103214); ` +
          `mail servers practically never deliver SCTs in the handshake instead (mailprofile cannot see those). ${appleAlert(host)}`,
        fix: 'Reissue the certificate from a CA that embeds SCTs (every major public CA does, Let\'s Encrypt included); a certificate made for a private network belongs under a private root instead.',
      })
    } else if (required && scts && scts.logs < required.count) {
      findings.push({
        code: 'ct-scts-insufficient',
        severity: 'warning',
        message:
          `The server certificate embeds ${scts.count} Signed Certificate Timestamp${scts.count === 1 ? '' : 's'} from ${scts.logs} log${scts.logs === 1 ? '' : 's'}; Apple's Certificate Transparency policy wants SCTs from distinct logs by lifetime (${ctLifetimeDays(leaf.info)} days here): ${required.rule}. ` +
          `Unless the server delivers more in the handshake, ${appleAlert(host)}`,
        fix: 'Reissue the certificate from a CA that embeds enough SCTs for its lifetime.',
      })
    }
  }
  for (const c of judged) {
    if (isWeakKey(c.info)) {
      findings.push({
        code: 'weak-key',
        severity: 'error',
        message: `${label(c)} has a ${describeKey(c.info)} key; Apple no longer trusts TLS certificates or issuing CAs with RSA keys below 2048 bits or EC keys below 256 bits. ${appleAlert(host)}`,
        fix: c === leaf ? 'Generate a new RSA 2048+ or EC P-256 key and reissue the certificate.' : 'Use a CA whose certificates have RSA 2048+ or EC P-256+ keys.',
      })
    }
  }
  for (const c of applePath.path) {
    if (c.info.selfSigned || (anchor && sameCert(anchor.parsed, c))) continue
    if (isWeakSignature(c.info)) {
      findings.push({
        code: 'weak-signature',
        severity: 'error',
        message: `${label(c)} is signed with ${c.info.signatureAlgorithm} (${c.info.signatureHash}); Apple and Windows no longer trust SHA-1 or MD5 signatures on TLS certificates. ${BOTH_ALERTS(host)}`,
        fix: 'Reissue it with a SHA-256 (or stronger) signature.',
      })
    }
  }

  // --- pins
  const pins = (options.pins ?? []).map(normalizePin).filter((p): p is string => p !== undefined)
  if (pins.length > 0) {
    const candidates = [...applePath.path, ...(anchor && !anchor.sent ? [anchor.parsed] : [])]
    if (!candidates.some((c) => pins.includes(fingerprintHex(c.info)))) {
      findings.push({
        code: 'pin-mismatch',
        severity: 'error',
        message: `No certificate in the chain matches the pinned fingerprints (trust.pins); the server certificate's SHA-256 is ${leaf.info.sha256}. The certificate was replaced, or something between you and the server (antivirus, proxy) intercepts TLS.`,
        fix: 'If the certificate was renewed on purpose, put its SHA-256 fingerprint in trust.pins; otherwise find out who presents this certificate.',
      })
    }
  }

  // --- Mozilla's verdict, reported apart
  const deviceTrusts = (publicRoot || privateRoot) && !removedRoot
  if (deviceTrusts !== trust.mozilla.trusted) {
    let message: string
    if (privateRoot) {
      message = `The chain ends at your private root "${trust.privateRoot!.name}", which Mozilla's root store does not include: Thunderbird and other clients using Mozilla's store will warn unless the root is installed there too.`
    } else if (deviceTrusts) {
      message = `Apple's trust store trusts this chain (root "${appleTrust.root!.name}") but Node's bundled Mozilla store does not${trust.mozilla.reason ? ` (${trust.mozilla.reason})` : ''}: Thunderbird and tools using Mozilla's store may warn.`
    } else {
      message = `Mozilla's root store trusts this chain (root "${mozillaRoot!.name}") but Apple devices do not: desktop tools may connect while iPhones and Macs fail.`
    }
    findings.push({code: 'mozilla-untrusted', severity: 'info', message, fix: 'Nothing to do for Apple devices beyond the other findings; for clients using Mozilla\'s store, use a CA both trust.'})
  }

  // --- order of what was sent
  const order = chainOrderProblem(sent, applePath)
  if (order) {
    findings.push({
      code: 'chain-order',
      severity: 'warning',
      message: `${order} Apple devices cope with this, but some older clients fail on it.`,
      fix: 'Serve the server certificate first, then each issuer in turn, without unrelated certificates.',
    })
  }

  return {certificates, trust, findings}
}

const parsedCache = new Map<string, ParsedCertificate>()
const PARSED_CACHE_LIMIT = 4096

/** parseCertificate, remembered by content: one host often serves the same chain on several ports. */
function parseCached(der: Buffer): ParsedCertificate {
  const key = der.toString('base64')
  let parsed = parsedCache.get(key)
  if (!parsed) {
    parsed = parseCertificate(der)
    if (parsedCache.size >= PARSED_CACHE_LIMIT) parsedCache.clear()
    parsedCache.set(key, parsed)
  }
  return parsed
}

const extraIndexes = new WeakMap<Buffer[], {length: number; index: RootIndex}>()

/** The admin's roots as an index, cached per array (check passes the same array for every endpoint). */
function extraIndex(roots: Buffer[]): RootIndex {
  const cached = extraIndexes.get(roots)
  if (cached && cached.length === roots.length) return cached.index
  const index = RootIndex.fromDer(roots)
  extraIndexes.set(roots, {length: roots.length, index})
  return index
}

function mozillaReason(path: ChainPath<'mozilla'>): string {
  const last = path.path[path.path.length - 1]!
  if (path.end === 'self-signed') return path.path.length === 1 ? 'the server certificate is self-signed' : `the chain ends at "${nameOf(last.info)}", which is not in Mozilla's store`
  return `the issuer "${issuerName(last.info)}" was not sent and is not in Mozilla's store`
}

/** Describes certificates sent out of issuing order, or sent but unrelated to the path; undefined when fine. */
function chainOrderProblem(sent: ParsedCertificate[], path: ChainPath<string>): string | undefined {
  const used = path.sentIndexes
  const outOfOrder = used.some((v, i) => v !== i)
  const pathKeys = new Set(path.path.map((c) => c.issuerKey))
  if (path.anchor) pathKeys.add(path.anchor.parsed.subjectKey)
  const unrelated = sent.filter((c, i) => !used.includes(i) && !pathKeys.has(c.subjectKey) && !path.path.some((p) => p.issuerKey === c.subjectKey))
  const parts: string[] = []
  if (outOfOrder) parts.push(`The server sends its certificates out of order (positions ${used.map((i) => i + 1).join(' → ')} form the chain).`)
  if (unrelated.length) parts.push(`The server also sends ${unrelated.length === 1 ? 'a certificate' : `${unrelated.length} certificates`} unrelated to its chain: ${unrelated.map((c) => `"${nameOf(c.info)}"`).join(', ')}.`)
  return parts.length ? parts.join(' ') : undefined
}
