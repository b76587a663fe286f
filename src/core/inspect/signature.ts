/**
 * What a device would say about a profile's signature: the CMS verification (src/core/sign/verify)
 * plus the signer's validity and whether its chain, as carried in the profile, reaches a root in
 * Apple's trust store (or one the user trusts explicitly) — iOS's "Verified" / "Not Verified".
 */
import {algorithmName, ALGORITHMS} from '../asn1/oids.js'
import {finding} from '../codes.js'
import type {Finding} from '../findings.js'
import type {CmsVerification} from '../sign/verify.js'
import {buildPath, type AnchorSource} from '../x509/chain.js'
import type {ParsedCertificate} from '../x509/certificate.js'
import {certificateName} from '../x509/names.js'
import {isoDay, validityAt} from '../x509/validity.js'
import {type AppleTrustStore, loadTrustStore, type RootIndex} from '../x509/trust-store.js'

export type SignatureStatus = 'Verified' | 'Not Verified' | 'Invalid'

export interface SignatureCertificate {
  subject: string
  issuer: string
  notBefore: string
  notAfter: string
  sha256: string
}

export interface SignatureSummary {
  /** What the install screen would show: "Verified", "Not Verified", or "Invalid" (the device refuses the profile). */
  status: SignatureStatus
  signer?: SignatureCertificate
  /** The signer's issuers found in the profile, nearest first. */
  chain: SignatureCertificate[]
  signatureValid: boolean
  digestValid: boolean
  /** The signer (or a certificate of its chain) is outside its validity period. */
  expired: boolean
  /** The chain reaches a trusted root. */
  chainVerified: boolean
  /** The trusted root reached: its name and where it comes from (Apple's trust store or --trust). */
  anchor?: {name: string; source: 'apple' | 'trusted'}
  digestAlgorithm: string
  signatureAlgorithm: string
  signingTime?: string
  /** Apple trust store version the chain was checked against. */
  trustStoreVersion?: string
}

export interface SignatureOptions {
  now: Date
  /** Warn when the signer expires within this many days. */
  warnDays: number
  /** Extra roots the user trusts (e.g. the organization's root deployed by MDM). */
  trustedRoots?: RootIndex
  /** Another snapshot of Apple's trust store (default: the one shipped). */
  appleStore?: AppleTrustStore
}

/** SHA-1 as the digest or in the signature algorithm (sha1WithRSAEncryption, ecdsa-with-SHA1). */
const usesSha1 = (oid: string) => ALGORITHMS[oid]?.hash === 'SHA-1'

function describe(c: ParsedCertificate): SignatureCertificate {
  return {subject: c.info.subject, issuer: c.info.issuer, notBefore: c.info.notBefore, notAfter: c.info.notAfter, sha256: c.info.sha256}
}

function outOfDate(c: ParsedCertificate, now: Date): 'expired' | 'not-yet-valid' | undefined {
  const {status} = validityAt(c.info, now)
  return status === 'expired' || status === 'not-yet-valid' ? status : undefined
}

const nameOf = (c: ParsedCertificate) => certificateName(c.info)

export function analyzeSignature(v: CmsVerification, file: string, options: SignatureOptions): {summary: SignatureSummary; findings: Finding[]} {
  const findings: Finding[] = []
  const source = {file}
  const signer = v.signers[0]!
  const summary: SignatureSummary = {
    status: 'Invalid',
    signer: signer.certificate ? describe(signer.certificate) : undefined,
    chain: signer.chain.map(describe),
    signatureValid: signer.signatureValid,
    digestValid: signer.digestValid,
    expired: false,
    chainVerified: false,
    digestAlgorithm: algorithmName(signer.digestAlgorithm),
    signatureAlgorithm: algorithmName(signer.signatureAlgorithm),
    signingTime: signer.signingTime?.toISOString(),
  }
  const unsupported = signer.problem?.startsWith('unsupported')
  if (unsupported) {
    findings.push(finding('signature-unsupported', {
      message: `The signature could not be checked: ${signer.problem}.`,
      fix: 'Check it with `openssl cms -verify -inform DER -noverify -in FILE`; re-sign with SHA-256 and RSA or ECDSA.',
      source,
    }))
  } else if (!signer.signatureValid || !signer.digestValid) {
    findings.push(finding('signature-invalid', {
      message: `The signature does not verify: ${signer.problem ?? 'unknown reason'}. Devices refuse to install the profile ("Profile Installation Failed").`,
      fix: 'Rebuild and re-sign the profile; never edit a signed profile by hand.',
      source,
    }))
  }
  if (usesSha1(signer.digestAlgorithm) || usesSha1(signer.signatureAlgorithm)) {
    findings.push(
      finding('signature-sha1', {
        message: `The profile is signed with SHA-1 (${summary.digestAlgorithm} digest, ${summary.signatureAlgorithm}): SHA-1 collisions are practical (chosen-prefix since 2020), so the signature no longer proves that nobody swapped the profile, and Apple platforms no longer trust SHA-1 signatures on certificates.`,
        source,
      }),
    )
  }
  if (v.signers.length > 1) {
    // Apple's profiles carry one signer; report the others only when they fail.
    v.signers.slice(1).forEach((s, i) => {
      if (!s.signatureValid || !s.digestValid) {
        findings.push(finding('signature-invalid', {message: `Signer ${i + 2} of the profile does not verify: ${s.problem ?? 'unknown reason'}.`, fix: 'Re-sign the profile.', source}))
      }
    })
  }
  if (!signer.certificate) return {summary, findings}

  const cert = signer.certificate
  const others = v.certificates.filter((c) => c !== cert)
  const store = options.appleStore ?? loadTrustStore()
  summary.trustStoreVersion = store.version
  const sources: Array<AnchorSource<'apple' | 'trusted'>> = [{source: 'apple', index: store.roots}]
  if (options.trustedRoots) sources.push({source: 'trusted', index: options.trustedRoots})
  const path = buildPath([cert, ...others], sources)
  const chainCerts = path.anchor && !path.anchor.sent ? [...path.path, path.anchor.parsed] : path.path
  const dated = chainCerts.map((c) => ({c, problem: outOfDate(c, options.now)})).filter((x) => x.problem)
  summary.expired = dated.length > 0
  summary.chainVerified = path.end === 'anchored'
  if (path.anchor) summary.anchor = {name: nameOf(path.anchor.parsed), source: path.anchor.source}

  for (const {c, problem} of dated) {
    const role = c === cert ? 'signing certificate' : 'certificate in the signer\'s chain'
    findings.push(finding('signer-expired', {
      message: `The ${role} "${nameOf(c)}" ${problem === 'expired' ? `expired on ${isoDay(c.info.notAfter)}` : `is not valid until ${isoDay(c.info.notBefore)}`}: devices show the profile as "Not Verified".`,
      fix: 'Renew the signing certificate and sign the profile again.',
      source,
    }))
  }
  const window = validityAt(cert.info, options.now, options.warnDays)
  if (window.status === 'expires-soon') {
    const days = window.daysLeft
    findings.push(finding('signer-expiring', {
      message: `The signing certificate "${nameOf(cert)}" expires on ${isoDay(cert.info.notAfter)}, in ${days} day${days === 1 ? '' : 's'}: from then on, devices installing this profile show it as "Not Verified".`,
      fix: 'Renew the signing certificate and sign the profile again before it expires.',
      source,
    }))
  }
  if (!summary.chainVerified) {
    const last = path.path[path.path.length - 1]!
    const why =
      path.end === 'self-signed'
        ? last === cert
          ? `the signer "${nameOf(cert)}" is self-signed`
          : `the chain ends at "${nameOf(last)}", a root that is not in Apple's trust store`
        : `the issuer of "${nameOf(last)}" ("${last.info.issuer}") is neither in the profile nor in Apple's trust store`
    findings.push(finding('signer-untrusted', {
      message: `The signature cannot be traced to a trusted root: ${why}. iPhones and Macs show the profile as "Not Verified" unless that root is installed and trusted on them.`,
      fix:
        path.end === 'missing-issuer'
          ? 'Include the intermediate certificates when signing (`signing.chain`), or sign with a certificate from a publicly trusted CA.'
          : 'Sign with a certificate from a publicly trusted CA, or deploy your root to the devices first (then pass it to inspect with --trust).',
      source,
    }))
  }
  const valid = signer.signatureValid && signer.digestValid
  summary.status = !valid && !unsupported ? 'Invalid' : valid && summary.chainVerified && !summary.expired ? 'Verified' : 'Not Verified'
  return {summary, findings}
}
