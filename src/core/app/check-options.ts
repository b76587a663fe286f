/**
 * The option values `check`, `probe` and `build --check` share, as the user typed them, turned
 * into CheckOptions: dates parsed, CA files and the trust-store snapshot read, --resolve parsed.
 * Unusable values are InputErrors naming the flag (exit 2).
 */
import type {CheckOptions} from '../check/options.js'
import {InputError} from '../errors.js'

export interface CheckOptionValues {
  ca?: string[]
  resolve?: string[]
  at?: string
  warnDays: number
  timeoutSeconds: number
  deadlineSeconds?: number
  concurrency?: number
  appleTrustStore?: string
}

export async function checkOptionsFrom(values: CheckOptionValues): Promise<CheckOptions> {
  const [{parseAt, readCaFile}, {ResolveMap}] = await Promise.all([import('../check/options.js'), import('../check/resolve.js')])
  return {
    now: values.at ? parseAt(values.at) : new Date(),
    warnDays: values.warnDays,
    timeoutSeconds: values.timeoutSeconds,
    ...(values.deadlineSeconds !== undefined ? {deadlineSeconds: values.deadlineSeconds} : {}),
    concurrency: values.concurrency,
    extraRoots: (values.ca ?? []).flatMap((f) => readCaFile(f)),
    resolve: ResolveMap.parse(values.resolve),
    appleStore: values.appleTrustStore ? await readAppleTrustStore(values.appleTrustStore) : undefined,
  }
}

/** --apple-trust-store FILE: errors name the flag. */
export async function readAppleTrustStore(file: string): Promise<CheckOptions['appleStore']> {
  const {readTrustStoreFile} = await import('../x509/trust-store.js')
  try {
    return readTrustStoreFile(file)
  } catch (error) {
    if (error instanceof InputError) throw new InputError(`--apple-trust-store: ${error.message}`, error.location)
    throw error
  }
}

/** The --resolve entries that matched no endpoint (a typo would otherwise go unnoticed), as notices. */
export function unusedResolveNotices(options: CheckOptions): string[] {
  return (options.resolve?.unused() ?? []).map((e) => `mailprofile: warning: --resolve ${e.text} matched no endpoint (host and port must both match)`)
}
