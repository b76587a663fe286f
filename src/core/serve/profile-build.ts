/**
 * One profile's bytes exactly as `build` writes them for a user (or a domain): built, validated
 * against Apple's schema, then signed, through the generator `build` uses (profileBytes). Run on
 * the event loop or on a profile worker thread (profile-worker.ts): the same function, the same bytes.
 */
import {domainAccount, userAccount} from '../generate/account.js'
import {profileBytes, type ProfileSigner} from '../generate/build.js'
import {domainProfileIds, userProfileIds} from '../generate/ids.js'
import type {CaCertificate, ProfileMetadata} from '../generate/mobileconfig.js'
import type {DomainSettings, UserSettings} from '../settings/model.js'

/** What a profile is made from besides its target: the loaded state's certificates, metadata and signer. */
export interface ProfileInputs {
  certificates: readonly CaCertificate[]
  meta: ProfileMetadata
  signer?: ProfileSigner
}

export interface ProfileSubject {
  domain: DomainSettings
  user?: UserSettings
  fileName: string
}

export function buildProfile(inputs: ProfileInputs, target: ProfileSubject): Buffer {
  const account = target.user ? userAccount(target.domain, target.user) : domainAccount(target.domain)
  const ids = target.user ? userProfileIds(target.domain.identifier, target.user.address) : domainProfileIds(target.domain.identifier)
  const built = profileBytes({account, ids, certificates: inputs.certificates, meta: inputs.meta, signer: inputs.signer, path: target.fileName})
  if ('findings' in built) throw new Error(`mailprofile bug: ${target.fileName} does not pass Apple's schema: ${built.findings.map((f) => f.message).join('; ')}`)
  return built.bytes
}
