/**
 * The payload list `inspect` shows: the profile's top-level Payload* keys, and per payload its type,
 * identifier, UUID, name and a one-line description (mail servers, certificate subject).
 */
import {certificateName} from '../x509/names.js'
import {isoDay} from '../x509/validity.js'
import {payloadCertificate} from './certificate-payload.js'
import {mailServerSecurity} from './mail.js'
import {isDict, payloadsOf, str, type Dict} from './profile.js'

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

const SECURITY_WORDS = {ssl: 'TLS', starttls: 'STARTTLS', 'starttls-optional': 'STARTTLS not required', none: 'no TLS'} as const

function payloadDetails(p: Dict): string | undefined {
  const type = str(p.PayloadType)
  if (type === 'com.apple.mail.managed') {
    const server = (side: 'Incoming' | 'Outgoing') => {
      const host = str(p[`${side}MailServerHostName`]) ?? '?'
      const port = p[`${side}MailServerPortNumber`]
      const security = mailServerSecurity(p, side)
      return `${host}${typeof port === 'number' ? `:${port}` : ''} (${SECURITY_WORDS[security.tlsRequired === false && security.security === 'starttls' ? 'starttls-optional' : security.security]})`
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
    payloads: payloadsOf(profile).map((p, index) =>
      isDict(p)
        ? {index, PayloadType: str(p.PayloadType), PayloadIdentifier: str(p.PayloadIdentifier), PayloadUUID: str(p.PayloadUUID), PayloadDisplayName: str(p.PayloadDisplayName), PayloadVersion: p.PayloadVersion, details: payloadDetails(p)}
        : {index},
    ),
  }
}
