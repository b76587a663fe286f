/**
 * The per-user .mobileconfig profiles of one domain, written from one template per domain.
 *
 * Why this exists (speed, issue 14 item 3): in a one-thread build, building each profile's whole
 * plist object (certificate payloads, sorted dictionaries, three UUIDs), validating all of it
 * against Apple's schemas and encoding its whole text cost more CPU than everything else except
 * the signature, although the users of one domain share every value of their profile but a few:
 * each certificate payload's PayloadIdentifier and PayloadUUID, the mail payload's per-user entries
 * (USER_MAIL_KEYS), and the profile's PayloadIdentifier and PayloadUUID. So:
 *  - the first user's profile is built and validated whole (buildMobileconfig, validateConfiguration),
 *    and becomes a byte template (plist-xml.ts plistByteTemplate) with holes for those values;
 *  - every further user's mail payload is built by the same function (mailPayload), validated whole
 *    against Apple's schema for it, and its other entries are compared with the template's: a
 *    profile whose fixed entries differ is built whole, as before. The certificate and profile
 *    identifiers are strings by construction, and Apple's schemas ask nothing else of them
 *    (`{type: string}`; a test reads schemas/apple to hold that);
 *  - the bytes are written once from the template, the fixed text never encoded again.
 * The result is the bytes and the findings the whole path gives: tested against buildMobileconfig
 * plus validateConfiguration on random and hostile users (test/core/generate/user-profiles.test.ts).
 */
import {validateConfiguration, validatePayload, type SchemaIssue} from '../apple/schemas.js'
import type {MailAccount} from './account.js'
import {payloadUuid, type ProfileIds} from './ids.js'
import {buildMobileconfig, mailPayload, type CaCertificate, type ProfileMetadata} from './mobileconfig.js'
import {sortedDict} from './plist-order.js'
import {fillPlistBytes, plistByteTemplate, PLIST_ENTRY_SLOT, PLIST_SLOT, type PlistByteTemplate} from './plist-xml.js'

/** The mail payload's entries that differ between the users of one domain (any of them may be absent). */
export const USER_MAIL_KEYS = ['EmailAccountName', 'EmailAddress', 'IncomingMailServerUsername', 'OutgoingMailServerUsername', 'PayloadDescription', 'PayloadIdentifier', 'PayloadUUID'] as const
const PER_USER = new Set<string>(USER_MAIL_KEYS)

export type UserProfile = {bytes: Buffer; payloadIdentifier: string; payloadUuid: string} | {issues: SchemaIssue[]}

/** Where a hole's value comes from: the profile's own identifier or UUID, a certificate payload's, or a mail payload entry. */
type Hole = {from: 'profile'; key: 'PayloadIdentifier' | 'PayloadUUID'} | {from: 'certificate'; index: number; key: 'PayloadIdentifier' | 'PayloadUUID'} | {from: 'mail'; key: string}

interface Template {
  bytes: PlistByteTemplate
  holes: readonly Hole[]
  /** The mail payload's entries that are the same for every user, in order. */
  fixedMail: ReadonlyMap<string, unknown>
}

type Dict = Record<string, unknown>

const idHole = (value: unknown): boolean => value === PLIST_SLOT

/** The profile with holes, and the holes in document order (the order the plist writer visits them). */
function makeTemplate(profile: Dict): Template {
  const payloads = profile.PayloadContent as Dict[]
  const mail = payloads[payloads.length - 1]!
  const fixedMail = new Map<string, unknown>()
  for (const k in mail) if (!PER_USER.has(k)) fixedMail.set(k, mail[k])
  const mailHoles = sortedDict({...mail, ...Object.fromEntries(USER_MAIL_KEYS.map((k) => [k, PLIST_ENTRY_SLOT]))})
  const content: Dict[] = payloads.slice(0, -1).map((p) => ({...p, PayloadIdentifier: PLIST_SLOT, PayloadUUID: PLIST_SLOT}))
  content.push(mailHoles)
  const withHoles: Dict = {...profile, PayloadContent: content, PayloadIdentifier: PLIST_SLOT, PayloadUUID: PLIST_SLOT}
  const holes: Hole[] = []
  for (const k in withHoles) {
    if (k === 'PayloadContent') {
      content.forEach((p, index) => {
        for (const key in p) {
          if (p === mailHoles && p[key] === PLIST_ENTRY_SLOT) holes.push({from: 'mail', key})
          else if (idHole(p[key])) holes.push({from: 'certificate', index, key: key as 'PayloadIdentifier' | 'PayloadUUID'})
        }
      })
    } else if (idHole(withHoles[k])) holes.push({from: 'profile', key: k as 'PayloadIdentifier' | 'PayloadUUID'})
  }
  const bytes = plistByteTemplate(withHoles, 'profile')
  if (bytes.indents.length !== holes.length) throw new Error('mailprofile bug: the profile template and its holes disagree')
  return {bytes, holes, fixedMail}
}

/** Whether the user's mail payload has exactly the template's fixed entries (the per-user ones aside). */
function sameFixedEntries(mail: Dict, fixed: ReadonlyMap<string, unknown>): boolean {
  let n = 0
  for (const k in mail) {
    if (PER_USER.has(k)) continue
    if (!fixed.has(k) || fixed.get(k) !== mail[k]) return false
    n++
  }
  return n === fixed.size
}

/**
 * A writer of the per-user profiles of one domain for one certificate list and metadata: each
 * call gives the profile's (unsigned) bytes and identifiers, or the Apple-schema issues of the
 * profile (paths as validateConfiguration gives them), exactly as buildMobileconfig and
 * validateConfiguration would.
 */
export function userProfileWriter(certificates: readonly CaCertificate[], meta: ProfileMetadata): (account: MailAccount, ids: ProfileIds) => UserProfile {
  let template: Template | undefined
  /** The profile built and validated whole; the first valid one becomes the template. */
  const whole = (account: MailAccount, ids: ProfileIds): UserProfile => {
    const built = buildMobileconfig(account, ids, certificates, meta)
    const issues = validateConfiguration(built.profile)
    if (issues.length > 0) return {issues}
    template ??= makeTemplate(built.profile)
    return {bytes: built.bytes, payloadIdentifier: built.payloadIdentifier, payloadUuid: built.payloadUuid}
  }
  const mailPrefix = `/PayloadContent/${certificates.length}`
  return (account, ids) => {
    if (!template) return whole(account, ids)
    const mail = mailPayload(account, ids, meta.organization)
    if (!sameFixedEntries(mail, template.fixedMail)) return whole(account, ids)
    const issues = validatePayload(mail, mailPrefix)
    if (issues.length > 0) return {issues}
    const profileUuid = payloadUuid(ids.profile)
    const certificateIds = certificates.map((c) => ids.certificate(c.sha256))
    const values = template.holes.map((hole) => {
      if (hole.from === 'mail') return mail[hole.key]
      if (hole.from === 'profile') return hole.key === 'PayloadIdentifier' ? ids.profile : profileUuid
      const id = certificateIds[hole.index]!
      return hole.key === 'PayloadIdentifier' ? id : payloadUuid(id)
    })
    let bytes: Buffer
    try {
      bytes = fillPlistBytes(template.bytes, values, 'profile')
    } catch {
      return whole(account, ids) // the whole-tree writer names the value it cannot write
    }
    return {bytes, payloadIdentifier: ids.profile, payloadUuid: profileUuid}
  }
}
