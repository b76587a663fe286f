/**
 * Within one profile: PayloadUUIDs (case-insensitive) and PayloadIdentifiers must be unique across
 * the profile and its payloads; a payload reusing the profile's own identifier is common and milder.
 */
import {finding} from '../../codes.js'
import type {Finding} from '../../findings.js'
import {isDict, payloadLabel, str} from '../profile.js'
import type {ProfileCheck} from './types.js'

interface Entry {
  label: string
  uuid?: string
  identifier?: string
}

/** Values that occur more than once, with the labels of the entries that carry them. */
function repeated(entries: readonly Entry[], value: (e: Entry) => string | undefined): Array<[string, string[]]> {
  const seen = new Map<string, string[]>()
  for (const e of entries) {
    const v = value(e)
    if (!v) continue
    const list = seen.get(v) ?? []
    list.push(e.label)
    seen.set(v, list)
  }
  return [...seen].filter(([, labels]) => labels.length > 1)
}

export const duplicatesCheck: ProfileCheck = ({profile, payloads, file}) => {
  const top: Entry = {label: 'the profile (top level)', uuid: str(profile.PayloadUUID), identifier: str(profile.PayloadIdentifier)}
  const inner: Entry[] = []
  payloads.forEach((p, i) => {
    if (isDict(p)) inner.push({label: payloadLabel(payloads, i), uuid: str(p.PayloadUUID), identifier: str(p.PayloadIdentifier)})
  })
  const source = {file}
  const findings: Finding[] = []
  for (const [uuid, labels] of repeated([top, ...inner], (e) => e.uuid?.toUpperCase())) {
    findings.push(
      finding('duplicate-payload-uuid', {
        message: `${labels.join(' and ')} share the PayloadUUID ${uuid}: devices identify payloads by UUID, so one replaces the other and reinstalling can fail.`,
        fix: 'Give every payload its own PayloadUUID.',
        source,
      }),
    )
  }
  for (const [identifier, labels] of repeated(inner, (e) => e.identifier)) {
    findings.push(
      finding('duplicate-payload-identifier', {
        message: `${labels.join(' and ')} share the PayloadIdentifier ${identifier}: Apple requires it to be unique within the profile; installation fails or one payload replaces the other.`,
        fix: 'Give every payload its own PayloadIdentifier (append `.imap`, `.root`, …).',
        source,
      }),
    )
  }
  if (top.identifier) {
    for (const e of inner) {
      if (e.identifier !== top.identifier) continue
      findings.push(
        finding('payload-identifier-same-as-profile', {
          message: `${e.label} has the profile's own PayloadIdentifier ${top.identifier}: Apple asks for identifiers unique within the profile, and MDMs that track payloads by identifier confuse the two.`,
          fix: `Append a component to the payload's identifier, e.g. ${top.identifier}.mail.`,
          source,
        }),
      )
    }
  }
  return findings
}
