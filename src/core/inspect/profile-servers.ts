/**
 * What a profile asks devices to connect to and trust, for `check PROFILE.mobileconfig`: its mail
 * payloads as settings (…UseSSL and the port read as ./mail.ts reads them) and the self-signed
 * certificates its certificate payloads install.
 */
import {InputError} from '../errors.js'
import {payloadCertificate} from './certificate-payload.js'
import {mailPayloadSettings, type MailPayloadSettings} from './mail.js'
import {isDict, payloadsOf} from './profile.js'
import {readProfileFile} from './read.js'

export interface ProfileServers {
  /** One entry per com.apple.mail.managed payload with both host names; sources point into the profile. */
  mail: MailPayloadSettings[]
  /** DER of the self-signed certificates the profile's certificate payloads install. */
  installedRoots: Buffer[]
}

/** Reads a profile for `check`. Throws InputError when it cannot be read or is not a property list dictionary. */
export function readProfileServers(file: string): ProfileServers {
  const read = readProfileFile(file)
  const profile = read.plist?.value
  if (!isDict(profile)) throw new InputError('the profile is not a property list dictionary (`mailprofile inspect` says more)', {file})
  const installedRoots: Buffer[] = []
  for (const p of payloadsOf(profile)) {
    if (!isDict(p)) continue
    const cert = payloadCertificate(p)
    if (cert && typeof cert !== 'string' && cert.info.selfSigned) installedRoots.push(cert.der)
  }
  return {mail: mailPayloadSettings(profile, file), installedRoots}
}
