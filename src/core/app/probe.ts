/** `probe HOST[:PORT]`: one server, without a settings file; a well-known port sets protocol and TLS mode. */
import type {CheckResult} from '../check/run-check.js'
import {InputError} from '../errors.js'
import type {CoreReport} from '../report.js'
import {connectHost} from '../mail/host.js'
import {defaultPort, serviceOfPort, type Protocol} from '../mail/protocol.js'
import {checkData, type CheckData} from './check.js'
import {checkOptionsFrom, unusedResolveNotices, type CheckOptionValues} from './check-options.js'

export interface ProbeValues extends Omit<CheckOptionValues, 'concurrency'> {
  protocol?: Protocol
  security?: 'ssl' | 'starttls'
}

export type ProbeReport = CoreReport<CheckData> & {result: CheckResult}

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

export async function probeTarget(target: string, values: ProbeValues): Promise<ProbeReport> {
  const {host, port} = parseHostPort(target)
  const known = port === undefined ? undefined : serviceOfPort(port)
  const protocol = values.protocol ?? known?.protocol
  if (!protocol) throw new InputError(`--protocol imap|pop3|smtp is required${port === undefined ? '' : ` for port ${port}`} (it can be left out only for a well-known mail port: 993, 143, 995, 110, 465, 587, 25)`)
  const security = values.security ?? (known?.protocol === protocol ? known.security : 'ssl')
  const options = await checkOptionsFrom(values)
  const {runCheck} = await import('../check/run-check.js')
  const result = await runCheck([{target: {host: connectHost(host), port: port ?? defaultPort(protocol, security), protocol, security}, settingsSources: []}], {...options, trustInput: 'probe'})
  return {findings: result.findings, inputErrors: [], result, notices: unusedResolveNotices(options), data: checkData(result)}
}
