/**
 * Checks across the profiles inspected together: a PayloadUUID used in more than one profile.
 * Generators that hard-code UUIDs (the same for every user or server) produce such sets; a device
 * that installs two of them sees one payload twice.
 */
import {finding} from '../codes.js'
import type {Finding} from '../findings.js'
import {isDict, payloadLabel, payloadsOf, str, type Dict} from './profile.js'

export interface InspectedProfile {
  file: string
  profile: Dict
}

/** `uuid → first place seen`; every later profile that reuses it gets one finding per UUID. */
export function reusedUuidFindings(profiles: readonly InspectedProfile[]): Finding[] {
  const first = new Map<string, {file: string; label: string}>()
  const findings: Finding[] = []
  for (const {file, profile} of profiles) {
    const payloads = payloadsOf(profile)
    const here: Array<{uuid: string; label: string}> = []
    const top = str(profile.PayloadUUID)
    if (top) here.push({uuid: top.toUpperCase(), label: 'the profile (top level)'})
    payloads.forEach((p, i) => {
      const uuid = isDict(p) ? str(p.PayloadUUID) : undefined
      if (uuid) here.push({uuid: uuid.toUpperCase(), label: payloadLabel(payloads, i)})
    })
    const reported = new Set<string>()
    for (const {uuid, label} of here) {
      const seen = first.get(uuid)
      if (!seen) {
        first.set(uuid, {file, label})
        continue
      }
      // The same file named twice, or a UUID repeated inside one profile (duplicate-payload-uuid says so).
      if (seen.file === file || reported.has(uuid)) continue
      reported.add(uuid)
      findings.push(
        finding('payload-uuid-reused', {
          message: `${label} has the PayloadUUID ${uuid}, already used by ${seen.label} of ${seen.file}: a device that installs both profiles sees one payload twice, so the second installation fails or replaces the other's account.`,
          source: {file},
        }),
      )
    }
  }
  return findings
}
