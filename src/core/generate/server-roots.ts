/**
 * `build --embed-server-root`: when a server's chain, as it sends it, ends at a self-signed
 * (private) root whose SHA-256 matches a pin (the settings' trust.pins or --pin), that root is
 * embedded in the profiles as a certificate payload, so devices trust the server without the admin
 * exporting the CA by hand. A root that matches no pin is never embedded: embedding whatever a
 * server (or something in between) presents would install an attacker's CA on every device.
 */
import type {SettingsProbe} from '../check/run-check.js'
import {finding} from '../codes.js'
import type {Finding} from '../findings.js'
import {hostPort} from '../mail/host.js'
import type {Settings} from '../settings/model.js'
import {fingerprintHex, normalizePins} from '../x509/fingerprint.js'
import {certificateName} from '../x509/names.js'
import {parseCertificate} from '../x509/certificate.js'

export interface ServerRoot {
  der: Buffer
  name: string
  /** SHA-256, upper-case hex with colons. */
  sha256: string
  /** host:port of the servers that send it. */
  endpoints: string[]
}

export interface ServerRootsResult {
  roots: ServerRoot[]
  findings: Finding[]
}

/**
 * The pinned private roots the servers' chains end at, from the check's own probe of the settings
 * (src/core/check/run-check.ts probeSettings): no server is connected to a second time.
 */
export function pinnedServerRoots(settings: Settings, probed: SettingsProbe, extraPins: readonly string[] = []): ServerRootsResult {
  const pins = normalizePins([...settings.trust.pins.map((p) => p.value), ...extraPins])
  const {endpoints, evidence} = probed
  const roots = new Map<string, ServerRoot>()
  const findings: Finding[] = []
  let unpinned = 0
  evidence.forEach((ev, i) => {
    const last = ev.chain[ev.chain.length - 1]
    if (!last) return
    let parsed
    try {
      parsed = parseCertificate(last)
    } catch {
      return
    }
    if (!parsed.info.selfSigned) return
    const where = hostPort(ev.target.host, ev.target.port)
    const hex = fingerprintHex(parsed.info)
    const name = certificateName(parsed.info)
    if (!pins.has(hex)) {
      unpinned += 1
      findings.push(
        finding('server-root-not-pinned', {
          message: `${where} sends the self-signed root "${name}" (SHA-256 ${parsed.info.sha256}), which matches no pin, so it was not embedded.`,
        fix: 'If this is your CA (compare the fingerprint out of band), add it to trust.pins or pass --pin; better, list the CA file in trust.caFiles.',
        endpoint: {host: ev.target.host, port: ev.target.port, protocol: ev.target.protocol, security: ev.target.security},
          source: endpoints[i]!.settingsSources[0]?.source,
        }),
      )
      return
    }
    const known = roots.get(hex)
    if (known) known.endpoints.push(where)
    else roots.set(hex, {der: last, name, sha256: parsed.info.sha256, endpoints: [where]})
  })
  // A server that sent an unpinned root already has its finding (server-root-not-pinned); this one
  // is for servers that sent no root at all.
  if (roots.size === 0 && unpinned === 0) {
    findings.push(
      finding('server-root-not-embedded', {
        message: '--embed-server-root found no private root at the end of the servers\' chains (none of them sends its root certificate), so none was embedded.',
        fix: 'List the CA file in trust.caFiles instead, or configure the server to send its full chain including the root.',
        source: {file: settings.file},
      }),
    )
  }
  return {roots: [...roots.values()].sort((a, b) => (a.sha256 < b.sha256 ? -1 : 1)), findings}
}
