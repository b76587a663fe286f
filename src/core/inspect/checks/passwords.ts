/** Passwords written into an unencrypted profile, anywhere in a payload (mail, Exchange, Wi-Fi, VPN, PKCS#12, …). */
import {finding} from '../../codes.js'
import type {Finding} from '../../findings.js'
import {isDict, payloadLabel} from '../profile.js'
import type {ProfileCheck} from './types.js'

/** Keys that hold passwords in Apple's payloads. */
export const PASSWORD_KEY = /(?:^|[a-z])Password$|^Password$|^PassPhrase$|^SharedSecret$/

export const passwordsCheck: ProfileCheck = ({payloads, file, encrypted}) => {
  if (encrypted) return []
  const findings: Finding[] = []
  const walk = (node: unknown, path: string[], index: number) => {
    if (Array.isArray(node)) node.forEach((item, i) => walk(item, [...path, String(i)], index))
    else if (isDict(node)) {
      for (const [key, value] of Object.entries(node)) {
        const filled = (typeof value === 'string' && value !== '') || (value instanceof Uint8Array && value.length > 0)
        if (PASSWORD_KEY.test(key) && filled) {
          findings.push(
            finding('password-in-profile', {
              message: `${payloadLabel(payloads, index)} key ${[...path, key].join('.')} holds a password in clear text: the profile is not encrypted, so everyone who gets the file can read it.`,
              fix: 'Remove the key (the device asks the user for the password during installation) and change the password; deliver passwords only in profiles an MDM encrypts to the device.',
              source: {file},
            }),
          )
        } else walk(value, [...path, key], index)
      }
    }
  }
  payloads.forEach((p, i) => walk(p, [], i))
  return findings
}
