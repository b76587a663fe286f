import * as Args from '@oclif/core/args'
import * as Flags from '@oclif/core/flags'

import type {CheckOptions} from '../core/check/options.js'
import type {CheckResult} from '../core/check/run-check.js'
import {InputError} from '../core/errors.js'
import type {Finding} from '../core/findings.js'
import type {Settings} from '../core/settings/model.js'
import type {Report} from '../render/report.js'
import {COLOR, PLAIN, useColor} from '../render/style.js'
import {appleTrustStoreFlag, readAppleTrustStoreFlag} from './apple-trust-store-flag.js'
import {BaseCommand, isProfile} from './base.js'
import {pushAll} from '../core/arrays.js'

/** Positive seconds, fractions allowed (e.g. 0.5), at most `max`; errors name the flag. */
const seconds = (name: string, max: number) =>
  Flags.custom<number>({
    parse: async (input) => {
      const n = Number(input)
      if (!/^\d+(\.\d+)?$/.test(input.trim()) || !(n > 0) || n > max) throw new InputError(`--${name} "${input}": expected a number of seconds greater than 0 (at most ${max}), e.g. 10 or 2.5`)
      return n
    },
  })

/** The flags `check` and `probe` share (issue #4). */
export const PROBE_FLAGS = {
  ca: Flags.string({description: "A CA certificate file (PEM or DER) to trust as a root besides Apple's store: your private CA. Repeatable. The settings' trust.caFiles count too.", multiple: true, helpValue: 'FILE'}),
  resolve: Flags.string({description: 'Connect to ADDRESS while verifying HOST (curl\'s convention; IPv6 in brackets), to test a server before DNS points at it. Repeatable.', multiple: true, helpValue: 'HOST:PORT:ADDRESS'}),
  at: Flags.string({description: 'Judge certificate validity as of this date (e.g. a rollout date) instead of now: 2026-03-01 or 2026-03-01T09:00:00Z.', helpValue: 'DATE'}),
  'warn-days': Flags.integer({description: 'Warn about certificates that expire within this many days.', default: 30, min: 0}),
  timeout: seconds('timeout', 3600)({description: 'Time limit per phase (connect, greeting, each command, STARTTLS, TLS handshake), in seconds.', default: 10, helpValue: 'SECONDS'}),
  deadline: seconds('deadline', 86_400)({description: 'Bound for the whole run, in seconds: endpoints not checked by then are reported as deadline-exceeded (without it the run takes at most ceil(endpoints / concurrency) × 4 × --timeout).', helpValue: 'SECONDS'}),
  concurrency: Flags.integer({description: 'How many endpoints to probe at once (default: 64).', min: 1, max: 1024}),
  'apple-trust-store': appleTrustStoreFlag,
}

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

/** `check` and `probe`: the chain details of clean endpoints too in the text output. */
export const VERBOSE_FLAG = Flags.boolean({description: 'Text output: also show the connection facts, the chain with fingerprints and the trust verdicts of endpoints without findings.'})

/** Turns the shared flags into CheckOptions; throws InputError for unusable values (exit 2). */
export async function checkOptionsFromFlags(flags: ProbeFlagValues): Promise<CheckOptions> {
  const {parseAt, readCaFile} = await import('../core/check/options.js')
  const {ResolveMap} = await import('../core/check/resolve.js')
  return {
    now: flags.at ? parseAt(flags.at) : new Date(),
    warnDays: flags['warn-days'],
    timeoutSeconds: flags.timeout,
    ...(flags.deadline !== undefined ? {deadlineSeconds: flags.deadline} : {}),
    concurrency: flags.concurrency,
    extraRoots: (flags.ca ?? []).flatMap((f) => readCaFile(f)),
    resolve: ResolveMap.parse(flags.resolve),
    appleStore: await readAppleTrustStoreFlag(flags['apple-trust-store']),
  }
}

/** Per-endpoint text blocks plus the data the JSON document carries. */
export async function checkReportParts(result: CheckResult, options: {verbose?: boolean} = {}): Promise<{sections: string[]; data: Record<string, unknown>}> {
  const {renderCheckSections} = await import('../render/check-text.js')
  const style = useColor(process.stdout) ? COLOR : PLAIN
  return {
    sections: renderCheckSections(result, style, options),
    data: {checkedAt: result.checkedAt, appleTrustStoreVersion: result.appleTrustStoreVersion, ...(result.deadline ? {deadline: result.deadline} : {}), endpoints: result.endpoints},
  }
}

/** Says on stderr which --resolve entries matched no endpoint (a typo would otherwise go unnoticed). */
export function warnUnusedResolve(options: CheckOptions): void {
  for (const e of options.resolve?.unused() ?? []) process.stderr.write(`mailprofile: warning: --resolve ${e.text} matched no endpoint (host and port must both match)\n`)
}

export default class Check extends BaseCommand {
  static override summary = "Probe every IMAP, POP3 and SMTP server in a settings file and check its certificate against Apple's and Microsoft's rules."
  static override description = `Connects to every distinct (host, port, TLS mode) in the settings, concurrently, exactly as a phone would (SNI, STARTTLS where set; no credentials are ever sent), and judges the certificates each server sends against Apple's trust store and rules (HT210176, HT211025): host name in subjectAltName, validity, complete chain as sent, key and signature strength, serverAuth EKU, Certificate Transparency. Also reports whether Node's bundled Mozilla store trusts the chain, TLS versions, STARTTLS and SMTP AUTH availability, and certificates that differ between ports of one host.
Exit status: 0 no error-level findings, 1 error-level findings (or warnings with --strict), 2 usage error or unreadable input.`
  static override examples = [
    '<%= config.bin %> check settings.yaml',
    '<%= config.bin %> check settings.yaml --ca private-root.pem --resolve mail.example.com:993:192.0.2.10',
    '<%= config.bin %> check settings.yaml --at 2026-03-01 --json',
    '<%= config.bin %> check from-the-hoster.mobileconfig',
  ]
  static override args = {
    file: Args.string({description: 'Settings file (YAML or JSON), or a .mobileconfig profile (its mail accounts are checked, trusting the roots it installs).', required: true}),
  }
  static override flags = {
    ...PROBE_FLAGS,
    strict: Flags.boolean({description: 'Warnings (e.g. expires-soon, private-root) count as errors for the exit status.'}),
    verbose: VERBOSE_FLAG,
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Check)
    const format = this.outputFormat(flags)
    const options = await checkOptionsFromFlags(flags)
    const findings: Finding[] = []
    let settings: Settings
    let extraRoots = options.extraRoots
    let roots: Partial<CheckOptions> = {}
    if (isProfile(args.file)) {
      // A profile someone made: its mail payloads' servers, trusting the roots it installs.
      const input = (await import('../core/check/profile-input.js')).profileCheckInput(args.file)
      settings = input.settings
      extraRoots = [...extraRoots, ...input.roots]
      roots = {profileRoots: input.roots, trustInput: 'profile'}
    } else {
      const loaded = (await import('../core/settings/load.js')).loadSettings(args.file)
      pushAll(findings, loaded.findings)
      if (!loaded.settings) {
        const report: Report = {command: 'check', findings, inputErrors: [], data: {file: args.file, endpoints: []}, sections: ['The settings do not pass the schema, so no server was probed. Fix these first (`mailprofile lint` shows the same):\n']}
        this.finish(report, format, {strict: flags.strict})
        return
      }
      settings = loaded.settings
    }
    const {checkSettings} = await import('../core/check/run-check.js')
    const result = await checkSettings(settings, {...options, extraRoots, ...roots})
    warnUnusedResolve(options)
    pushAll(findings, result.findings)
    const parts = await checkReportParts(result, {verbose: flags.verbose})
    this.finish({command: 'check', findings, inputErrors: [], data: {file: args.file, ...parts.data}, sections: parts.sections, groupBy: 'endpoint'}, format, {strict: flags.strict})
  }
}
