import * as Args from '@oclif/core/args'
import * as Flags from '@oclif/core/flags'

import {DEFAULT_DEADLINE_SECONDS} from '../core/doctor/deadline.js'
import {DOCTOR_CLIENTS} from '../core/doctor/model.js'
import type {Report} from '../render/report.js'
import {BaseCommand} from './base.js'
import {appleTrustStoreFlag, seconds} from './options.js'

export default class Doctor extends BaseCommand {
  static override summary = 'Follow what Outlook, Thunderbird, iPhones and SRV-reading clients discover for an address, and check it.'
  static override description = `Follows each client's documented discovery order from the outside (Thunderbird: autoconfig over HTTPS and HTTP, the ISPDB, the MX route, the guess; Outlook: Autodiscover JSON v2, POX on the domain and on autodiscover., the HTTP redirect, SRV; RFC 6186 SRV records; Apple Mail: MX, host names, a profile URL), judges every HTTPS certificate as the client does, parses every configuration found, compares it with SETTINGS when given, and probes the servers it names. Never sends a password or any credential.
Exit status: 0 no error-level findings, 1 error-level findings (or warnings with --strict), 2 usage error or unreadable input.`
  static override examples = [
    '<%= config.bin %> doctor alice@example.com',
    '<%= config.bin %> doctor alice@example.com mail.yaml --client outlook,thunderbird',
    '<%= config.bin %> doctor alice@example.com --dns 127.0.0.1:5353 --connect-to :443:127.0.0.1:8443 --no-ispdb',
    '<%= config.bin %> doctor --domains customers.txt --json',
  ]
  static override args = {
    address: Args.string({description: 'The e-mail address (a domain alone stands for postmaster@domain). Not with --domains.'}),
    settings: Args.string({description: 'Settings file (YAML or JSON) to compare what clients find with (drift).'}),
  }
  static override flags = {
    client: Flags.string({description: 'Clients to follow, comma-separated.', default: DOCTOR_CLIENTS.join(','), helpValue: 'outlook,thunderbird,apple,srv'}),
    dns: Flags.string({description: 'Ask this DNS server instead of the system resolver.', helpValue: 'SERVER[:PORT]'}),
    'connect-to': Flags.string({description: "Connect to ADDR:PORT when a client would connect to HOST:PORT (curl's convention; SNI and certificate checks keep HOST; an empty HOST matches every host). Repeatable.", multiple: true, helpValue: 'HOST:PORT:ADDR:PORT'}),
    timeout: seconds('timeout', 600)({description: 'Time limit per step (each HTTP request, DNS query, connection phase), in seconds.', default: 10, helpValue: 'SECONDS'}),
    deadline: seconds('deadline', 3600)({description: "Bound for everything one address does (every client's steps and the server probes), in seconds: steps still running then are cut and reported (discovery-deadline-exceeded).", default: DEFAULT_DEADLINE_SECONDS, helpValue: 'SECONDS'}),
    ispdb: Flags.string({description: "Thunderbird's ISPDB base URL.", default: 'https://autoconfig.thunderbird.net/v1.1/', helpValue: 'URL'}),
    'no-ispdb': Flags.boolean({description: 'Do not ask the ISPDB (offline runs, tests).'}),
    'profile-url': Flags.string({description: 'URL of the profile users install on iPhones and Macs: downloaded and inspected.', helpValue: 'URL'}),
    'no-probe': Flags.boolean({description: 'Do not probe the IMAP/POP3/SMTP servers the configurations name.'}),
    domains: Flags.string({description: 'A file with one address or domain per line: run all (without server probes unless --probe), one line each plus a summary.', helpValue: 'FILE'}),
    probe: Flags.boolean({description: 'With --domains: probe the servers too.'}),
    concurrency: Flags.integer({description: 'With --domains: how many domains at once.', default: 32, min: 1, max: 512}),
    ca: Flags.string({description: 'A CA certificate file (PEM or DER) to trust as a root besides Apple\'s store. Repeatable.', multiple: true, helpValue: 'FILE'}),
    at: Flags.string({description: 'Judge certificate validity as of this date instead of now.', helpValue: 'DATE'}),
    'warn-days': Flags.integer({description: 'Warn about certificates that expire within this many days.', default: 30, min: 0}),
    strict: Flags.boolean({description: 'Warnings count as errors for the exit status.'}),
    'apple-trust-store': appleTrustStoreFlag,
  }

  protected override emptyData(): Record<string, unknown> {
    return {endpoints: []}
  }

  protected async report(): Promise<Report> {
    const {args, flags} = await this.parse(Doctor)
    const [{doctor}, render] = await Promise.all([import('../core/app/doctor.js'), import('../render/doctor-text.js')])
    const report = await doctor({
      address: args.address,
      settings: args.settings,
      client: flags.client,
      dns: flags.dns,
      connectTo: flags['connect-to'],
      timeoutSeconds: flags.timeout,
      deadlineSeconds: flags.deadline,
      ispdb: flags.ispdb,
      noIspdb: flags['no-ispdb'],
      profileUrl: flags['profile-url'],
      noProbe: flags['no-probe'],
      domains: flags.domains,
      probe: flags.probe,
      concurrency: flags.concurrency,
      ca: flags.ca,
      at: flags.at,
      warnDays: flags['warn-days'],
      appleTrustStore: flags['apple-trust-store'],
    })
    if (report.kind === 'domains') {
      const many = report.many
      return this.reportOf('doctor', report, {sections: (style) => render.renderManySections(many, style), summary: this.outputFormat() !== 'text', strict: flags.strict})
    }
    const result = report.result
    return this.reportOf('doctor', report, {sections: (style) => render.renderDoctorSections(result, style), strict: flags.strict})
  }
}
