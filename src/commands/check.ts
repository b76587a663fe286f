// Render and core modules are imported when the command runs: the command table is loaded on every start.
import * as Args from '@oclif/core/args'
import * as Flags from '@oclif/core/flags'

import type {Report} from '../render/report.js'
import {BaseCommand} from './base.js'
import {CHECK_FLAGS, VERBOSE_FLAG, checkOptionValues} from './options.js'

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
    ...CHECK_FLAGS,
    strict: Flags.boolean({description: 'Warnings (e.g. expires-soon, private-root) count as errors for the exit status.'}),
    verbose: VERBOSE_FLAG,
  }

  protected override emptyData(): Record<string, unknown> {
    return {endpoints: []}
  }

  protected async report(): Promise<Report> {
    const {args, flags} = await this.parse(Check)
    const [{checkFile}, {renderCheckSections}] = await Promise.all([import('../core/app/check.js'), import('../render/check-text.js')])
    const report = await checkFile(args.file, checkOptionValues(flags))
    const result = report.result
    if (!result) {
      return this.reportOf('check', report, {strict: flags.strict, sections: ['The settings do not pass the schema, so no server was probed. Fix these first (`mailprofile lint` shows the same):\n']})
    }
    return this.reportOf('check', report, {strict: flags.strict, groupBy: 'endpoint', sections: (style) => renderCheckSections(result, style, {verbose: flags.verbose})})
  }
}
