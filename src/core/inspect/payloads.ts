/**
 * Checks on a parsed profile's payloads: Apple's schemas (unknown keys, wrong types, missing
 * required keys, values outside Apple's lists; `<real>` where Apple wants `<integer>`), duplicate
 * PayloadUUIDs and PayloadIdentifiers, keys written twice, and passwords in clear text. Also
 * builds the payload list `inspect` shows.
 */
import {readFileSync} from 'node:fs'

import {knownPayloadType, validateConfiguration, type SchemaIssue} from '../apple/schemas.js'
import type {Finding} from '../findings.js'
import {securityFromUseSsl, type Security} from '../mail/protocol.js'
import {packageFile} from '../paths.js'
import {suggest} from '../suggest.js'
import {parseCertificate, type ParsedCertificate} from '../x509/certificate.js'
import {certificateName} from '../x509/names.js'
import {isoDay, validityAt} from '../x509/validity.js'
import type {PlistReadResult} from './plist-xml.js'

export type Dict = Record<string, unknown>

export interface PayloadSummary {
  /** Position in PayloadContent (0-based, as in the JSON pointers of findings). */
  index: number
  PayloadType?: string
  PayloadIdentifier?: string
  PayloadUUID?: string
  PayloadDisplayName?: string
  PayloadVersion?: unknown
  /** A short description of what the payload does (mail account servers, certificate subject). */
  details?: string
}

export interface ProfileSummary {
  PayloadDisplayName?: string
  PayloadIdentifier?: string
  PayloadUUID?: string
  PayloadOrganization?: string
  PayloadDescription?: string
  PayloadRemovalDisallowed?: boolean
  PayloadScope?: string
  encrypted: boolean
}

export const isDict = (v: unknown): v is Dict => v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Uint8Array) && !(v instanceof Date)
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined)

/** Payload label for messages: `PayloadContent[1] (com.apple.mail.managed "Work")`. */
export function payloadLabel(payloads: unknown[], index: number): string {
  const p = payloads[index]
  const type = isDict(p) ? str(p.PayloadType) : undefined
  const name = isDict(p) ? str(p.PayloadDisplayName) : undefined
  return `PayloadContent[${index}]${type ? ` (${type}${name ? ` "${name}"` : ''})` : ''}`
}

/** Where a JSON pointer points, in words: `PayloadContent[1] (… ) key IncomingMailServerPortNumber`, or `top level key X`. */
function describePointer(pointer: string, payloads: unknown[]): string {
  const parts = pointer.split('/').slice(1).map((p) => p.replaceAll('~1', '/').replaceAll('~0', '~'))
  if (parts[0] === 'PayloadContent' && parts.length >= 2 && /^\d+$/.test(parts[1]!)) {
    const rest = parts.slice(2)
    return `${payloadLabel(payloads, Number(parts[1]))}${rest.length ? ` key ${rest.join('.')}` : ''}`
  }
  return parts.length ? `top-level key ${parts.join('.')}` : 'the top level'
}

const keysByType = new Map<string, string[]>()

/** The keys Apple's schema lists for a payload type (for "did you mean"); empty when unknown. */
function schemaKeys(type: string): string[] {
  let keys = keysByType.get(type)
  if (keys) return keys
  keys = []
  try {
    const index = JSON.parse(readFileSync(packageFile('schemas', 'apple', 'index.json'), 'utf8')) as {profile: Record<string, string>}
    const file = index.profile[type]
    if (file && /^[\w.-]+\.json$/.test(file)) {
      const schema = JSON.parse(readFileSync(packageFile('schemas', 'apple', file), 'utf8')) as {properties?: Record<string, unknown>}
      keys = Object.keys(schema.properties ?? {})
    }
  } catch {
    keys = []
  }
  keysByType.set(type, keys)
  return keys
}

/** The PayloadType of the dictionary a pointer is in: the payload's, or Configuration at the top. */
function typeAt(pointer: string, profile: Dict): string {
  const m = /^\/PayloadContent\/(\d+)\//.exec(pointer)
  if (!m) return 'Configuration'
  const p = (profile.PayloadContent as unknown[])[Number(m[1])]
  return isDict(p) && typeof p.PayloadType === 'string' ? p.PayloadType : ''
}

const CODE_FOR_KEYWORD: Record<string, string> = {additionalProperties: 'payload-unknown-key', type: 'payload-wrong-type', plistType: 'payload-wrong-type', required: 'payload-missing-key'}

function issueFinding(issue: SchemaIssue, profile: Dict, file: string): Finding {
  const payloads = Array.isArray(profile.PayloadContent) ? profile.PayloadContent : []
  const code = CODE_FOR_KEYWORD[issue.keyword] ?? 'payload-invalid-value'
  const where = describePointer(issue.path, payloads)
  const severity = code === 'payload-unknown-key' ? 'warning' : 'error'
  const key = issue.path.slice(issue.path.lastIndexOf('/') + 1).replaceAll('~1', '/').replaceAll('~0', '~')
  const guess = code === 'payload-unknown-key' ? suggest(key, schemaKeys(typeAt(issue.path, profile))) : undefined
  const message =
    code === 'payload-unknown-key'
      ? `${where} is not in Apple's schema for this payload${guess ? ` (did you mean ${guess}?)` : ''}: devices ignore it, so it has no effect.`
      : code === 'payload-missing-key'
        ? `${where.replace(/ key [^ ]+$/, '')}: ${issue.message}. Devices refuse to install the profile.`
        : `${where} ${issue.message}. Devices reject the profile ("The profile is not valid") or ignore the setting.`
  const fix = code === 'payload-unknown-key' ? (guess ? `Write ${guess} (keys are case-sensitive), or remove the key.` : 'Fix the spelling (keys are case-sensitive) or remove the key.') : code === 'payload-missing-key' ? 'Add the key.' : 'Use the type and value Apple\'s schema gives.'
  return {code, severity, message, fix, source: {file}}
}

function setAt(root: unknown, pointer: string, value: unknown): unknown {
  const parts = pointer.split('/').slice(1).map((p) => p.replaceAll('~1', '/').replaceAll('~0', '~'))
  const clone = (node: unknown, i: number): unknown => {
    if (i === parts.length) return value
    const key = parts[i]!
    if (Array.isArray(node)) return node.map((item, j) => (String(j) === key ? clone(item, i + 1) : item))
    if (isDict(node)) {
      const out: Dict = {}
      for (const [k, v] of Object.entries(node)) Object.defineProperty(out, k, {value: k === key ? clone(v, i + 1) : v, enumerable: true, writable: true, configurable: true})
      return out
    }
    return node
  }
  return clone(root, 0)
}

/** Schema findings for the whole profile, including `<real>` values where Apple wants `<integer>`. */
export function schemaFindings(profile: Dict, plist: PlistReadResult, file: string): Finding[] {
  const payloads = Array.isArray(profile.PayloadContent) ? profile.PayloadContent : []
  const encrypted = profile.EncryptedPayloadContent !== undefined
  const issues = validateConfiguration(profile).filter((i) => !(encrypted && i.keyword === 'required' && i.path === '/PayloadContent'))
  const findings = issues.map((i) => issueFinding(i, profile, file))
  // ajv counts 1.0 as an integer: ask the schema again with a fractional value in the real's place.
  for (const pointer of plist.reals) {
    const probe = validateConfiguration(setAt(profile, pointer, 0.5) as Dict)
    if (probe.some((i) => i.path === pointer && i.keyword === 'type' && /integer/.test(i.message))) {
      findings.push({
        code: 'payload-wrong-type',
        severity: 'error',
        message: `${describePointer(pointer, payloads)} is a <real>, but Apple's schema says <integer>. Devices may reject the profile ("The profile is not valid").`,
        fix: 'Write it as <integer> (e.g. <integer>1</integer>).',
        source: {file},
      })
    }
  }
  for (let i = 0; i < payloads.length; i++) {
    const p = payloads[i]
    if (isDict(p) && typeof p.PayloadType === 'string' && !knownPayloadType(p.PayloadType)) {
      findings.push({
        code: 'payload-type-unchecked',
        severity: 'info',
        message: `${payloadLabel(payloads, i)}: inspect has no Apple schema for ${p.PayloadType}; its keys were not checked.`,
        fix: 'Nothing to do, unless the payload type is misspelt.',
        source: {file},
      })
    }
  }
  return findings
}

/** PayloadUUIDs (case-insensitive) and PayloadIdentifiers must be unique across the profile and its payloads. */
export function duplicateFindings(profile: Dict, file: string): Finding[] {
  const payloads = Array.isArray(profile.PayloadContent) ? profile.PayloadContent : []
  const entries: Array<{label: string; uuid?: string; identifier?: string}> = [{label: 'the profile (top level)', uuid: str(profile.PayloadUUID), identifier: str(profile.PayloadIdentifier)}]
  payloads.forEach((p, i) => {
    if (isDict(p)) entries.push({label: payloadLabel(payloads, i), uuid: str(p.PayloadUUID), identifier: str(p.PayloadIdentifier)})
  })
  const findings: Finding[] = []
  const check = (field: 'uuid' | 'identifier', code: string, key: string, normalize: (s: string) => string) => {
    const seen = new Map<string, string[]>()
    for (const e of entries) {
      const v = e[field]
      if (!v) continue
      const list = seen.get(normalize(v)) ?? []
      list.push(e.label)
      seen.set(normalize(v), list)
    }
    for (const [value, labels] of seen) {
      if (labels.length < 2) continue
      findings.push({
        code,
        severity: 'error',
        message: `${labels.join(' and ')} share the ${key} ${value}: ${field === 'uuid' ? 'devices identify payloads by UUID, so one replaces the other and reinstalling can fail' : 'Apple requires it to be unique within the profile; installation fails or one payload replaces the other'}.`,
        fix: field === 'uuid' ? 'Give every payload its own PayloadUUID.' : 'Give every payload its own PayloadIdentifier (append `.imap`, `.root`, …).',
        source: {file},
      })
    }
  }
  check('uuid', 'duplicate-payload-uuid', 'PayloadUUID', (s) => s.toUpperCase())
  // Payloads among themselves; a payload reusing the profile's identifier is common and milder.
  const top = entries.shift()!
  check('identifier', 'duplicate-payload-identifier', 'PayloadIdentifier', (s) => s)
  for (const e of entries) {
    if (top.identifier && e.identifier === top.identifier) {
      findings.push({
        code: 'payload-identifier-same-as-profile',
        severity: 'warning',
        message: `${e.label} has the profile's own PayloadIdentifier ${top.identifier}: Apple asks for identifiers unique within the profile, and MDMs that track payloads by identifier confuse the two.`,
        fix: `Append a component to the payload's identifier, e.g. ${top.identifier}.mail.`,
        source: {file},
      })
    }
  }
  return findings
}

/** Keys that hold passwords in Apple's payloads (mail, Exchange, Wi-Fi, VPN, PKCS#12, …). */
const PASSWORD_KEY = /(?:^|[a-z])Password$|^Password$|^PassPhrase$|^SharedSecret$/

export function passwordFindings(profile: Dict, file: string): Finding[] {
  const payloads = Array.isArray(profile.PayloadContent) ? profile.PayloadContent : []
  const findings: Finding[] = []
  const walk = (node: unknown, path: string[], index: number) => {
    if (Array.isArray(node)) node.forEach((item, i) => walk(item, [...path, String(i)], index))
    else if (isDict(node)) {
      for (const [key, value] of Object.entries(node)) {
        const filled = (typeof value === 'string' && value !== '') || (value instanceof Uint8Array && value.length > 0)
        if (PASSWORD_KEY.test(key) && filled) {
          findings.push({
            code: 'password-in-profile',
            severity: 'error',
            message: `${payloadLabel(payloads, index)} key ${[...path, key].join('.')} holds a password in clear text: the profile is not encrypted, so everyone who gets the file can read it.`,
            fix: 'Remove the key (the device asks the user for the password during installation) and change the password; deliver passwords only in profiles an MDM encrypts to the device.',
            source: {file},
          })
        } else walk(value, [...path, key], index)
      }
    }
  }
  payloads.forEach((p, i) => walk(p, [], i))
  return findings
}

export function duplicateKeyFindings(plist: PlistReadResult, profile: Dict, file: string): Finding[] {
  const payloads = Array.isArray(profile.PayloadContent) ? profile.PayloadContent : []
  return plist.duplicateKeys.map((pointer) => ({
    code: 'plist-duplicate-key',
    severity: 'warning' as const,
    message: `${describePointer(pointer, payloads)} appears twice in the same dictionary; which value a device uses is undefined (inspect checked the last one).`,
    fix: 'Keep one of the two.',
    source: {file},
  }))
}

const CERTIFICATE_TYPES = new Set(['com.apple.security.root', 'com.apple.security.pkcs1', 'com.apple.security.pem'])

/** The certificate in a certificate payload (DER, or PEM for com.apple.security.pem), or an error message. */
/** The certificate of a certificate payload; a string says why it cannot be read; undefined for other payloads. */
export function payloadCertificate(p: Dict): ParsedCertificate | string | undefined {
  if (!CERTIFICATE_TYPES.has(String(p.PayloadType)) || !(p.PayloadContent instanceof Uint8Array)) return undefined
  try {
    const bytes = Buffer.from(p.PayloadContent)
    const der = bytes[0] === 0x30 ? bytes : Buffer.from(bytes.toString('latin1').replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64')
    return parseCertificate(der)
  } catch (error) {
    return (error as Error).message.split('\n')[0]!
  }
}

/** Certificate payloads whose certificate cannot be read or is out of date. */
export function certificateFindings(profile: Dict, file: string, now: Date): Finding[] {
  const payloads = Array.isArray(profile.PayloadContent) ? profile.PayloadContent : []
  const findings: Finding[] = []
  payloads.forEach((p, i) => {
    if (!isDict(p)) return
    const cert = payloadCertificate(p)
    if (typeof cert === 'string') {
      findings.push({
        code: 'payload-certificate-invalid',
        severity: 'error',
        message: `${payloadLabel(payloads, i)}: PayloadContent is not a readable certificate (${cert}). Devices refuse to install the profile.`,
        fix: 'Put the certificate\'s DER bytes (or PEM for com.apple.security.pem) in PayloadContent.',
        source: {file},
      })
    } else if (cert && validityAt(cert.info, now).status === 'expired') {
      findings.push({
        code: 'payload-certificate-expired',
        severity: 'warning',
        message: `${payloadLabel(payloads, i)}: the certificate "${certificateName(cert.info)}" expired on ${isoDay(cert.info.notAfter)}: servers whose chains end at it cannot be verified ("Cannot Verify Server Identity").`,
        fix: 'Replace it with the CA\'s current certificate.',
        source: {file},
      })
    }
  })
  return findings
}

const SECURITY_LABEL: Record<Security, string> = {ssl: 'TLS', starttls: 'STARTTLS', none: 'no TLS'}

function payloadDetails(p: Dict): string | undefined {
  const type = str(p.PayloadType)
  if (type === 'com.apple.mail.managed') {
    const server = (side: 'Incoming' | 'Outgoing') => {
      const host = str(p[`${side}MailServerHostName`]) ?? '?'
      const port = p[`${side}MailServerPortNumber`]
      const ssl = SECURITY_LABEL[securityFromUseSsl(p[`${side}MailServerUseSSL`] === true, typeof port === 'number' ? port : undefined)]
      return `${host}${typeof port === 'number' ? `:${port}` : ''} (${ssl})`
    }
    const kind = p.EmailAccountType === 'EmailTypePOP' ? 'POP' : 'IMAP'
    const address = str(p.EmailAddress)
    return `${kind} ${server('Incoming')}, SMTP ${server('Outgoing')}${address ? `, ${address}` : ', address asked on the device'}`
  }
  const cert = payloadCertificate(p)
  if (cert === undefined) return undefined
  return typeof cert === 'string' ? 'certificate (unreadable)' : `certificate "${certificateName(cert.info)}", expires ${isoDay(cert.info.notAfter)}`
}

export function summarizeProfile(profile: Dict): {profile: ProfileSummary; payloads: PayloadSummary[]} {
  const payloads = Array.isArray(profile.PayloadContent) ? profile.PayloadContent : []
  return {
    profile: {
      PayloadDisplayName: str(profile.PayloadDisplayName),
      PayloadIdentifier: str(profile.PayloadIdentifier),
      PayloadUUID: str(profile.PayloadUUID),
      PayloadOrganization: str(profile.PayloadOrganization),
      PayloadDescription: str(profile.PayloadDescription),
      PayloadRemovalDisallowed: typeof profile.PayloadRemovalDisallowed === 'boolean' ? profile.PayloadRemovalDisallowed : undefined,
      PayloadScope: str(profile.PayloadScope),
      encrypted: profile.EncryptedPayloadContent !== undefined,
    },
    payloads: payloads.map((p, index) =>
      isDict(p)
        ? {index, PayloadType: str(p.PayloadType), PayloadIdentifier: str(p.PayloadIdentifier), PayloadUUID: str(p.PayloadUUID), PayloadDisplayName: str(p.PayloadDisplayName), PayloadVersion: p.PayloadVersion, details: payloadDetails(p)}
        : {index},
    ),
  }
}
