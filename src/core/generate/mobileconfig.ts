/**
 * .mobileconfig profiles: an XML property list (Apple's DOCTYPE, written by plist-xml.ts, which
 * checks and escapes every value) holding a top-level Configuration with one com.apple.mail.managed
 * payload per account and one certificate payload per CA certificate from the settings.
 *
 * Per-user profiles of one build differ only in the mail payload and the identifiers: the rest
 * (certificate payloads with their base64 text, the organization's keys) is written once per set
 * of certificates and metadata as a plist template, and each profile fills its holes. A profile
 * whose values cannot be written that way is written whole, which gives the exact error.
 *
 * TLS mapping (`…MailServerUseSSL`): chosen by src/core/mail/protocol.ts `useSsl` (true for `ssl`
 * and `starttls`, the port says which; see that module for why), and read back by inspect and check
 * with its inverse there, `securityFromUseSsl`.
 */
import {useSsl, type Authentication} from '../mail/protocol.js'
import type {MailAccount} from './account.js'
import {payloadUuid, type ProfileIds} from './ids.js'
import {sortedDict} from './plist-order.js'
import {buildPlistXml, fillPlistTemplate, plistTemplate, PLIST_SLOT, type PlistTemplate} from './plist-xml.js'

export interface CaCertificate {
  der: Buffer
  /** File name shown in the payload (PayloadCertificateFileName). */
  fileName: string
  /** Subject common name or subject, for PayloadDisplayName. */
  name: string
  /** Self-signed root (com.apple.security.root) or not (com.apple.security.pkcs1). */
  selfSigned: boolean
  /** SHA-256 of `der`, lower-case hex (names the payload). */
  sha256: string
}

export interface ProfileMetadata {
  organization: string
  displayName: string
  description?: string
  consentText?: string
  removalAllowed: boolean
  targetDevice: 'any' | 'ios' | 'macos'
}

export interface BuiltProfile {
  bytes: Buffer
  /** The profile as a plist object (what the bytes parse back to). */
  profile: Record<string, unknown>
  payloadIdentifier: string
  payloadUuid: string
}

const AUTH: Record<Authentication, string> = {
  password: 'EmailAuthPassword',
  crammd5: 'EmailAuthCRAMMD5',
  ntlm: 'EmailAuthNTLM',
  httpmd5: 'EmailAuthHTTPMD5',
  none: 'EmailAuthNone',
}

/** TargetDeviceType (TopLevel.yaml): 0 any, 1 iPhone/iPad/iPod touch, 5 Mac. */
export const TARGET_DEVICE_TYPE = {any: 0, ios: 1, macos: 5} as const

export function mailPayload(account: MailAccount, ids: ProfileIds, organization: string): Record<string, unknown> {
  const {incoming, outgoing} = account
  const identifier = ids.account(incoming.protocol === 'pop3' ? 'pop3' : 'imap')
  const protocolName = incoming.protocol === 'pop3' ? 'POP' : 'IMAP'
  const samePassword = incoming.authentication !== 'none' && outgoing.authentication !== 'none' && incoming.usernameTemplate === outgoing.usernameTemplate
  const who = account.emailAddress ?? account.domain.domain
  return sortedDict({
    EmailAccountDescription: account.description,
    EmailAccountName: account.accountName,
    EmailAccountType: incoming.protocol === 'pop3' ? 'EmailTypePOP' : 'EmailTypeIMAP',
    EmailAddress: account.emailAddress,
    IncomingMailServerAuthentication: AUTH[incoming.authentication],
    IncomingMailServerHostName: incoming.host,
    IncomingMailServerPortNumber: incoming.port,
    IncomingMailServerUseSSL: useSsl(incoming.security),
    IncomingMailServerUsername: incoming.username,
    OutgoingMailServerAuthentication: AUTH[outgoing.authentication],
    OutgoingMailServerHostName: outgoing.host,
    OutgoingMailServerPortNumber: outgoing.port,
    OutgoingMailServerUseSSL: useSsl(outgoing.security),
    OutgoingMailServerUsername: outgoing.username,
    OutgoingPasswordSameAsIncomingPassword: samePassword ? true : undefined,
    PayloadDescription: `Mail account (${protocolName}) for ${who}`,
    PayloadDisplayName: `${account.description} (${protocolName})`,
    PayloadIdentifier: identifier,
    PayloadOrganization: organization,
    PayloadType: 'com.apple.mail.managed',
    PayloadUUID: payloadUuid(identifier),
    PayloadVersion: 1,
  })
}

export function certificatePayload(cert: CaCertificate, ids: ProfileIds, organization: string): Record<string, unknown> {
  const identifier = ids.certificate(cert.sha256)
  return sortedDict({
    PayloadCertificateFileName: cert.fileName,
    PayloadContent: cert.der,
    PayloadDescription: `Trusts the certificate authority "${cert.name}" for the mail servers' certificates.`,
    PayloadDisplayName: cert.name,
    PayloadIdentifier: identifier,
    PayloadOrganization: organization,
    PayloadType: cert.selfSigned ? 'com.apple.security.root' : 'com.apple.security.pkcs1',
    PayloadUUID: payloadUuid(identifier),
    PayloadVersion: 1,
  })
}

/** The profile's plist object: certificates first (trust before the account that needs it), then the account. */
export function profileObject(account: MailAccount, ids: ProfileIds, certificates: readonly CaCertificate[], meta: ProfileMetadata): Record<string, unknown> {
  const payloads = [...certificates.map((c) => certificatePayload(c, ids, meta.organization)), mailPayload(account, ids, meta.organization)]
  return sortedDict({
    ConsentText: meta.consentText !== undefined ? {default: meta.consentText} : undefined,
    PayloadContent: payloads,
    PayloadDescription: meta.description,
    PayloadDisplayName: meta.displayName,
    PayloadIdentifier: ids.profile,
    PayloadOrganization: meta.organization,
    PayloadRemovalDisallowed: !meta.removalAllowed,
    PayloadType: 'Configuration',
    PayloadUUID: payloadUuid(ids.profile),
    PayloadVersion: 1,
    TargetDeviceType: meta.targetDevice === 'any' ? undefined : TARGET_DEVICE_TYPE[meta.targetDevice],
  })
}

/** Serializes a profile object as an XML plist (UTF-8, Apple's DOCTYPE, trailing newline). */
export function serializeProfile(profile: Record<string, unknown>): Buffer {
  return Buffer.from(buildPlistXml(profile, 'profile'), 'utf8')
}

type Dict = Record<string, unknown>

/** The values of a profile that differ between the users of one build, in document order: each certificate payload's identifier and UUID, the mail payload, the profile's identifier and UUID. */
function varyingValues(profile: Dict): unknown[] {
  const payloads = profile.PayloadContent as Dict[]
  const values: unknown[] = []
  for (let i = 0; i < payloads.length - 1; i++) values.push(payloads[i]!.PayloadIdentifier, payloads[i]!.PayloadUUID)
  values.push(payloads[payloads.length - 1], profile.PayloadIdentifier, profile.PayloadUUID)
  return values
}

/** The profile with PLIST_SLOT where varyingValues takes its values (same keys, same order). */
function withHoles(profile: Dict): Dict {
  const payloads = profile.PayloadContent as Dict[]
  const content: unknown[] = payloads.slice(0, -1).map((p) => ({...p, PayloadIdentifier: PLIST_SLOT, PayloadUUID: PLIST_SLOT}))
  content.push(PLIST_SLOT)
  return {...profile, PayloadContent: content, PayloadIdentifier: PLIST_SLOT, PayloadUUID: PLIST_SLOT}
}

interface CachedTemplate {
  certificates: readonly CaCertificate[]
  meta: ProfileMetadata
  template: PlistTemplate
}

/** One template per certificate list (a build's or serve's, made once); used only while the list and the metadata are the ones it was made from. */
const templates = new WeakMap<readonly CaCertificate[], CachedTemplate>()

const sameMeta = (a: ProfileMetadata, b: ProfileMetadata): boolean =>
  a.organization === b.organization && a.displayName === b.displayName && a.description === b.description && a.consentText === b.consentText && a.removalAllowed === b.removalAllowed && a.targetDevice === b.targetDevice

function templateFor(profile: Dict, certificates: readonly CaCertificate[], meta: ProfileMetadata): PlistTemplate {
  const cached = templates.get(certificates)
  if (cached && sameMeta(cached.meta, meta) && cached.certificates.length === certificates.length && cached.certificates.every((c, i) => c === certificates[i])) return cached.template
  const template = plistTemplate(withHoles(profile), 'profile')
  templates.set(certificates, {certificates: [...certificates], meta: {...meta}, template})
  return template
}

/** The profile's bytes from the template of its certificates and metadata; written whole when a value does not fit (the whole-tree writer names the problem). */
function profileText(profile: Dict, certificates: readonly CaCertificate[], meta: ProfileMetadata): string {
  try {
    return fillPlistTemplate(templateFor(profile, certificates, meta), varyingValues(profile), 'profile')
  } catch {
    return buildPlistXml(profile, 'profile')
  }
}

export function buildMobileconfig(account: MailAccount, ids: ProfileIds, certificates: readonly CaCertificate[], meta: ProfileMetadata): BuiltProfile {
  const profile = profileObject(account, ids, certificates, meta)
  return {bytes: Buffer.from(profileText(profile, certificates, meta), 'utf8'), profile, payloadIdentifier: ids.profile, payloadUuid: profile.PayloadUUID as string}
}
