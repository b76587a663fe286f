/**
 * Account keys written but left empty (`<string></string>`): an address, a user name or a password.
 * Templates do this when a variable was not filled. The device asks the user only for what the
 * profile leaves out, so an empty value is not a question but an answer. Only keys Apple's schema
 * lists for the payload are judged (another key is payload-unknown-key, and payload types without a
 * schema are not checked).
 */
import {payloadSchemaKeys} from '../../apple/schemas.js'
import {finding} from '../../codes.js'
import type {Finding} from '../../findings.js'
import {isDict, payloadLabel} from '../profile.js'
import {PASSWORD_KEY} from './passwords.js'
import type {ProfileCheck} from './types.js'

const ADDRESS_KEY = /EmailAddress$/
const USER_KEY = /User[Nn]ame$/

function kindOf(key: string): string | undefined {
  if (ADDRESS_KEY.test(key)) return 'an email address'
  if (USER_KEY.test(key)) return 'a user name'
  if (PASSWORD_KEY.test(key)) return 'a password'
  return undefined
}

export const emptyValuesCheck: ProfileCheck = ({payloads, file}) => {
  const findings: Finding[] = []
  payloads.forEach((p, i) => {
    if (!isDict(p) || typeof p.PayloadType !== 'string') return
    const known = new Set(payloadSchemaKeys(p.PayloadType))
    for (const [key, value] of Object.entries(p)) {
      const kind = kindOf(key)
      if (!kind || !known.has(key) || typeof value !== 'string' || value.trim() !== '') continue
      findings.push(
        finding('payload-empty-value', {
          message: `${payloadLabel(payloads, i)} key ${key} is present but empty where ${kind} belongs: the device asks during installation only for keys the profile leaves out, so the account can be set up with an empty value and fail to log in or send.`,
          fix: `Remove ${key} so that the device asks for it, or fill it in.`,
          source: {file},
        }),
      )
    }
  })
  return findings
}
