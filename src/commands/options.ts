/**
 * Flags several commands share, and their values as the core takes them: the probe flags of
 * `check`, `probe` and `build --check`, and `--apple-trust-store` (also `inspect`).
 */
import * as Flags from '@oclif/core/flags'

import {InputError} from '../core/errors.js'

/** Positive seconds, fractions allowed (e.g. 0.5), at most `max`; errors name the flag. */
export const seconds = (name: string, max: number) =>
  Flags.custom<number>({
    parse: async (input) => {
      const n = Number(input)
      if (!/^\d+(\.\d+)?$/.test(input.trim()) || !(n > 0) || n > max) throw new InputError(`--${name} "${input}": expected a number of seconds greater than 0 (at most ${max}), e.g. 10 or 2.5`)
      return n
    },
  })

export const appleTrustStoreFlag = Flags.string({
  description:
    "Judge trust against this snapshot of Apple's trust store instead of the one shipped (whose version the output names): a trust-store.json made by `npm run refresh:trust-store -- --out FILE`, e.g. from a newer Apple release.",
  helpValue: 'FILE',
})

const caFlag = (also: string) =>
  Flags.string({description: `A CA certificate file (PEM or DER) to trust as a root besides Apple's store: your private CA. Repeatable.${also}`, multiple: true, helpValue: 'FILE'})

const deadlineFlag = (description: string) => seconds('deadline', 86_400)({description, helpValue: 'SECONDS'})

/** The flags of one probe (`probe`, no settings file); `check` and `build --check` say more of --ca and --deadline and add --concurrency. */
export const PROBE_FLAGS = {
  ca: caFlag(''),
  resolve: Flags.string({description: 'Connect to ADDRESS while verifying HOST (curl\'s convention; IPv6 in brackets), to test a server before DNS points at it. Repeatable.', multiple: true, helpValue: 'HOST:PORT:ADDRESS'}),
  at: Flags.string({description: 'Judge certificate validity as of this date (e.g. a rollout date) instead of now: 2026-03-01 or 2026-03-01T09:00:00Z.', helpValue: 'DATE'}),
  'warn-days': Flags.integer({description: 'Warn about certificates that expire within this many days.', default: 30, min: 0}),
  timeout: seconds('timeout', 3600)({description: 'Time limit per phase (connect, greeting, each command, STARTTLS, TLS handshake), in seconds.', default: 10, helpValue: 'SECONDS'}),
  deadline: deadlineFlag('Bound for the whole probe, in seconds: a probe not finished by then is reported as deadline-exceeded (without it the probe takes at most 4 × --timeout).'),
  'apple-trust-store': appleTrustStoreFlag,
}

/** The flags of a check of several endpoints (`check`, `build --check`). */
export const CHECK_FLAGS = {
  ...PROBE_FLAGS,
  ca: caFlag(" The settings' trust.caFiles count too."),
  deadline: deadlineFlag('Bound for the whole run, in seconds: endpoints not checked by then are reported as deadline-exceeded (without it the run takes at most ceil(endpoints / concurrency) × 4 × --timeout).'),
  concurrency: Flags.integer({description: 'How many endpoints to probe at once (default: 64).', min: 1, max: 1024}),
}

export {checkOptionValues, type ProbeFlagValues} from './option-values.js'

/** `check` and `probe`: the chain details of clean endpoints too in the text output. */
export const VERBOSE_FLAG = Flags.boolean({description: 'Text output: also show the connection facts, the chain with fingerprints and the trust verdicts of endpoints without findings.'})

export const strictFlag = (description = 'Warnings count as errors for the exit status.') => Flags.boolean({description})
