/**
 * `inspect`: reads a .mobileconfig made by this tool or any other, verifies its signature the way
 * a device would, lists its payloads, and lints them (Apple's schemas, duplicates, passwords,
 * and mail servers with `lint`'s own rules). `lint` on a .mobileconfig runs the same code.
 */
import type {Finding} from '../findings.js'
import {type AppleTrustStore, RootIndex} from '../x509/trust-store.js'
import {mailFindings} from './mail.js'
import {certificateFindings, duplicateFindings, duplicateKeyFindings, isDict, passwordFindings, schemaFindings, summarizeProfile, type PayloadSummary, type ProfileSummary} from './payloads.js'
import {readProfileFile} from './read.js'
import {analyzeSignature, type SignatureSummary} from './signature.js'

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

/** Inspects one profile. Throws InputError when the file cannot be used at all. */
export async function inspectProfile(file: string, options: InspectOptions = {}): Promise<InspectResult> {
  const now = options.now ?? new Date()
  const read = readProfileFile(file)
  const findings: Finding[] = []
  // Key order is the JSON order: signature, then the profile, then its payloads.
  const result: InspectResult = {file, signed: read.verification !== undefined, format: read.format, signature: undefined, profile: undefined, payloads: [], findings}

  if (read.verification) {
    let trustedRoots: RootIndex | undefined
    if (options.trustedRoots?.length) {
      trustedRoots = trustedIndexes.get(options.trustedRoots)
      if (!trustedRoots) trustedIndexes.set(options.trustedRoots, (trustedRoots = RootIndex.fromDer(options.trustedRoots)))
    }
    const {summary, findings: signatureFindings} = analyzeSignature(read.verification, file, {now, trustedRoots, warnDays: options.warnDays ?? 30, appleStore: options.appleStore})
    result.signature = summary
    findings.push(...signatureFindings)
  } else {
    findings.push({
      code: 'unsigned-profile',
      severity: 'info',
      message: 'The profile is not signed: the install screen shows it as "Unverified", and anyone who handles the file can change it unnoticed.',
      fix: 'Sign it: `mailprofile build` does when the settings have a `signing` section.',
      source: {file},
    })
  }

  if (!read.plist) {
    findings.push({
      code: 'binary-plist-unsupported',
      severity: 'error',
      message: 'The profile is a binary property list in a newer variant than bplist00, which inspect does not read: its payloads were not checked.',
      fix: 'Convert it and inspect the XML: `plutil -convert xml1 -o profile.xml profile.mobileconfig`.',
      source: {file},
    })
    return result
  }

  const root = read.plist.value
  if (!isDict(root) || root.PayloadType !== 'Configuration') {
    findings.push({
      code: 'profile-top-level-invalid',
      severity: 'error',
      message: !isDict(root)
        ? 'The property list\'s root is not a dictionary, so it is not a configuration profile: devices refuse it.'
        : `The top-level PayloadType is ${JSON.stringify(root.PayloadType ?? null)}, not "Configuration": devices refuse it as a profile.`,
      fix: 'Check that this is the right file; a profile\'s root dictionary has PayloadType "Configuration" and a PayloadContent array.',
      source: {file},
    })
    return result
  }

  const summary = summarizeProfile(root)
  result.profile = summary.profile
  result.payloads = summary.payloads
  if (summary.profile.encrypted) {
    findings.push({
      code: 'profile-encrypted',
      severity: 'info',
      message: 'The payloads are encrypted to one device (EncryptedPayloadContent): only the profile\'s outer keys were checked.',
      fix: 'Inspect the unencrypted profile the MDM started from.',
      source: {file},
    })
  }
  findings.push(...schemaFindings(root, read.plist, file))
  findings.push(...duplicateKeyFindings(read.plist, root, file))
  findings.push(...duplicateFindings(root, file))
  if (!summary.profile.encrypted) findings.push(...passwordFindings(root, file))
  findings.push(...certificateFindings(root, file, now))
  findings.push(...(await mailFindings(root, file, {now, warnDays: options.warnDays ?? 30, env: {}})))
  return result
}

/** `lint` on a .mobileconfig: the inspect findings, in lint's result shape. */
export async function lintProfileFile(file: string, options: InspectOptions = {}): Promise<{file: string; findings: Finding[]}> {
  const result = await inspectProfile(file, options)
  return {file, findings: result.findings}
}
