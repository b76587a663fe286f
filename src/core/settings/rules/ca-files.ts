import type {Finding, SourceLocation} from '../../findings.js'
import {pushAll} from '../../arrays.js'
import {isIssuedBy, type ParsedCertificate} from '../../x509/certificate.js'
import {certificateName} from '../../x509/names.js'
import {isoDay, validityAt} from '../../x509/validity.js'
import {settingsFinding} from '../codes.js'
import type {Rule, RuleOptions} from './types.js'

export type ValidityProblem = {kind: 'expired'; date: string} | {kind: 'not-yet-valid'; date: string} | {kind: 'expiring'; date: string; days: number}

/** Where `now` falls in a certificate's validity period, against the --warn-days window (x509/validity.ts). */
export function validityProblem(cert: ParsedCertificate, options: Pick<RuleOptions, 'now' | 'warnDays'>): ValidityProblem | undefined {
  const w = validityAt(cert.info, options.now, options.warnDays)
  if (w.status === 'expired') return {kind: 'expired', date: isoDay(w.notAfter)}
  if (w.status === 'not-yet-valid') return {kind: 'not-yet-valid', date: isoDay(w.notBefore)}
  if (w.status === 'expires-soon') return {kind: 'expiring', date: isoDay(w.notAfter), days: w.daysLeft}
  return undefined
}

/**
 * CA files, as the loader read them (src/core/settings/ca-files.ts): its loading findings, then
 * per certificate: a CA rather than a leaf, the root of its chain rather than an intermediate, in
 * date, strong keys, SHA-256, no duplicates.
 */
export const caFileRules: Rule = ({caFiles = [], options}) => {
  const findings: Finding[] = []
  const seen = new Map<string, string>()
  const all = caFiles.flatMap((f) => f.certificates.map((c) => c.parsed))
  for (const file of caFiles) {
    pushAll(findings, file.findings.map(withLintFix))
    for (const {parsed: cert, index, count} of file.certificates) {
      const which = count > 1 ? `CA file "${file.shown}" (certificate ${index + 1} of ${count})` : `CA file "${file.shown}"`
      pushAll(findings, checkCaCertificate(cert, which, file.source, options))
      if (cert.info.isCA && !cert.info.selfSigned && !all.some((other) => other !== cert && isIssuedBy(cert, other))) {
        findings.push(
          settingsFinding('ca-file-not-root', {
            message: `${which} ("${certificateName(cert.info)}") is an intermediate issued by "${cert.info.issuer}", not a self-signed root: devices do not use it as a trust anchor, so servers whose chains end there still show "Cannot Verify Server Identity".`,
            fix: `List the root CA "${cert.info.issuer}" (the self-signed certificate at the top of the chain) in trust.caFiles.`,
            source: file.source,
          }),
        )
      }
      const first = seen.get(cert.info.sha256)
      if (first) {
        findings.push(settingsFinding('ca-file-duplicate', {
          message: `${which} is the same certificate as ${first} (${cert.info.subject}): profiles would carry two identical certificate payloads, which MDMs and devices may refuse.`,
          fix: 'Remove the repeated entry.',
          source: file.source,
        }))
      } else {
        seen.set(cert.info.sha256, which)
      }
    }
  }
  return findings
}

/** lint has always said where CA paths resolve against; the loader's findings carry the registry's fix. */
function withLintFix(f: Finding): Finding {
  if (f.code === 'ca-file-unreadable') return {...f, fix: 'Fix the path (it is relative to the settings file) or the file.'}
  if (f.code === 'ca-file-not-certificate') return {...f, fix: 'Export the CA certificate as PEM or DER (not a key, CSR or PKCS#12 file).'}
  return f
}

/** The checks on one CA certificate. */
export function checkCaCertificate(cert: ParsedCertificate, which: string, source: SourceLocation, options: Pick<RuleOptions, 'now' | 'warnDays'>): Finding[] {
  const findings: Finding[] = []
  const {info} = cert
  const subject = certificateName(info)
  if (!info.isCA) {
    if (info.selfSigned) {
      findings.push(settingsFinding('ca-file-not-ca', {
        message: `${which} ("${subject}") is self-signed but not a CA (no basicConstraints CA:TRUE): devices do not offer it for full trust, so the server still shows "Cannot Verify Server Identity".`,
        fix: 'Create a CA certificate (basicConstraints critical, CA:TRUE), issue the server certificate from it, and list the CA here.',
        source,
      }))
    } else {
      findings.push(settingsFinding('ca-file-leaf', {
        message: `${which} ("${subject}", issued by "${info.issuer}") is a leaf certificate, not a CA${info.dnsNames.length ? ` (it names ${info.dnsNames.slice(0, 3).join(', ')})` : ''}: embedding it does not make the server trusted; devices need the root CA at the top of the chain.`,
        fix: 'List the root CA certificate that issued the server\'s chain instead of the server\'s own certificate.',
        source,
      }))
    }
  }
  const validity = validityProblem(cert, options)
  if (validity?.kind === 'expired' || validity?.kind === 'not-yet-valid') {
    findings.push(settingsFinding('ca-file-expired', {
      message: `${which} ("${subject}") ${validity.kind === 'expired' ? `expired on ${validity.date}` : `is not valid until ${validity.date}`}: certificates it issued are not trusted and iOS shows "Cannot Verify Server Identity".`,
      fix: 'Renew the CA certificate (and re-issue what it signed), then rebuild the profiles.',
      source,
    }))
  } else if (validity?.kind === 'expiring') {
    findings.push(settingsFinding('ca-file-expiring', {
      message: `${which} ("${subject}") expires on ${validity.date}, in ${validity.days} day${validity.days === 1 ? '' : 's'}: after that devices stop trusting the servers it vouches for.`,
      fix: `Renew the CA before ${validity.date} and ship new profiles in time.`,
      source,
    }))
  }
  if ((info.keyType === 'rsa' || info.keyType === 'rsa-pss') && info.keyBits !== undefined && info.keyBits < 2048) {
    findings.push(settingsFinding('ca-file-weak-key', {
      message: `${which} ("${subject}") has a ${info.keyBits}-bit RSA key: Apple platforms and current Windows reject RSA keys under 2048 bits in TLS chains.`,
      fix: 'Create a new CA with an RSA key of 2048 bits or more (or ECDSA P-256) and re-issue the server certificates.',
      source,
    }))
  }
  if (info.signatureHash === 'SHA-1' || info.signatureHash === 'MD5') {
    findings.push(settingsFinding('ca-file-sha1', {
      message: `${which} ("${subject}") is signed with ${info.signatureHash}: Apple and Microsoft no longer trust ${info.signatureHash} signatures in TLS chains${info.selfSigned ? ' (a root\'s self-signature is not checked, but such a CA usually issues ' + info.signatureHash + ' certificates too)' : ''}.`,
      fix: 'Re-issue the CA and its certificates with SHA-256.',
      source,
    }))
  }
  return findings
}
