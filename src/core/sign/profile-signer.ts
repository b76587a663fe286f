/**
 * What `build` needs from this concern in one call: the identity from the settings' `signing`
 * block, loaded and checked, turned into a signer for .mobileconfig bytes plus the facts the
 * manifest records about it (structurally the `ProfileSigner` of src/core/generate/build.ts).
 */
import {createCmsSigner} from './cms.js'
import {loadSigningIdentity, type LoadIdentityOptions, type SigningIdentity, type SigningSettings} from './identity.js'

export interface ProfileSigning {
  sign(content: Buffer): Buffer
  info: {subject: string; sha256: string}
}

export function profileSigner(identity: SigningIdentity): ProfileSigning {
  const sign = createCmsSigner(identity)
  return {sign, info: {subject: identity.certificateInfo.subject, sha256: identity.certificateInfo.sha256}}
}

/** Loads the identity (InputError when unusable) and returns its signer. */
export async function loadProfileSigner(signing: SigningSettings, options: LoadIdentityOptions): Promise<ProfileSigning> {
  return profileSigner(await loadSigningIdentity(signing, options))
}
