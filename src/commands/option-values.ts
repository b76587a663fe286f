/**
 * The probe flags' values as the core takes them (`check`, `probe`, `build --check`): apart from
 * their oclif definitions (options.ts), so the lean start-up path (src/probe-cli.ts) uses them without oclif.
 */
import type {CheckOptionValues} from '../core/app/check-options.js'

export interface ProbeFlagValues {
  ca?: string[]
  resolve?: string[]
  at?: string
  'warn-days': number
  timeout: number
  deadline?: number
  concurrency?: number
  'apple-trust-store'?: string
}

/** The probe flags' values as the core takes them. */
export function checkOptionValues(flags: ProbeFlagValues): CheckOptionValues {
  return {
    ca: flags.ca,
    resolve: flags.resolve,
    at: flags.at,
    warnDays: flags['warn-days'],
    timeoutSeconds: flags.timeout,
    deadlineSeconds: flags.deadline,
    concurrency: flags.concurrency,
    appleTrustStore: flags['apple-trust-store'],
  }
}
