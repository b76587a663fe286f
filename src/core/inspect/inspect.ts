/**
 * `inspect`: reads a .mobileconfig made by this tool or any other, verifies its signature the way
 * a device would, lists its payloads, and runs the profile checks (./checks: Apple's schemas,
 * duplicates, identifiers, passwords and empty values, certificates, and mail servers with `lint`'s
 * own rules). Several profiles inspected together are also checked against each other. `lint` on a
 * .mobileconfig runs the same code.
 */
import {resolve} from 'node:path'

import {finding} from '../codes.js'
import {InputError} from '../errors.js'
import type {Finding} from '../findings.js'
import {readCertificateFlagFile} from '../x509/certificate-file.js'
import {type AppleTrustStore, RootIndex} from '../x509/trust-store.js'
import {reusedUuidFindings, type InspectedProfile} from './across-profiles.js'
import {PROFILE_CHECKS} from './checks/index.js'
import {isDict, payloadsOf} from './profile.js'
import {readProfileFile} from './read.js'
import {analyzeSignature, type SignatureSummary} from './signature.js'
import {summarizeProfile, type PayloadSummary, type ProfileSummary} from './summary.js'
import {pushAll} from '../arrays.js'

export interface InspectOptions {
  /** "Now" for certificate validity (default: the current time). */
  now?: Date
  /** DER roots trusted in addition to Apple's trust store (e.g. an organization root deployed by MDM). */
  trustedRoots?: Buffer[]
  /** Warn about a signer (and, in the shared rules, certificates) expiring within this many days (default 30). */
  warnDays?: number
  /** Another snapshot of Apple's trust store (default: the one shipped). */
  appleStore?: AppleTrustStore
}

export interface InspectResult {
  file: string
  signed: boolean
  /** "xml" or "binary" property list. */
  format: 'xml' | 'binary'
  signature?: SignatureSummary
  profile?: ProfileSummary
  payloads: PayloadSummary[]
  findings: Finding[]
}

const trustedIndexes = new WeakMap<Buffer[], RootIndex>()

function trustedIndex(roots: Buffer[] | undefined): RootIndex | undefined {
  if (!roots?.length) return undefined
  let index = trustedIndexes.get(roots)
  if (!index) trustedIndexes.set(roots, (index = RootIndex.fromDer(roots)))
  return index
}

/** Inspects one profile; `parsed` receives the root dictionary for checks across profiles. Throws InputError when the file cannot be used at all. */
async function inspectOne(file: string, options: InspectOptions, parsed?: InspectedProfile[]): Promise<InspectResult> {
  const now = options.now ?? new Date()
  const warnDays = options.warnDays ?? 30
  const read = readProfileFile(file)
  const findings: Finding[] = []
  // Key order is the JSON order: signature, then the profile, then its payloads.
  const result: InspectResult = {file, signed: read.verification !== undefined, format: read.format, signature: undefined, profile: undefined, payloads: [], findings}
  const source = {file}

  if (read.verification) {
    const {summary, findings: signatureFindings} = analyzeSignature(read.verification, file, {now, trustedRoots: trustedIndex(options.trustedRoots), warnDays, appleStore: options.appleStore})
    result.signature = summary
    pushAll(findings, signatureFindings)
  } else {
    findings.push(finding('unsigned-profile', {message: 'The profile is not signed: the install screen shows it as "Unverified", and anyone who handles the file can change it unnoticed.', source}))
  }

  if (!read.plist) {
    findings.push(finding('binary-plist-unsupported', {message: 'The profile is a binary property list in a newer variant than bplist00, which inspect does not read: its payloads were not checked.', source}))
    return result
  }

  const root = read.plist.value
  if (!isDict(root) || root.PayloadType !== 'Configuration') {
    findings.push(
      finding('profile-top-level-invalid', {
        message: !isDict(root)
          ? 'The property list\'s root is not a dictionary, so it is not a configuration profile: devices refuse it.'
          : `The top-level PayloadType is ${JSON.stringify(root.PayloadType ?? null)}, not "Configuration": devices refuse it as a profile.`,
        fix: 'Check that this is the right file; a profile\'s root dictionary has PayloadType "Configuration" and a PayloadContent array.',
        source,
      }),
    )
    return result
  }

  const summary = summarizeProfile(root)
  result.profile = summary.profile
  result.payloads = summary.payloads
  const encrypted = summary.profile.encrypted
  if (encrypted) findings.push(finding('profile-encrypted', {message: 'The payloads are encrypted to one device (EncryptedPayloadContent): only the profile\'s outer keys were checked.', source}))
  const ctx = {file, profile: root, payloads: payloadsOf(root), plist: read.plist, encrypted, now, warnDays}
  for (const {check} of PROFILE_CHECKS) pushAll(findings, (await check(ctx)))
  parsed?.push({file, profile: root})
  return result
}

/** Inspects one profile. Throws InputError when the file cannot be used at all. */
export function inspectProfile(file: string, options: InspectOptions = {}): Promise<InspectResult> {
  return inspectOne(file, options)
}

export interface InspectProfilesOptions extends InspectOptions {
  /** PEM/DER files of roots trusted in addition to Apple's trust store (`--trust`), read here. */
  trustFiles?: string[]
}

export interface InspectReport {
  /** Every file named, in order: `ok: false` when it could not be read (see inputErrors). */
  files: Array<{file: string; ok: boolean}>
  /** The profiles that could be read, without their findings (those are in `findings`). */
  profiles: Array<Omit<InspectResult, 'findings'>>
  /** Every profile's findings, then those across profiles. */
  findings: Finding[]
  inputErrors: InputError[]
}

/** The roots of `--trust` files; an unreadable file or one without certificates is an InputError. */
function readTrustFiles(paths: readonly string[]): Buffer[] {
  return paths.flatMap((path) => readCertificateFlagFile(resolve(path), '--trust'))
}

/**
 * `mailprofile inspect FILE...`: every profile, then the checks across them (a PayloadUUID reused
 * by another profile). Unreadable profiles are input errors, the others are still inspected.
 * Throws InputError when a `--trust` file cannot be used.
 */
export async function inspectProfiles(files: readonly string[], options: InspectProfilesOptions = {}): Promise<InspectReport> {
  const trustedRoots = options.trustFiles?.length ? readTrustFiles(options.trustFiles) : options.trustedRoots
  const report: InspectReport = {files: [], profiles: [], findings: [], inputErrors: []}
  const parsed: InspectedProfile[] = []
  for (const file of files) {
    try {
      const {findings, ...rest} = await inspectOne(file, {...options, trustedRoots}, parsed)
      report.profiles.push(rest)
      pushAll(report.findings, findings)
      report.files.push({file, ok: true})
    } catch (error) {
      if (!(error instanceof InputError)) throw error
      report.inputErrors.push(error)
      report.files.push({file, ok: false})
    }
  }
  pushAll(report.findings, reusedUuidFindings(parsed))
  return report
}

/** `lint` on a .mobileconfig: the inspect findings, in lint's result shape. */
export async function lintProfileFile(file: string, options: InspectOptions = {}): Promise<{file: string; findings: Finding[]}> {
  const result = await inspectOne(file, options)
  return {file, findings: result.findings}
}
