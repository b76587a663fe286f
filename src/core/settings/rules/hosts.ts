import type {Finding} from '../../findings.js'
import {settingsFinding} from '../codes.js'
import {analyzeName, describeNameProblem} from '../names.js'
import type {Rule} from './types.js'

/** A mail domain that is itself a mail host name (`mail.example.edu`): using it as the host is normal. */
const MAIL_HOST_LABEL = /^(?:mail|imap|imaps|smtp|pop|pop3|mx|webmail)\d*\./

const USUAL_PREFIX: Record<'incoming' | 'outgoing', string> = {incoming: '`imap.`/`mail.`', outgoing: '`smtp.`/`mail.`'}

/** Server host names and mail domains: syntax (RFC 1123), IDN, IP literals, trailing dots, bare domains. */
export const hostRules: Rule = ({settings, doc}) => {
  const findings: Finding[] = []
  settings.domains.forEach((d, position) => {
    const i = d.index ?? position
    const domain = analyzeName(d.domain)
    if (domain.problem || domain.ip || domain.trailingDot || domain.singleLabel) {
      const why = domain.problem ? describeNameProblem(domain.problem) : domain.ip ? 'it is an IP address' : domain.trailingDot ? 'it ends with a dot' : 'it has no dot'
      findings.push(settingsFinding('domain-invalid', {
        message: `Mail domain "${d.domain}" is not a domain name: ${why}. Addresses in it cannot be matched and the identifiers and DNS records built from it would be wrong.`,
        fix: 'Write the domain exactly as it appears after @ in the addresses, e.g. `example.com`.',
        source: d.source,
      }))
    }
    for (const side of ['incoming', 'outgoing'] as const) {
      const server = d[side]
      if (!server) continue
      const where = `${side} server of ${d.domain}`
      const source = doc.locate(['domains', i, side, 'host'])
      const name = analyzeName(server.host)
      if (name.problem) {
        const p = name.problem
        findings.push(settingsFinding('host-invalid', {
          message: `The ${where}, "${server.host}", is not a valid host name: ${describeNameProblem(p)}. The account could not connect.`,
          fix: p.kind === 'port' ? `Write host: ${p.host} and port: ${p.port}.` : p.kind === 'url' && p.host ? `Write host: ${p.host} (the protocol goes in \`protocol\`, the port in \`port\`).` : 'Write just the host name, e.g. `mail.example.com`.',
          source,
        }))
        continue
      }
      if (name.ip) {
        findings.push(settingsFinding('host-ip-literal', {
          message: `The ${where} is the IP address ${server.host}. Certificates rarely cover IP addresses, so iOS shows "Cannot Verify Server Identity", and the profile breaks when the address changes.`,
          fix: 'Use the DNS name the server\'s certificate is issued for.',
          source,
        }))
        continue
      }
      if (name.trailingDot) {
        findings.push(settingsFinding('host-trailing-dot', {
          message: `The ${where}, "${server.host}", ends with a dot. Some clients compare it literally with the certificate's name (which has none) and report that the name does not match.`,
          fix: `Write host: ${server.host.slice(0, -1)}`,
          source,
        }))
      }
      if (name.idn) {
        findings.push(settingsFinding('host-idn', {
          message: `The ${where}, "${server.host}", is an internationalized name: clients connect to its punycode form ${name.ascii}, which the server's certificate must list.`,
          fix: `Check that the certificate's subjectAltName contains DNS:${name.ascii}.`,
          source,
        }))
      }
      if (name.singleLabel) {
        findings.push(settingsFinding('host-single-label', {
          message: `The ${where}, "${server.host}", has no dot: it resolves only inside one network, and public CAs do not issue certificates for such names. Phones outside that network cannot connect.`,
          fix: `Use the fully qualified name, e.g. ${server.host}.${domain.ascii || d.domain}.`,
          source,
        }))
      } else if (!domain.problem && name.ascii === domain.ascii && !MAIL_HOST_LABEL.test(domain.ascii)) {
        findings.push(settingsFinding('host-bare-domain', {
          message: `The ${where} is the bare mail domain ${server.host}; mail servers usually have their own name (${USUAL_PREFIX[side]}), and the bare domain often points at the web site, whose certificate may not be valid for mail.`,
          fix: `Make sure ${server.host} runs the ${side === 'incoming' ? server.protocol.toUpperCase() : 'SMTP'} service with a certificate for that name, or use the mail host's name.`,
          source,
        }))
      }
    }
  })
  return findings
}
