import * as Args from '@oclif/core/args'
import * as Flags from '@oclif/core/flags'

import {InputError} from '../core/errors.js'
import type {DoctorOptions} from '../core/doctor/run-doctor.js'
import type {Finding} from '../core/findings.js'
import type {Settings} from '../core/settings/model.js'
import type {Report} from '../render/report.js'
import {BaseCommand} from './base.js'
import {appleTrustStoreFlag} from './options.js'
import {pushAll} from '../core/arrays.js'

const CLIENTS = ['outlook', 'thunderbird', 'apple', 'srv']

const seconds = Flags.custom<number>({
  parse: async (input) => {
    const n = Number(input)
    if (!/^\d+(\.\d+)?$/.test(input.trim()) || !(n > 0) || n > 600) throw new InputError(`--timeout "${input}": expected a number of seconds greater than 0 (at most 600), e.g. 10 or 2.5`)
    return n
  },
})

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
    client: Flags.string({description: 'Clients to follow, comma-separated.', default: CLIENTS.join(','), helpValue: 'outlook,thunderbird,apple,srv'}),
    dns: Flags.string({description: 'Ask this DNS server instead of the system resolver.', helpValue: 'SERVER[:PORT]'}),
    'connect-to': Flags.string({description: "Connect to ADDR:PORT when a client would connect to HOST:PORT (curl's convention; SNI and certificate checks keep HOST; an empty HOST matches every host). Repeatable.", multiple: true, helpValue: 'HOST:PORT:ADDR:PORT'}),
    timeout: seconds({description: 'Time limit per step (each HTTP request, DNS query, connection phase), in seconds.', default: 10, helpValue: 'SECONDS'}),
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
    const format = this.outputFormat()
    const clients = flags.client.split(',').map((c) => c.trim().toLowerCase()).filter(Boolean)
    const unknown = clients.filter((c) => !CLIENTS.includes(c))
    if (unknown.length > 0 || clients.length === 0) throw new InputError(`--client: "${unknown.join(',') || flags.client}" is not one of ${CLIENTS.join(', ')}`)
    if (!flags.domains && !args.address) throw new InputError('give an ADDRESS (e.g. alice@example.com) or --domains FILE')
    if (flags.domains && args.address) throw new InputError('give either an ADDRESS or --domains FILE, not both')
    if (flags['profile-url'] && !/^https?:\/\//i.test(flags['profile-url'])) throw new InputError(`--profile-url "${flags['profile-url']}": expected an http:// or https:// URL`)
    const {parseAt, readCaFile} = await import('../core/check/options.js')
    const {readAppleTrustStore} = await import('../core/app/check-options.js')
    const {ConnectToMap} = await import('../core/doctor/connect-to.js')
    const {parseDnsServer} = await import('../core/doctor/dns.js')
    let ispdb: string | false = false
    if (!flags['no-ispdb']) {
      try {
        ispdb = new URL(flags.ispdb.endsWith('/') ? flags.ispdb : `${flags.ispdb}/`).href
      } catch {
        throw new InputError(`--ispdb "${flags.ispdb}": expected a URL`)
      }
    }
    const findings: Finding[] = []
    let settings: Settings | undefined
    if (args.settings) {
      const loaded = (await import('../core/settings/load.js')).loadSettings(args.settings)
      pushAll(findings, loaded.findings.filter((f) => f.severity === 'error'))
      if (!loaded.settings) throw new InputError('the settings do not pass the schema; run `mailprofile lint` on them first', {file: args.settings})
      settings = loaded.settings
    }
    const options: DoctorOptions = {
      clients: clients as Array<'outlook' | 'thunderbird' | 'apple' | 'srv'>,
      dnsServer: flags.dns ? parseDnsServer(flags.dns) : undefined,
      connectTo: ConnectToMap.parse(flags['connect-to']),
      timeoutSeconds: flags.timeout,
      now: flags.at ? parseAt(flags.at) : new Date(),
      warnDays: flags['warn-days'],
      extraRoots: (flags.ca ?? []).flatMap((f) => readCaFile(f)),
      appleStore: flags['apple-trust-store'] ? await readAppleTrustStore(flags['apple-trust-store']) : undefined,
      ispdb,
      profileUrl: flags['profile-url'],
      settings,
    }
    const render = await import('../render/doctor-text.js')
    if (flags.domains) {
      const many = await import('../core/doctor/many.js')
      const inputs = many.readDomainsFile(flags.domains)
      const result = await many.runMany(inputs, {...options, probeServers: flags.probe === true}, flags.concurrency)
      const all = result.domains.flatMap((d) => d.findings.map((f) => ({...f, message: `${d.input}: ${f.message}`})))
      const data = {summary: result.summary, domains: result.domains.map(({findings: _f, ...rest}) => rest)}
      pushAll(findings, all)
      return {command: 'doctor', findings, inputErrors: [], data, sections: (style) => render.renderManySections(result, style), summary: format !== 'text', strict: flags.strict}
    }
    const {runDoctor} = await import('../core/doctor/run-doctor.js')
    const result = await runDoctor(args.address!, {...options, probeServers: !flags['no-probe']})
    pushAll(findings, result.findings)
    const data = {address: result.address, domain: result.domain, dnsServer: result.dnsServer, durationMs: result.durationMs, clients: result.clients, endpoints: result.endpoints}
    return {command: 'doctor', findings, inputErrors: [], data, sections: (style) => render.renderDoctorSections(result, style), strict: flags.strict}
  }
}
