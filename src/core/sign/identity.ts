/**
 * The signing identity for `build`: the one loader (src/core/settings/signing-identity.ts, shared
 * with lint) with its findings turned into an InputError when the identity cannot be used (the
 * first error, or the missing passphrase), naming the file and never the passphrase.
 */
import {InputError} from '../errors.js'
import {loadSigning, type LoadSigningOptions, type SigningIdentity, type SigningLoad, type SigningSettings} from '../settings/signing-identity.js'

export type {SigningIdentity, SigningLoad, SigningSettings} from '../settings/signing-identity.js'
export type LoadIdentityOptions = Omit<LoadSigningOptions, 'locate'>

/** The identity a load produced, or an InputError saying why there is none (located at the `signing` block). */
export function identityOrError(loaded: SigningLoad, signing: SigningSettings): SigningIdentity {
  if (loaded.identity) return loaded.identity
  const why = loaded.findings.find((f) => f.severity === 'error') ?? loaded.findings[0]
  throw new InputError(why ? why.message.replace(/\.$/, '') : 'the signing identity cannot be used', signing.source)
}

/** Loads the identity; InputError when it cannot sign (unreadable file, wrong passphrase, key that does not belong to the certificate, ...). */
export async function loadSigningIdentity(signing: SigningSettings, options: LoadIdentityOptions): Promise<SigningIdentity> {
  return identityOrError(await loadSigning(signing, options), signing)
}
