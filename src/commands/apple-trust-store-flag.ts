// `--apple-trust-store FILE`, shared by check, probe, build --check and inspect: judge trust against
// another snapshot of Apple's trust store than the one shipped in data/apple-trust-store/.
import * as Flags from '@oclif/core/flags'

import {InputError} from '../core/errors.js'
import type {AppleTrustStore} from '../core/x509/trust-store.js'

export const appleTrustStoreFlag = Flags.string({
  description:
    "Judge trust against this snapshot of Apple's trust store instead of the one shipped (whose version the output names): a trust-store.json made by `npm run refresh:trust-store -- --out FILE`, e.g. from a newer Apple release.",
  helpValue: 'FILE',
})

/** The store the flag names, or undefined for the shipped one; unusable files are InputErrors naming the flag. */
export async function readAppleTrustStoreFlag(file: string | undefined): Promise<AppleTrustStore | undefined> {
  if (!file) return undefined
  const {readTrustStoreFile} = await import('../core/x509/trust-store.js')
  try {
    return readTrustStoreFile(file)
  } catch (error) {
    if (error instanceof InputError) throw new InputError(`--apple-trust-store: ${error.message}`, error.location)
    throw error
  }
}
