import type {Finding} from '../../findings.js'
import type {PlistReadResult} from '../plist-xml.js'
import type {Dict} from '../profile.js'

/** What every profile check reads: the parsed profile and how it was written. */
export interface ProfileContext {
  file: string
  /** The root dictionary (PayloadType "Configuration"). */
  profile: Dict
  /** Its PayloadContent (empty when absent). */
  payloads: readonly unknown[]
  /** How the plist was written: `<real>` values and keys written twice. */
  plist: PlistReadResult
  /** The payloads are encrypted to one device (EncryptedPayloadContent): only the outer keys are there. */
  encrypted: boolean
  now: Date
  warnDays: number
}

/** One named check on a profile: a pure function of the parsed profile. */
export type ProfileCheck = (ctx: ProfileContext) => Finding[] | Promise<Finding[]>
