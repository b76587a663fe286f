/** Payload types this tool has no Apple schema for: listed, not checked (said so, once per payload). */
import {knownPayloadType} from '../../apple/schemas.js'
import {finding} from '../../codes.js'
import type {Finding} from '../../findings.js'
import {isDict, payloadLabel} from '../profile.js'
import type {ProfileCheck} from './types.js'

export const uncheckedTypesCheck: ProfileCheck = ({payloads, file}) => {
  const findings: Finding[] = []
  payloads.forEach((p, i) => {
    if (isDict(p) && typeof p.PayloadType === 'string' && !knownPayloadType(p.PayloadType)) {
      findings.push(
        finding('payload-type-unchecked', {
          message: `${payloadLabel(payloads, i)}: inspect has no Apple schema for ${p.PayloadType}; its keys were not checked.`,
          fix: 'Nothing to do, unless the payload type is misspelt.',
          source: {file},
        }),
      )
    }
  })
  return findings
}
