import {resolve} from 'node:path'

import type {Finding, SourceLocation} from '../../findings.js'
import {parseCertificate, type ParsedCertificate} from '../../x509/certificate.js'
import {certificateName} from '../../x509/names.js'
import {certificatesFromBytes} from '../../x509/pem.js'
import {isoDay, validityAt} from '../../x509/validity.js'
import {displayPath} from '../load.js'
import {readNamedFile} from '../source.js'
import type {Rule, RuleOptions} from './types.js'
import {pushAll} from '../../arrays.js'

export type ValidityProblem = {kind: 'expired'; date: string} | {kind: 'not-yet-valid'; date: string} | {kind: 'expiring'; date: string; days: number}

/** Where `now` falls in a certificate's validity period, against the --warn-days window (x509/validity.ts). */
export function validityProblem(cert: ParsedCertificate, options: Pick<RuleOptions, 'now' | 'warnDays'>): ValidityProblem | undefined {
  const w = validityAt(cert.info, options.now, options.warnDays)
  if (w.status === 'expired') return {kind: 'expired', date: isoDay(w.notAfter)}
  if (w.status === 'not-yet-valid') return {kind: 'not-yet-valid', date: isoDay(w.notBefore)}
  if (w.status === 'expires-soon') return {kind: 'expiring', date: isoDay(w.notAfter), days: w.daysLeft}
  return undefined
}

/** What the file holds instead of a certificate, for the message. */
export function describeNonCertificate(bytes: Buffer): string {
  const text = bytes.toString('latin1')
  if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(text)) return 'it holds a private key, not a certificate'
  if (text.includes('-----BEGIN CERTIFICATE REQUEST-----')) return 'it holds a certificate signing request (CSR), not a certificate'
  if (text.includes('-----BEGIN CERTIFICATE-----')) return 'its PEM certificate block is damaged'
  if (bytes[0] === 0x30) return 'it is DER data but not a certificate (a PKCS#12 or key file?)'
  return 'it is neither PEM (-----BEGIN CERTIFICATE-----) nor DER'
}

/** CA files: readable, certificates, CAs rather than leaves, in date, strong keys, SHA-256, no duplicates. */
export const caFileRules: Rule = ({settings, options}) => {
  const findings: Finding[] = []
  const seen = new Map<string, string>()
  for (const {path, source} of settings.trust.caFiles) {
    const shown = displayPath(settings.file, path)
    const read = readNamedFile(resolve(settings.baseDir, path), 'CA certificate file')
    if ('problem' in read) {
      findings.push({
        code: 'ca-file-unreadable',
        severity: 'error',
        message: `CA file "${shown}" cannot be read: ${read.problem}. It cannot be embedded in profiles, and check cannot trust it.`,
        fix: 'Fix the path (it is relative to the settings file) or the file.',
        source,
      })
      continue
    }
    const ders = certificatesFromBytes(read.bytes)
    if (ders.length === 0) {
      findings.push(notCertificate(shown, describeNonCertificate(read.bytes), source))
      continue
    }
    ders.forEach((der, index) => {
      const which = ders.length > 1 ? `CA file "${shown}" (certificate ${index + 1} of ${ders.length})` : `CA file "${shown}"`
      let cert: ParsedCertificate
      try {
        cert = parseCertificate(der)
      } catch (error) {
        findings.push(notCertificate(shown, `the certificate cannot be parsed (${(error as Error).message})`, source))
        return
      }
      pushAll(findings, checkCaCertificate(cert, which, source, options))
      const first = seen.get(cert.info.sha256)
      if (first) {
        findings.push({
          code: 'ca-file-duplicate',
          severity: 'warning',
          message: `${which} is the same certificate as ${first} (${cert.info.subject}): profiles would carry two identical certificate payloads, which MDMs and devices may refuse.`,
          fix: 'Remove the repeated entry.',
          source,
        })
      } else {
        seen.set(cert.info.sha256, which)
      }
    })
  }
  return findings
}

function notCertificate(shown: string, why: string, source: SourceLocation): Finding {
  return {
    code: 'ca-file-not-certificate',
    severity: 'error',
    message: `CA file "${shown}" holds no usable certificate: ${why}. Nothing would be embedded in the profiles.`,
    fix: 'Export the CA certificate as PEM or DER (not a key, CSR or PKCS#12 file).',
    source,
  }
}

/** The checks on one CA certificate. */
export function checkCaCertificate(cert: ParsedCertificate, which: string, source: SourceLocation, options: Pick<RuleOptions, 'now' | 'warnDays'>): Finding[] {
  const findings: Finding[] = []
  const {info} = cert
  const subject = certificateName(info)
  if (!info.isCA) {
    if (info.selfSigned) {
      findings.push({
        code: 'ca-file-not-ca',
        severity: 'error',
        message: `${which} ("${subject}") is self-signed but not a CA (no basicConstraints CA:TRUE): devices do not offer it for full trust, so the server still shows "Cannot Verify Server Identity".`,
        fix: 'Create a CA certificate (basicConstraints critical, CA:TRUE), issue the server certificate from it, and list the CA here.',
        source,
      })
    } else {
      findings.push({
        code: 'ca-file-leaf',
        severity: 'error',
        message: `${which} ("${subject}", issued by "${info.issuer}") is a leaf certificate, not a CA${info.dnsNames.length ? ` (it names ${info.dnsNames.slice(0, 3).join(', ')})` : ''}: embedding it does not make the server trusted; devices need the root CA at the top of the chain.`,
        fix: 'List the root CA certificate that issued the server\'s chain instead of the server\'s own certificate.',
        source,
      })
    }
  }
  const validity = validityProblem(cert, options)
  if (validity?.kind === 'expired' || validity?.kind === 'not-yet-valid') {
    findings.push({
      code: 'ca-file-expired',
      severity: 'error',
      message: `${which} ("${subject}") ${validity.kind === 'expired' ? `expired on ${validity.date}` : `is not valid until ${validity.date}`}: certificates it issued are not trusted and iOS shows "Cannot Verify Server Identity".`,
      fix: 'Renew the CA certificate (and re-issue what it signed), then rebuild the profiles.',
      source,
    })
  } else if (validity?.kind === 'expiring') {
    findings.push({
      code: 'ca-file-expiring',
      severity: 'warning',
      message: `${which} ("${subject}") expires on ${validity.date}, in ${validity.days} day${validity.days === 1 ? '' : 's'}: after that devices stop trusting the servers it vouches for.`,
      fix: `Renew the CA before ${validity.date} and ship new profiles in time.`,
      source,
    })
  }
  if ((info.keyType === 'rsa' || info.keyType === 'rsa-pss') && info.keyBits !== undefined && info.keyBits < 2048) {
    findings.push({
      code: 'ca-file-weak-key',
      severity: 'error',
      message: `${which} ("${subject}") has a ${info.keyBits}-bit RSA key: Apple platforms and current Windows reject RSA keys under 2048 bits in TLS chains.`,
      fix: 'Create a new CA with an RSA key of 2048 bits or more (or ECDSA P-256) and re-issue the server certificates.',
      source,
    })
  }
  if (info.signatureHash === 'SHA-1' || info.signatureHash === 'MD5') {
    findings.push({
      code: 'ca-file-sha1',
      severity: 'warning',
      message: `${which} ("${subject}") is signed with ${info.signatureHash}: Apple and Microsoft no longer trust ${info.signatureHash} signatures in TLS chains${info.selfSigned ? ' (a root\'s self-signature is not checked, but such a CA usually issues ' + info.signatureHash + ' certificates too)' : ''}.`,
      fix: 'Re-issue the CA and its certificates with SHA-256.',
      source,
    })
  }
  return findings
}
