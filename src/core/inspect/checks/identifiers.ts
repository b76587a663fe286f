/** The profile's and the payloads' PayloadIdentifiers, with `lint`'s identifier rule (reverse-DNS, no whitespace). */
import {finding} from '../../codes.js'
import type {Finding} from '../../findings.js'
import {isReverseDns, notReverseDns} from '../../settings/rules/identifiers.js'
import {isDict, payloadLabel} from '../profile.js'
import type {ProfileCheck} from './types.js'

export const identifiersCheck: ProfileCheck = ({profile, payloads, file}) => {
  const findings: Finding[] = []
  const check = (label: string, value: unknown) => {
    if (typeof value !== 'string' || value === '' || isReverseDns(value)) return
    // Made from the registry like every finding; the shared rule gives the wording.
    const shared = notReverseDns(`${label} PayloadIdentifier`, value, {file})
    findings.push(finding(shared.code, {message: shared.message, fix: 'Use a reverse-DNS identifier without spaces or line breaks, e.g. `com.example.mail`.', source: {file}}))
  }
  check('The profile\'s', profile.PayloadIdentifier)
  payloads.forEach((p, i) => {
    if (isDict(p)) check(payloadLabel(payloads, i), p.PayloadIdentifier)
  })
  return findings
}
