import * as Args from '@oclif/core/args'
import * as Flags from '@oclif/core/flags'

import type {Report} from '../render/report.js'
import {BaseCommand} from './base.js'
import {PROBE_FLAGS, VERBOSE_FLAG} from './options.js'
import {probeEmptyData, probeReport} from './probe-report.js'

export default class Probe extends BaseCommand {
  static override summary = 'Probe one IMAP, POP3 or SMTP server and check its certificate the way an iPhone would, without a settings file.'
  static override description = `Connects (SNI, STARTTLS when --security starttls; never any credentials), shows the TLS version and cipher, the certificate chain exactly as the server sent it with SHA-256 fingerprints, Apple's and Mozilla's trust verdicts, and in plain words what iPhone, iPad and Mac Mail would show and what to change.
The port defaults per RFC 8314: IMAP 993 (ssl) / 143 (starttls), POP3 995 / 110, SMTP 465 / 587. Given one of those ports (or 25), --protocol and --security default to what the port stands for.
Exit status: 0 no error-level findings, 1 error-level findings (or warnings with --strict), 2 usage error or unreadable input.`
  static override examples = [
    '<%= config.bin %> probe mail.example.com:993',
    '<%= config.bin %> probe mail.example.com --protocol imap',
    '<%= config.bin %> probe smtp.example.com --protocol smtp --security starttls',
    '<%= config.bin %> probe mail.example.com:993 --protocol imap --resolve mail.example.com:993:192.0.2.10 --ca private-root.pem',
    '<%= config.bin %> probe [2001:db8::25]:465 --protocol smtp --json',
  ]
  static override args = {
    target: Args.string({description: 'HOST or HOST:PORT (IPv6 in brackets: [2001:db8::1]:993).', required: true}),
  }
  static override flags = {
    protocol: Flags.string({char: 'p', description: 'Mail protocol (default: the one a well-known port stands for, e.g. imap for 993 and 143).', options: ['imap', 'pop3', 'smtp']}),
    security: Flags.string({
      char: 's',
      description: 'ssl: implicit TLS from the first byte; starttls: plaintext greeting, then STARTTLS (default: what a well-known port stands for, else ssl).',
      options: ['ssl', 'starttls'],
    }),
    ...PROBE_FLAGS,
    strict: Flags.boolean({description: 'Warnings (e.g. expires-soon, private-root) count as errors for the exit status.'}),
    verbose: VERBOSE_FLAG,
  }

  protected override emptyData(): Record<string, unknown> {
    return probeEmptyData()
  }

  protected async report(): Promise<Report> {
    const {args, flags} = await this.parse(Probe)
    return probeReport(args.target, flags)
  }
}
