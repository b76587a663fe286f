/**
 * .mobileconfig profiles: an XML property list (Apple's DOCTYPE, written through an XML library
 * that escapes every value, see plist-xml.ts; never string templates) holding a top-level Configuration with one com.apple.mail.managed
 * payload per account and one certificate payload per CA certificate from the settings.
 *
 * TLS mapping (`…MailServerUseSSL`): chosen by src/core/mail/protocol.ts `useSsl` (true for `ssl`
 * and `starttls`, the port says which; see that module for why), and read back by inspect and check
 * with its inverse there, `securityFromUseSsl`.
 */
import {useSsl, type Authentication} from '../mail/protocol.js'
import type {MailAccount} from './account.js'
import {payloadUuid, type ProfileIds} from './ids.js'
import {sortedDict} from './plist-order.js'
import {buildPlistXml} from './plist-xml.js'

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

export function buildMobileconfig(account: MailAccount, ids: ProfileIds, certificates: readonly CaCertificate[], meta: ProfileMetadata): BuiltProfile {
  const profile = profileObject(account, ids, certificates, meta)
  return {bytes: serializeProfile(profile), profile, payloadIdentifier: ids.profile, payloadUuid: payloadUuid(ids.profile)}
}
