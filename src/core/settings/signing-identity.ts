/**
 * The signing identity named by the settings' `signing` block, loaded once for lint and build
 * alike: PEM certificate + PEM key (optionally encrypted) or a PKCS#12 file, plus `chain` files.
 * Returns the identity ready to sign (certificate and chain as DER, the key as a KeyObject, which
 * worker threads receive as they are) or, when it cannot be used, the findings that say why; the
 * certificate is returned whenever it could be read, so lint can still judge its dates and chain.
 * A passphrase only ever comes from the environment variable `signing.passphraseEnv` names and is
 * never put in a finding; neither is a "variable name" that looks like a passphrase written there.
 */
import {createPrivateKey, createPublicKey, type KeyObject} from 'node:crypto'
import {resolve} from 'node:path'

import type {Finding, SourceLocation} from '../findings.js'
import {readNamedFile} from '../files.js'
import {parseCertificate, type CertificateInfo, type ParsedCertificate} from '../x509/certificate.js'
import {readCertificateFileContents} from '../x509/certificate-file.js'
import {settingsFinding} from './codes.js'
import type {PathSegment} from './document.js'
import {displayPath} from './display-path.js'
import type {Settings} from './model.js'

export type SigningSettings = NonNullable<Settings['signing']>

export interface SigningIdentity {
  /** The signer's certificate, DER. */
  certificate: Buffer
  /** Further certificates to include (intermediates, possibly the root), DER, in the order given. */
  chain: Buffer[]
  privateKey: KeyObject
  certificateInfo: CertificateInfo
}

export interface SigningLoad {
  /** Present when the identity can sign. */
  identity?: SigningIdentity
  /** The signer's certificate as read, also when the key cannot be used. */
  certificate?: ParsedCertificate
  /** The chain as read (PKCS#12 extras and `chain` files). */
  chain: ParsedCertificate[]
  certSource: SourceLocation
  chainSource: SourceLocation
  /** Why the identity cannot be used (or what is doubtful), in the order found. */
  findings: Finding[]
}

export interface LoadSigningOptions {
  /** Directory relative paths in `signing` resolve against (the settings file's directory). */
  baseDir: string
  /** Environment holding the passphrase variable. */
  env: Readonly<Record<string, string | undefined>>
  /** The settings file, to show file names as the user wrote them; paths as written otherwise. */
  settingsFile?: string
  /** Where a key under `signing` was written; the `signing` block itself when absent. */
  locate?: (path: readonly PathSegment[]) => SourceLocation
}

// PKCS#12 bag types (RFC 7292).
const KEY_BAG = '1.2.840.113549.1.12.10.1.1'
const SHROUDED_KEY_BAG = '1.2.840.113549.1.12.10.1.2'
const CERT_BAG = '1.2.840.113549.1.12.10.1.3'

const ENCRYPTED_PEM = /-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type:\s*4,ENCRYPTED/
const PEM_KEY = /-----BEGIN [A-Z ]*PRIVATE KEY-----/
/** What an environment variable name conventionally looks like (upper case, words joined by `_`). */
const CONVENTIONAL_VARIABLE = /^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$/

/**
 * How messages name the passphrase variable: by name when it is set or looks like a variable name;
 * otherwise the value written in passphraseEnv may be the passphrase itself, so it is not repeated.
 */
export function passphraseVariable(name: string, env: Readonly<Record<string, string | undefined>>): string {
  return env[name] !== undefined || CONVENTIONAL_VARIABLE.test(name) ? name : 'the variable signing.passphraseEnv names (its value is not repeated here, in case it is the passphrase itself)'
}

/** True when the public key is the private key's: KeyObject.equals compares the key material, without encoding either. */
function isKeyOf(publicKey: KeyObject, privateKey: KeyObject): boolean {
  return createPublicKey(privateKey).equals(publicKey)
}

class Loader {
  readonly findings: Finding[] = []
  constructor(
    private readonly signing: SigningSettings,
    private readonly options: LoadSigningOptions,
  ) {}

  at(...path: PathSegment[]): SourceLocation {
    return this.options.locate ? this.options.locate(['signing', ...path]) : this.signing.source
  }

  shown(path: string): string {
    return this.options.settingsFile ? displayPath(this.options.settingsFile, path) : path
  }

  unreadable(path: string, field: string, problem: string, source: SourceLocation): void {
    this.findings.push(settingsFinding('signing-file-unreadable', {message: `The signing ${field} file "${this.shown(path)}" cannot be read: ${problem}. Profiles cannot be signed.`, fix: 'Fix the path (it is relative to the settings file) or the file.', source}))
  }

  invalid(path: string, field: string, why: string, source: SourceLocation): void {
    this.findings.push(
      settingsFinding('signing-file-invalid', {
        message: `The signing ${field} file "${this.shown(path)}" ${why}: profiles cannot be signed.`,
        fix: field === 'key' ? 'Point `key` at the PEM private key of the signing certificate.' : field === 'PKCS#12' ? 'Export the identity again as a .p12/.pfx file.' : 'Point it at a PEM certificate file.',
        source,
      }),
    )
  }

  read(path: string, field: string, source: SourceLocation): Buffer | undefined {
    const read = readNamedFile(resolve(this.options.baseDir, path), `${field} file`)
    if ('problem' in read) {
      this.unreadable(path, field, read.problem, source)
      return undefined
    }
    return read.bytes
  }

  certificates(path: string, field: string, source: SourceLocation): ParsedCertificate[] | undefined {
    const bytes = this.read(path, field, source)
    if (!bytes) return undefined
    // Each certificate's own bytes only: whatever follows a DER certificate never reaches the CMS certificate set.
    const {ders, trailingBytes} = readCertificateFileContents(bytes)
    if (trailingBytes > 0 && ders.length > 0) {
      this.invalid(path, field, `holds ${trailingBytes} bytes after its DER certificate (a key appended?)`, source)
      return undefined
    }
    if (ders.length === 0) {
      this.invalid(path, field, PEM_KEY.test(bytes.toString('latin1')) ? 'holds no certificate (it holds a private key)' : 'holds no certificate (neither PEM nor DER)', source)
      return undefined
    }
    try {
      return ders.map((der) => parseCertificate(der))
    } catch (error) {
      this.invalid(path, field, `holds a damaged certificate (${(error as Error).message.split('\n')[0]})`, source)
      return undefined
    }
  }

  chainFiles(): ParsedCertificate[] {
    return this.signing.chain.flatMap((path, i) => this.certificates(path, 'chain', this.at('chain', i)) ?? [])
  }

  passphrase(): string | undefined {
    const name = this.signing.passphraseEnv
    if (!name) return undefined
    const value = this.options.env[name]
    return value === undefined || value === '' ? undefined : value
  }

  variable(): string {
    return passphraseVariable(this.signing.passphraseEnv!, this.options.env)
  }

  passphraseMissing(what: string, keySource: SourceLocation): void {
    const set = this.signing.passphraseEnv !== undefined
    const name = set ? this.variable() : ''
    this.findings.push(
      settingsFinding('signing-passphrase-missing', {
        message: set
          ? `The ${what} is encrypted and the environment variable ${name} (signing.passphraseEnv) is not set here: build could not unlock it, and lint could not check it against the certificate.`
          : `The ${what} is encrypted but signing.passphraseEnv is not set: build has no way to get the passphrase.`,
        fix: set ? `Set ${name} in the environment that runs build (and lint, to check the key).` : 'Add `passphraseEnv: NAME` under signing and set that environment variable when running build; never write the passphrase itself in the file.',
        source: set ? this.at('passphraseEnv') : keySource,
      }),
    )
  }

  pemKey(path: string): KeyObject | undefined {
    const source = this.at('key')
    const bytes = this.read(path, 'key', source)
    if (!bytes) return undefined
    const text = bytes.toString('latin1')
    const shown = this.shown(path)
    if (!PEM_KEY.test(text)) {
      this.invalid(path, 'key', text.includes('-----BEGIN CERTIFICATE-----') ? 'holds no PEM private key (it holds a certificate)' : 'holds no PEM private key', source)
      return undefined
    }
    if (!ENCRYPTED_PEM.test(text)) {
      try {
        return createPrivateKey({key: text, format: 'pem'})
      } catch (error) {
        this.invalid(path, 'key', `holds a private key that cannot be read (${(error as Error).message.split('\n')[0]})`, source)
        return undefined
      }
    }
    const passphrase = this.passphrase()
    if (passphrase === undefined) {
      this.passphraseMissing(`key "${shown}"`, source)
      return undefined
    }
    try {
      return createPrivateKey({key: text, format: 'pem', passphrase})
    } catch {
      this.findings.push(
        settingsFinding('signing-passphrase-wrong', {
          message: `The passphrase in ${this.signing.passphraseEnv} does not unlock the key "${shown}": build cannot sign with it.`,
          fix: `Check the value of ${this.signing.passphraseEnv} (it is never printed).`,
          source: this.at('passphraseEnv'),
        }),
      )
      return undefined
    }
  }

  async pkcs12(path: string): Promise<{leaf?: ParsedCertificate; extra: ParsedCertificate[]; key?: KeyObject}> {
    const source = this.at('pkcs12')
    const none = {extra: []}
    const bytes = this.read(path, 'PKCS#12', source)
    if (!bytes) return none
    const shown = this.shown(path)
    // node-forge is heavy: loaded only when the settings name a PKCS#12 file.
    const {default: forge} = await import('node-forge')
    let asn1: ReturnType<typeof forge.asn1.fromDer>
    try {
      asn1 = forge.asn1.fromDer(forge.util.createBuffer(bytes.toString('binary')))
    } catch {
      this.invalid(path, 'PKCS#12', 'is not a PKCS#12 (.p12/.pfx) file', source)
      return none
    }
    const passphrase = this.passphrase()
    let p12: ReturnType<typeof forge.pkcs12.pkcs12FromAsn1>
    try {
      p12 = forge.pkcs12.pkcs12FromAsn1(asn1, passphrase ?? '')
    } catch {
      if (passphrase === undefined) {
        this.passphraseMissing(`PKCS#12 file "${shown}"`, source)
      } else {
        this.findings.push(
          settingsFinding('signing-passphrase-wrong', {
            message: `The passphrase in ${this.signing.passphraseEnv} does not open the PKCS#12 file "${shown}" (or it uses an algorithm node-forge cannot read): build cannot sign with it.`,
            fix: `Check the value of ${this.signing.passphraseEnv} (it is never printed); if it is right, export the file again with \`openssl pkcs12 -export -certpbe AES-256-CBC -keypbe AES-256-CBC -macalg sha256\`.`,
            source: this.at('passphraseEnv'),
          }),
        )
      }
      return none
    }
    const certs: ParsedCertificate[] = []
    let key: KeyObject | undefined
    try {
      // node-forge decodes RSA only; for other keys (EC) it leaves the raw ASN.1, which node:crypto reads.
      const der = (node: Parameters<typeof forge.asn1.toDer>[0]) => Buffer.from(forge.asn1.toDer(node).getBytes(), 'binary')
      for (const bag of p12.getBags({bagType: CERT_BAG})[CERT_BAG] ?? []) {
        if (bag.cert) certs.push(parseCertificate(der(forge.pki.certificateToAsn1(bag.cert))))
        else if (bag.asn1) certs.push(parseCertificate(der(bag.asn1)))
      }
      for (const type of [SHROUDED_KEY_BAG, KEY_BAG]) {
        const bag = p12.getBags({bagType: type})[type]?.[0]
        if (key || !bag) continue
        if (bag.key) key = createPrivateKey({key: forge.pki.privateKeyToPem(bag.key), format: 'pem'})
        else if (bag.asn1) key = createPrivateKey({key: der(bag.asn1), format: 'der', type: 'pkcs8'})
      }
    } catch (error) {
      this.invalid(path, 'PKCS#12', `cannot be read (${(error as Error).message.split('\n')[0]})`, source)
      return none
    }
    if (certs.length === 0 || !key) {
      this.invalid(path, 'PKCS#12', certs.length === 0 ? 'holds no certificate' : 'holds no private key', source)
      return none
    }
    // The leaf is the certificate whose public key is the key's; the others form the chain.
    const publicKey = createPublicKey(key)
    const leafIndex = certs.findIndex((c) => c.x509.publicKey.equals(publicKey))
    const [leaf] = certs.splice(Math.max(0, leafIndex), 1)
    if (leafIndex === -1) {
      this.findings.push(settingsFinding('signing-key-mismatch', {message: `The PKCS#12 file "${shown}" holds a private key that belongs to none of its certificates: signatures made with it would not verify, and devices would show the profile as "Not Verified" or refuse it.`, source}))
      return {leaf, extra: certs}
    }
    return {leaf, extra: certs, key}
  }

  /** The identity, when certificate and key belong together and the key can sign profiles. */
  identity(leaf: ParsedCertificate, chain: ParsedCertificate[], key: KeyObject, keySource: SourceLocation): SigningIdentity | undefined {
    if (!isKeyOf(leaf.x509.publicKey, key)) {
      this.findings.push(
        settingsFinding('signing-key-mismatch', {
          message: `The signing key does not belong to the certificate ("${leaf.info.commonName ?? leaf.info.subject}"): signatures made with it would not verify, and devices would show the profile as "Not Verified" or refuse it.`,
          source: keySource,
        }),
      )
      return undefined
    }
    const type = key.asymmetricKeyType
    if (type !== 'rsa' && type !== 'ec') {
      this.findings.push(settingsFinding('signing-file-invalid', {message: `The signing key is ${type ?? 'of an unknown type'}: profiles can be signed with RSA or ECDSA keys only.`, fix: 'Use an RSA (2048 bits or more) or ECDSA (P-256, P-384) signing identity.', source: keySource}))
      return undefined
    }
    // The leaf itself is never repeated in the chain, nor any certificate twice.
    const seen = new Set([leaf.info.sha256])
    const unique = chain.filter((c) => !seen.has(c.info.sha256) && Boolean(seen.add(c.info.sha256)))
    return {certificate: Buffer.from(leaf.x509.raw), chain: unique.map((c) => Buffer.from(c.x509.raw)), privateKey: key, certificateInfo: leaf.info}
  }
}

/**
 * Loads the signing identity. Async because PKCS#12 needs node-forge, loaded only then. Never
 * throws for the user's input: every problem is a finding (signing-conflict, signing-incomplete,
 * signing-file-*, signing-passphrase-*, signing-key-mismatch).
 */
export async function loadSigning(signing: SigningSettings, options: LoadSigningOptions): Promise<SigningLoad> {
  const loader = new Loader(signing, options)
  const certSource = loader.at(signing.pkcs12 ? 'pkcs12' : 'certificate')
  const result = (more: Partial<SigningLoad> = {}): SigningLoad => ({chain: [], certSource, chainSource: signing.chain.length ? loader.at('chain') : certSource, findings: loader.findings, ...more})
  if (signing.pkcs12 && (signing.certificate || signing.key)) {
    loader.findings.push(
      settingsFinding('signing-conflict', {
        message: `signing names both a PKCS#12 file and ${signing.certificate && signing.key ? 'a certificate and key' : signing.certificate ? 'a certificate' : 'a key'}: it is ambiguous which identity signs the profiles.`,
        fix: 'Keep either `pkcs12` or `certificate` + `key`.',
        source: loader.at('pkcs12'),
      }),
    )
    return result()
  }
  if (!signing.pkcs12 && (!signing.certificate || !signing.key)) {
    const missing = !signing.certificate && !signing.key ? 'neither a certificate and key nor a PKCS#12 file' : signing.certificate ? 'a certificate but no key' : 'a key but no certificate'
    loader.findings.push(
      settingsFinding('signing-incomplete', {
        message: `signing names ${missing}: profiles cannot be signed.`,
        fix: signing.certificate || signing.key ? `Add \`${signing.certificate ? 'key' : 'certificate'}\`.` : 'Add `certificate` and `key` (PEM), or `pkcs12`, or remove the `signing` block to build unsigned profiles.',
        source: signing.certificate ? loader.at('certificate') : signing.key ? loader.at('key') : loader.at(),
      }),
    )
    return result()
  }
  if (signing.pkcs12) {
    const p12 = await loader.pkcs12(signing.pkcs12)
    const chain = [...p12.extra, ...(p12.leaf ? loader.chainFiles() : [])]
    const identity = p12.leaf && p12.key ? loader.identity(p12.leaf, chain, p12.key, loader.at('pkcs12')) : undefined
    return result({certificate: p12.leaf, chain, identity})
  }
  const certs = loader.certificates(signing.certificate!, 'certificate', loader.at('certificate'))
  const chain = [...(certs?.slice(1) ?? []), ...loader.chainFiles()]
  const key = loader.pemKey(signing.key!)
  const identity = certs && key ? loader.identity(certs[0]!, chain, key, loader.at('key')) : undefined
  return result({certificate: certs?.[0], chain, identity})
}
