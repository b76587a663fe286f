/**
 * certificate-differs: one host name serving different server certificates on different ports —
 * usually one daemon (say POP3, or SMTP submission) not reloaded after the certificate was renewed.
 */
import {finding} from '../codes.js'
import type {EndpointRef, Finding} from '../findings.js'
import {colonFingerprint} from './fingerprint.js'
import {normalizeHostName} from './hostname.js'

export interface EndpointCertificate {
  host: string
  port: number
  /** SHA-256 of the leaf the endpoint served (hex, colons optional); absent when the probe got none. */
  leafSha256?: string
  /** The leaf's notAfter (ISO); when given, the newest certificate counts as the intended one. */
  notAfter?: string
  protocol?: string
  security?: string
}

/**
 * One finding per endpoint whose leaf differs from the host's intended certificate: the newest one
 * (latest notAfter) when dates are given, else the one most ports serve (ties: the first listed).
 */
export function compareEndpointCertificates(results: readonly EndpointCertificate[]): Finding[] {
  const byHost = new Map<string, EndpointCertificate[]>()
  for (const r of results) {
    if (!r.leafSha256) continue
    const key = normalizeHostName(r.host)
    const list = byHost.get(key)
    if (list) list.push(r)
    else byHost.set(key, [r])
  }
  const findings: Finding[] = []
  for (const list of byHost.values()) {
    const groups = new Map<string, EndpointCertificate[]>()
    for (const r of list) {
      const fp = colonFingerprint(r.leafSha256!)
      const g = groups.get(fp)
      if (g) g.push(r)
      else groups.set(fp, [r])
    }
    if (groups.size < 2) continue
    const ranked = [...groups.entries()].sort(([, a], [, b]) => {
      const na = a[0]!.notAfter ? Date.parse(a[0]!.notAfter) : NaN
      const nb = b[0]!.notAfter ? Date.parse(b[0]!.notAfter) : NaN
      if (!Number.isNaN(na) && !Number.isNaN(nb) && na !== nb) return nb - na
      if (a.length !== b.length) return b.length - a.length
      return list.indexOf(a[0]!) - list.indexOf(b[0]!)
    })
    const [intendedFp, intended] = ranked[0]!
    const ports = (g: EndpointCertificate[]) => g.map((e) => e.port).join(', ')
    const until = (e: EndpointCertificate) => (e.notAfter ? `, valid until ${e.notAfter.slice(0, 10)}` : '')
    for (const [fp, group] of ranked.slice(1)) {
      for (const e of group) {
        const endpoint: EndpointRef = {host: e.host, port: e.port}
        if (e.protocol) endpoint.protocol = e.protocol
        if (e.security) endpoint.security = e.security
        findings.push(
          finding('certificate-differs', {
            message:
            `${e.host} serves a different certificate on port ${e.port} (SHA-256 ${fp}${until(e)}) than on port${intended.length > 1 ? 's' : ''} ${ports(intended)} (SHA-256 ${intendedFp}${until(intended[0]!)}). ` +
            'Usually the daemon on this port was not reloaded after the certificate was renewed; it will fail when its certificate expires.',
            fix: `Install the same certificate for every service on ${e.host} and reload or restart the daemon listening on port ${e.port}.`,
            endpoint,
          }),
        )
      }
    }
  }
  return findings
}
