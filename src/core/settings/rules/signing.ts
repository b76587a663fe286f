import type {Finding, SourceLocation} from '../../findings.js'
import {settingsFinding} from '../codes.js'
import {isIssuedBy, type ParsedCertificate} from '../../x509/certificate.js'
import {certificateName} from '../../x509/names.js'
import {validityProblem} from './ca-files.js'
import type {Rule, RuleContext} from './types.js'

/**
 * The signing identity, as the loader read it (src/core/settings/signing-identity.ts, the one
 * loader lint and build share): its loading findings (complete and unambiguous, files readable,
 * certificate and key matching, a usable passphrase), then the certificate's dates and its chain
 * up to the issuer. The passphrase is never put in a finding.
 */
export const signingRules: Rule = (ctx) => {
  const loaded = ctx.signing
  if (!ctx.settings.signing || !loaded) return []
  const findings: Finding[] = [...loaded.findings]
  if (loaded.certificate) checkIdentity(ctx, {cert: loaded.certificate, chain: loaded.chain, certSource: loaded.certSource, chainSource: loaded.chainSource}, findings)
  return findings
}

function checkIdentity(ctx: RuleContext, id: {cert: ParsedCertificate; chain: ParsedCertificate[]; certSource: SourceLocation; chainSource: SourceLocation}, findings: Finding[]): void {
  const {info} = id.cert
  const subject = certificateName(info)
  const validity = validityProblem(id.cert, ctx.options)
  if (validity?.kind === 'expired' || validity?.kind === 'not-yet-valid') {
    findings.push(settingsFinding('signing-expired', {
      message: `The signing certificate ("${subject}") ${validity.kind === 'expired' ? `expired on ${validity.date}` : `is not valid until ${validity.date}`}: profiles signed with it show as "Not Verified" and MDMs may refuse them.`,
      fix: 'Renew the signing certificate.',
      source: id.certSource,
    }))
  } else if (validity?.kind === 'expiring') {
    findings.push(settingsFinding('signing-expiring', {
      message: `The signing certificate ("${subject}") expires on ${validity.date}, in ${validity.days} day${validity.days === 1 ? '' : 's'}: profiles signed after that show as "Not Verified".`,
      fix: `Renew the signing certificate before ${validity.date}.`,
      source: id.certSource,
    }))
  }
  if (info.selfSigned) return
  if (!id.chain.some((c) => isIssuedBy(id.cert, c))) {
    findings.push(settingsFinding('signing-chain-missing', {
      message: id.chain.length === 0
        ? `The signing certificate ("${subject}") is issued by "${info.issuer}" but no chain is given: devices cannot link the signature to a trusted root and show the profile as "Not Verified".`
        : `The signing chain does not contain the issuer of the signing certificate ("${info.issuer}"): devices cannot link the signature to a trusted root and show the profile as "Not Verified".`,
      fix: 'List the issuing CA and any intermediates in `chain`, starting with the certificate that issued the signing certificate.',
      source: id.chainSource,
    }))
  }
}
