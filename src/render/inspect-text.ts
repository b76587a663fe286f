/**
 * The human summary `inspect` prints before the findings: the signature as the install screen
 * would show it, then the profile and its payloads. Returns text; the command prints it.
 */
import type {InspectResult} from '../core/inspect/index.js'

const day = (iso: string) => iso.slice(0, 10)

export function describeInspection(r: Omit<InspectResult, 'findings'>): string {
  const lines: string[] = [r.file]
  const s = r.signature
  if (!r.signed) {
    lines.push('  Signature: none — the install screen shows "Unverified"')
  } else if (s) {
    const status = s.status === 'Invalid' ? 'INVALID — devices refuse to install it' : `the install screen shows "${s.status}"`
    lines.push(`  Signature: ${status}`)
    if (s.signer) lines.push(`    Signed by  ${s.signer.subject}`, `    Issued by  ${s.signer.issuer}`, `    Valid      ${day(s.signer.notBefore)} to ${day(s.signer.notAfter)}${s.expired ? ' (out of date)' : ''}`)
    else lines.push("    Signer     (certificate not in the profile)")
    lines.push(`    Algorithm  ${s.digestAlgorithm} with ${s.signatureAlgorithm}${s.signingTime ? `, signed ${s.signingTime}` : ''}`)
    const anchor = s.anchor ? `, ends at "${s.anchor.name}" (${s.anchor.source === 'apple' ? `Apple trust store ${s.trustStoreVersion ?? ''}`.trim() : '--trust'})` : ''
    lines.push(`    Chain      ${s.chain.length} certificate${s.chain.length === 1 ? '' : 's'} in the profile${anchor}; ${s.chainVerified ? 'trusted' : 'not trusted'}`)
  }
  const p = r.profile
  if (!p && r.format === 'binary') lines.push('  Payloads: not read (binary property list variant not supported)')
  if (p) {
    lines.push(`  Profile: "${p.PayloadDisplayName ?? '(no name)'}" ${p.PayloadIdentifier ?? '(no identifier)'}${p.PayloadOrganization ? `, ${p.PayloadOrganization}` : ''}${p.encrypted ? ', payloads encrypted' : ''}`)
    lines.push(`    UUID ${p.PayloadUUID ?? '(none)'}${p.PayloadRemovalDisallowed ? ', removal disallowed' : ''}`)
    lines.push(`  Payloads (${r.payloads.length}):`)
    for (const x of r.payloads) {
      lines.push(`    [${x.index}] ${x.PayloadType ?? '(no type)'}  "${x.PayloadDisplayName ?? ''}"  ${x.PayloadIdentifier ?? '(no identifier)'}  ${x.PayloadUUID ?? '(no UUID)'}`)
      if (x.details) lines.push(`        ${x.details}`)
    }
  }
  return lines.join('\n') + '\n'
}
