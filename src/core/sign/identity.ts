/**
 * The signing identity named by the settings' `signing` block: the signer's certificate, its
 * chain and its private key, ready for `signCms`. PEM certificate + PEM key (optionally
 * encrypted) or a PKCS#12 file; a passphrase only ever comes from the environment variable the
 * settings name (`signing.passphraseEnv`) and is never put in an error message.
 *
 * Unusable identities are InputErrors naming the file (never the passphrase). `lint` reports
 * the same problems as findings (src/core/settings/rules/signing.ts); this module is what
 * `build` uses to actually sign.
 */
import {createPrivateKey, createPublicKey, X509Certificate, type KeyObject} from 'node:crypto'
import {isAbsolute, resolve} from 'node:path'

import {InputError} from '../errors.js'
import type {SourceLocation} from '../findings.js'
import type {Settings} from '../settings/model.js'
import {readNamedFile} from '../settings/source.js'
import {parseCertificate, type CertificateInfo} from '../x509/certificate.js'
import {certificatesFromBytes} from '../x509/pem.js'

export type SigningSettings = NonNullable<Settings['signing']>

export interface SigningIdentity {
  /** The signer's certificate, DER. */
  certificate: Buffer
  /** Further certificates to include (intermediates, possibly the root), DER, in the order given. */
  chain: Buffer[]
  privateKey: KeyObject
  certificateInfo: CertificateInfo
}

export interface LoadIdentityOptions {
  /** Directory relative paths in `signing` resolve against (the settings file's directory). */
  baseDir: string
  /** Environment holding the passphrase variable. */
  env: Readonly<Record<string, string | undefined>>
  /** The settings file, to show file names as the user wrote them; paths as written otherwise. */
  settingsFile?: string
}

// PKCS#12 bag types (RFC 7292).
const KEY_BAG = '1.2.840.113549.1.12.10.1.1'
const SHROUDED_KEY_BAG = '1.2.840.113549.1.12.10.1.2'
const CERT_BAG = '1.2.840.113549.1.12.10.1.3'

const ENCRYPTED_PEM = /-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type:\s*4,ENCRYPTED/
const PEM_KEY = /-----BEGIN [A-Z ]*PRIVATE KEY-----/
/** Signing inputs are small; anything larger is the wrong file. */
const MAX_FILE_BYTES = 1024 * 1024

/**
 * Loads and checks the signing identity. Async because PKCS#12 needs node-forge, loaded only then.
 * Throws InputError when the identity cannot be used (unreadable file, wrong passphrase, key that
 * does not belong to the certificate, …).
 */
export async function loadSigningIdentity(signing: SigningSettings, options: LoadIdentityOptions): Promise<SigningIdentity> {
  const ctx = new Context(signing, options)
  if (signing.pkcs12 && (signing.certificate || signing.key)) throw ctx.error('signing names both a PKCS#12 file and a certificate/key; keep one of them')
  if (signing.pkcs12) return ctx.pkcs12(signing.pkcs12)
  if (!signing.certificate || !signing.key) throw ctx.error(`signing needs ${signing.certificate ? 'a key' : 'a certificate'} (or a PKCS#12 file)`)
  return ctx.pem(signing.certificate, signing.key)
}

class Context {
  constructor(
    private readonly signing: SigningSettings,
    private readonly options: LoadIdentityOptions,
  ) {}

  private get location(): SourceLocation {
    return this.signing.source
  }

  error(message: string): InputError {
    return new InputError(message, this.location)
  }

  shown(path: string): string {
    const file = this.options.settingsFile
    if (!file || isAbsolute(path)) return path
    const slash = file.lastIndexOf('/')
    return slash <= 0 ? path : `${file.slice(0, slash)}/${path}`
  }

  read(path: string, what: string): Buffer {
    const read = readNamedFile(resolve(this.options.baseDir, path), what, MAX_FILE_BYTES)
    if ('problem' in read) throw this.error(`signing ${what} "${this.shown(path)}" cannot be read: ${read.problem}`)
    return read.bytes
  }

  certificates(path: string, what: string): Buffer[] {
    const bytes = this.read(path, what)
    const ders = certificatesFromBytes(bytes)
    if (ders.length === 0) throw this.error(`signing ${what} "${this.shown(path)}" holds no certificate (neither PEM nor DER)`)
    for (const der of ders) {
      try {
        parseCertificate(der)
      } catch (error) {
        throw this.error(`signing ${what} "${this.shown(path)}" holds a damaged certificate (${(error as Error).message.split('\n')[0]})`)
      }
    }
    return ders
  }

  /** The passphrase, or undefined when no variable is named or it is unset/empty. */
  passphrase(): string | undefined {
    const name = this.signing.passphraseEnv
    if (!name) return undefined
    const value = this.options.env[name]
    return value === undefined || value === '' ? undefined : value
  }

  passphraseMissing(what: string): InputError {
    const name = this.signing.passphraseEnv
    return this.error(
      name
        ? `${what} is encrypted and the environment variable ${name} (signing.passphraseEnv) is not set`
        : `${what} is encrypted but signing.passphraseEnv does not name the environment variable holding its passphrase`,
    )
  }

  chainFiles(): Buffer[] {
    return this.signing.chain.flatMap((path) => this.certificates(path, 'chain file'))
  }

  pem(certificatePath: string, keyPath: string): SigningIdentity {
    const [leaf, ...rest] = this.certificates(certificatePath, 'certificate file')
    const chain = [...rest, ...this.chainFiles()]
    const text = this.read(keyPath, 'key file').toString('latin1')
    const shown = `signing key file "${this.shown(keyPath)}"`
    if (!PEM_KEY.test(text)) throw this.error(`${shown} holds no PEM private key${text.includes('-----BEGIN CERTIFICATE-----') ? ' (it holds a certificate)' : ''}`)
    let key: KeyObject
    if (ENCRYPTED_PEM.test(text)) {
      const passphrase = this.passphrase()
      if (passphrase === undefined) throw this.passphraseMissing(shown)
      try {
        key = createPrivateKey({key: text, format: 'pem', passphrase})
      } catch {
        throw this.error(`the passphrase in ${this.signing.passphraseEnv} does not unlock ${shown}`)
      }
    } else {
      try {
        key = createPrivateKey({key: text, format: 'pem'})
      } catch (error) {
        throw this.error(`${shown} cannot be read (${(error as Error).message.split('\n')[0]})`)
      }
    }
    return this.identity(leaf!, chain, key, `${shown} does not belong to the certificate in "${this.shown(certificatePath)}"`)
  }

  async pkcs12(path: string): Promise<SigningIdentity> {
    const bytes = this.read(path, 'PKCS#12 file')
    const shown = `signing PKCS#12 file "${this.shown(path)}"`
    // node-forge is heavy: loaded only when the settings name a PKCS#12 file.
    const {default: forge} = await import('node-forge')
    let asn1: ReturnType<typeof forge.asn1.fromDer>
    try {
      asn1 = forge.asn1.fromDer(forge.util.createBuffer(bytes.toString('binary')))
    } catch {
      throw this.error(`${shown} is not a PKCS#12 (.p12/.pfx) file`)
    }
    const passphrase = this.passphrase()
    let p12: ReturnType<typeof forge.pkcs12.pkcs12FromAsn1>
    try {
      p12 = forge.pkcs12.pkcs12FromAsn1(asn1, passphrase ?? '')
    } catch {
      if (passphrase === undefined) throw this.passphraseMissing(shown)
      throw this.error(
        `the passphrase in ${this.signing.passphraseEnv} does not open ${shown} (or it uses an algorithm node-forge cannot read; re-export with \`openssl pkcs12 -export -certpbe AES-256-CBC -keypbe AES-256-CBC -macalg sha256\`)`,
      )
    }
    const certs: Buffer[] = []
    let key: KeyObject | undefined
    try {
      // node-forge decodes RSA only; for other keys (EC) it leaves the raw ASN.1, which node:crypto reads.
      const der = (node: Parameters<typeof forge.asn1.toDer>[0]) => Buffer.from(forge.asn1.toDer(node).getBytes(), 'binary')
      for (const bag of p12.getBags({bagType: CERT_BAG})[CERT_BAG] ?? []) {
        if (bag.cert) certs.push(der(forge.pki.certificateToAsn1(bag.cert)))
        else if (bag.asn1) certs.push(der(bag.asn1))
      }
      for (const type of [SHROUDED_KEY_BAG, KEY_BAG]) {
        const bag = p12.getBags({bagType: type})[type]?.[0]
        if (key || !bag) continue
        if (bag.key) key = createPrivateKey({key: forge.pki.privateKeyToPem(bag.key), format: 'pem'})
        else if (bag.asn1) key = createPrivateKey({key: der(bag.asn1), format: 'der', type: 'pkcs8'})
      }
      for (const c of certs) parseCertificate(c)
    } catch (error) {
      throw this.error(`${shown} cannot be read (${(error as Error).message.split('\n')[0]})`)
    }
    if (certs.length === 0) throw this.error(`${shown} holds no certificate`)
    if (!key) throw this.error(`${shown} holds no private key`)
    // The leaf is the certificate whose public key is the key's; the others form the chain.
    const publicDer = spki(createPublicKey(key))
    const leafIndex = Math.max(0, certs.findIndex((der) => spki(new X509Certificate(der).publicKey).equals(publicDer)))
    const [leaf] = certs.splice(leafIndex, 1)
    return this.identity(leaf!, [...certs, ...this.chainFiles()], key, `${shown} holds a private key that belongs to none of its certificates`)
  }

  identity(leaf: Buffer, chain: Buffer[], privateKey: KeyObject, mismatch: string): SigningIdentity {
    const parsed = parseCertificate(leaf)
    if (!spki(createPublicKey(privateKey)).equals(spki(parsed.x509.publicKey))) throw this.error(mismatch)
    const type = privateKey.asymmetricKeyType
    if (type !== 'rsa' && type !== 'ec') throw this.error(`the signing key is ${type ?? 'of an unknown type'}; profiles can be signed with RSA or ECDSA keys only`)
    // The leaf itself is never repeated in the chain.
    const seen = new Set([leaf.toString('base64')])
    const unique = chain.filter((der) => {
      const id = der.toString('base64')
      if (seen.has(id)) return false
      seen.add(id)
      return true
    })
    return {certificate: leaf, chain: unique, privateKey, certificateInfo: parsed.info}
  }
}

function spki(key: KeyObject): Buffer {
  return key.export({type: 'spki', format: 'der'})
}
