import * as Args from '@oclif/core/args'
import * as Flags from '@oclif/core/flags'

import type {Report} from '../render/report.js'
import {BaseCommand} from './base.js'

export default class Init extends BaseCommand {
  static override summary = 'Write a first settings file for a mail domain, ready for lint, check and build.'
  static override description = `Writes a commented settings file for one domain: IMAP (or POP3) and SMTP submission on implicit TLS (RFC 8314: 993/995 and 465) unless --security starttls, users logging in with their full address. It lints clean as written; edit the host names, then run check against the live servers.
Never overwrites a file unless --force. Exit status: 0 written, 2 usage error or an existing file.`
  static override examples = [
    '<%= config.bin %> init example.com',
    '<%= config.bin %> init example.com --incoming-host mail.example.com --outgoing-host mail.example.com --out mail/mailprofile.yaml',
    '<%= config.bin %> init example.org --protocol pop3 --security starttls --organization "Example Architects"',
  ]
  static override args = {
    domain: Args.string({description: 'The mail domain (the part of the addresses after the @).', required: true}),
  }
  static override flags = {
    out: Flags.string({char: 'o', description: 'Where to write the settings file.', default: 'mailprofile.yaml'}),
    force: Flags.boolean({description: 'Overwrite the file if it exists.'}),
    organization: Flags.string({description: 'Organization name shown in the profile (default: the domain).'}),
    identifier: Flags.string({description: 'Reverse-DNS identifier base (default: the domain reversed, e.g. com.example.mail).'}),
    protocol: Flags.string({description: 'Incoming protocol.', options: ['imap', 'pop3'], default: 'imap'}),
    security: Flags.string({description: 'ssl: implicit TLS (993/995, 465); starttls: 143/110, 587.', options: ['ssl', 'starttls'], default: 'ssl'}),
    'incoming-host': Flags.string({description: 'Incoming server host name (default: imap.DOMAIN or pop.DOMAIN).'}),
    'outgoing-host': Flags.string({description: 'Outgoing (SMTP submission) server host name (default: smtp.DOMAIN).'}),
  }

  protected async report(): Promise<Report> {
    const {args, flags} = await this.parse(Init)
    const {initSettingsFile} = await import('../core/app/init.js')
    const report = await initSettingsFile({
      domain: args.domain,
      out: flags.out,
      force: flags.force,
      organization: flags.organization,
      identifier: flags.identifier,
      protocol: flags.protocol as 'imap' | 'pop3',
      security: flags.security as 'ssl' | 'starttls',
      incomingHost: flags['incoming-host'],
      outgoingHost: flags['outgoing-host'],
    })
    const next = `Wrote ${flags.out}. Next: check the host names in it, then\n  mailprofile lint ${flags.out}\n  mailprofile check ${flags.out}\n  mailprofile build ${flags.out} --out out\n`
    return this.reportOf('init', report, {sections: [next], summary: false})
  }
}
