import * as Args from '@oclif/core/args'
import * as Flags from '@oclif/core/flags'

import {InputError} from '../core/errors.js'
import {connectHost} from '../core/mail/host.js'
import {defaultPort, serviceOfPort, type Protocol} from '../core/mail/protocol.js'
import {BaseCommand} from './base.js'
import {PROBE_FLAGS, VERBOSE_FLAG, checkOptionsFromFlags, checkReportParts, warnUnusedResolve} from './check.js'

/** HOST, HOST:PORT, [IPv6], [IPv6]:PORT or a bare IPv6 address. */
export function parseHostPort(text: string): {host: string; port?: number} {
  const t = text.trim()
  let host: string
  let portText: string | undefined
  const bracket = /^\[([^\]]+)\](?::(.*))?$/.exec(t)
  if (bracket) {
    host = bracket[1]!
    portText = bracket[2]
  } else if ((t.match(/:/g) ?? []).length > 1) {
    host = t // a bare IPv6 address: no port
  } else {
    const i = t.indexOf(':')
    host = i < 0 ? t : t.slice(0, i)
    portText = i < 0 ? undefined : t.slice(i + 1)
  }
  if (!host || /[\s/]/.test(host)) throw new InputError(`"${text}": expected HOST or HOST:PORT, e.g. mail.example.com:993 or [2001:db8::1]:993`)
  if (portText === undefined) return {host}
  const port = Number(portText)
  if (!/^\d{1,5}$/.test(portText) || port < 1 || port > 65_535) throw new InputError(`"${text}": the port must be a number from 1 to 65535`)
  return {host, port}
}

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

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Probe)
    const format = this.outputFormat(flags)
    const {host, port} = parseHostPort(args.target)
    const known = port === undefined ? undefined : serviceOfPort(port)
    const protocol = (flags.protocol as Protocol | undefined) ?? known?.protocol
    if (!protocol) throw new InputError(`--protocol imap|pop3|smtp is required${port === undefined ? '' : ` for port ${port}`} (it can be left out only for a well-known mail port: 993, 143, 995, 110, 465, 587, 25)`)
    const security = (flags.security as 'ssl' | 'starttls' | undefined) ?? (known?.protocol === protocol ? known.security : 'ssl')
    const options = await checkOptionsFromFlags(flags)
    const {runCheck} = await import('../core/check/run-check.js')
    const result = await runCheck([{target: {host: connectHost(host), port: port ?? defaultPort(protocol, security), protocol, security}, settingsSources: []}], {...options, trustInput: 'probe'})
    warnUnusedResolve(options)
    const parts = await checkReportParts(result, {verbose: flags.verbose})
    this.finish({command: 'probe', findings: result.findings, inputErrors: [], data: parts.data, sections: parts.sections, groupBy: 'endpoint'}, format, {strict: flags.strict})
  }
}
