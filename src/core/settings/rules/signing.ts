import {createPrivateKey, createPublicKey, type KeyObject} from 'node:crypto'
import {resolve} from 'node:path'

import type {Finding, SourceLocation} from '../../findings.js'
import {isIssuedBy, parseCertificate, type ParsedCertificate} from '../../x509/certificate.js'
import {certificateName} from '../../x509/names.js'
import {certificatesFromBytes} from '../../x509/pem.js'
import type {PathSegment} from '../document.js'
import {displayPath} from '../load.js'
import type {Settings} from '../model.js'
import {readNamedFile} from '../source.js'
import {validityProblem} from './ca-files.js'
import type {Rule, RuleContext} from './types.js'
import {pushAll} from '../../arrays.js'

type Signing = NonNullable<Settings['signing']>

interface Identity {
  cert: ParsedCertificate
  key?: KeyObject
  chain: ParsedCertificate[]
  /** Where certificate-level findings point. */
  certSource: SourceLocation
  chainSource: SourceLocation
}

// PKCS#12 bag types (RFC 7292).
const KEY_BAG = '1.2.840.113549.1.12.10.1.1'
const SHROUDED_KEY_BAG = '1.2.840.113549.1.12.10.1.2'
const CERT_BAG = '1.2.840.113549.1.12.10.1.3'

const ENCRYPTED_PEM = /-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type:\s*4,ENCRYPTED/

/**
 * The signing identity: complete and unambiguous, files readable, certificate and key matching,
 * in date, with a chain up to the issuer, and a usable passphrase when the key is encrypted.
 * The passphrase is never put in a finding.
 */
export const signingRules: Rule = async (ctx) => {
  const signing = ctx.settings.signing
  if (!signing) return []
  const findings: Finding[] = []
  const at = (...path: PathSegment[]) => ctx.doc.locate(['signing', ...path])
  if (signing.pkcs12 && (signing.certificate || signing.key)) {
    findings.push({
      code: 'signing-conflict',
      severity: 'error',
      message: `signing names both a PKCS#12 file and ${signing.certificate && signing.key ? 'a certificate and key' : signing.certificate ? 'a certificate' : 'a key'}: it is ambiguous which identity signs the profiles.`,
      fix: 'Keep either `pkcs12` or `certificate` + `key`.',
      source: at('pkcs12'),
    })
    return findings
  }
  if (!signing.pkcs12 && (!signing.certificate || !signing.key)) {
    const missing = !signing.certificate && !signing.key ? 'neither a certificate and key nor a PKCS#12 file' : signing.certificate ? 'a certificate but no key' : 'a key but no certificate'
    findings.push({
      code: 'signing-incomplete',
      severity: 'error',
      message: `signing names ${missing}: profiles cannot be signed.`,
      fix: signing.certificate || signing.key ? `Add \`${signing.certificate ? 'key' : 'certificate'}\`.` : 'Add `certificate` and `key` (PEM), or `pkcs12`, or remove the `signing` block to build unsigned profiles.',
      source: signing.certificate ? at('certificate') : signing.key ? at('key') : at(),
    })
    return findings
  }
  const identity = signing.pkcs12 ? await loadPkcs12(ctx, signing, findings) : loadPem(ctx, signing, findings)
  if (!identity) return findings
  checkIdentity(ctx, identity, findings)
  return findings
}

function passphraseOf(ctx: RuleContext, signing: Signing): string | undefined {
  if (!signing.passphraseEnv) return undefined
  const value = ctx.options.env[signing.passphraseEnv]
  return value === undefined || value === '' ? undefined : value
}

function passphraseMissing(ctx: RuleContext, signing: Signing, what: string, keySource: SourceLocation): Finding {
  const set = signing.passphraseEnv !== undefined
  return {
    code: 'signing-passphrase-missing',
    severity: 'warning',
    message: set
      ? `The ${what} is encrypted and the environment variable ${signing.passphraseEnv} (signing.passphraseEnv) is not set here: build could not unlock it, and lint could not check it against the certificate.`
      : `The ${what} is encrypted but signing.passphraseEnv is not set: build has no way to get the passphrase.`,
    fix: set ? `Set ${signing.passphraseEnv} in the environment that runs build (and lint, to check the key).` : 'Add `passphraseEnv: NAME` under signing and set that environment variable when running build; never write the passphrase itself in the file.',
    source: set ? ctx.doc.locate(['signing', 'passphraseEnv']) : keySource,
  }
}

function unreadable(shown: string, field: string, problem: string, source: SourceLocation): Finding {
  return {
    code: 'signing-file-unreadable',
    severity: 'error',
    message: `The signing ${field} file "${shown}" cannot be read: ${problem}. Profiles cannot be signed.`,
    fix: 'Fix the path (it is relative to the settings file) or the file.',
    source,
  }
}

function invalid(shown: string, field: string, why: string, source: SourceLocation): Finding {
  return {
    code: 'signing-file-invalid',
    severity: 'error',
    message: `The signing ${field} file "${shown}" ${why}: profiles cannot be signed.`,
    fix: field === 'key' ? 'Point `key` at the PEM private key of the signing certificate.' : field === 'PKCS#12' ? 'Export the identity again as a .p12/.pfx file.' : 'Point it at a PEM certificate file.',
    source,
  }
}

/** Reads certificates from a file named in the settings; pushes a finding and returns undefined when it cannot. */
function readCertificates(ctx: RuleContext, path: string, field: string, source: SourceLocation, findings: Finding[]): ParsedCertificate[] | undefined {
  const shown = displayPath(ctx.settings.file, path)
  const read = readNamedFile(resolve(ctx.settings.baseDir, path), `${field} file`)
  if ('problem' in read) {
    findings.push(unreadable(shown, field, read.problem, source))
    return undefined
  }
  const ders = certificatesFromBytes(read.bytes)
  if (ders.length === 0) {
    findings.push(invalid(shown, field, /PRIVATE KEY-----/.test(read.bytes.toString('latin1')) ? 'holds a private key, not a certificate' : 'holds no certificate (neither PEM nor DER)', source))
    return undefined
  }
  try {
    return ders.map((der) => parseCertificate(der))
  } catch (error) {
    findings.push(invalid(shown, field, `holds a damaged certificate (${(error as Error).message})`, source))
    return undefined
  }
}

function loadPem(ctx: RuleContext, signing: Signing, findings: Finding[]): Identity | undefined {
  const certSource = ctx.doc.locate(['signing', 'certificate'])
  const keySource = ctx.doc.locate(['signing', 'key'])
  const certs = readCertificates(ctx, signing.certificate!, 'certificate', certSource, findings)
  const chain: ParsedCertificate[] = certs ? certs.slice(1) : []
  signing.chain.forEach((path, i) => {
    const more = readCertificates(ctx, path, 'chain', ctx.doc.locate(['signing', 'chain', i]), findings)
    if (more) pushAll(chain, more)
  })

  let key: KeyObject | undefined
  const keyShown = displayPath(ctx.settings.file, signing.key!)
  const read = readNamedFile(resolve(ctx.settings.baseDir, signing.key!), 'key file')
  if ('problem' in read) {
    findings.push(unreadable(keyShown, 'key', read.problem, keySource))
  } else {
    const text = read.bytes.toString('latin1')
    if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(text)) {
      findings.push(invalid(keyShown, 'key', text.includes('-----BEGIN CERTIFICATE-----') ? 'holds a certificate, not a private key' : 'holds no PEM private key', keySource))
    } else if (ENCRYPTED_PEM.test(text)) {
      const passphrase = passphraseOf(ctx, signing)
      if (passphrase === undefined) {
        findings.push(passphraseMissing(ctx, signing, `key "${keyShown}"`, keySource))
      } else {
        try {
          key = createPrivateKey({key: text, format: 'pem', passphrase})
        } catch {
          findings.push({
            code: 'signing-passphrase-wrong',
            severity: 'error',
            message: `The passphrase in ${signing.passphraseEnv} does not unlock the key "${keyShown}": build cannot sign with it.`,
            fix: `Check the value of ${signing.passphraseEnv} (it is never printed).`,
            source: ctx.doc.locate(['signing', 'passphraseEnv']),
          })
        }
      }
    } else {
      try {
        key = createPrivateKey({key: text, format: 'pem'})
      } catch (error) {
        findings.push(invalid(keyShown, 'key', `holds a private key that cannot be read (${(error as Error).message.split('\n')[0]})`, keySource))
      }
    }
  }
  if (!certs) return undefined
  return {cert: certs[0]!, key, chain, certSource, chainSource: signing.chain.length ? ctx.doc.locate(['signing', 'chain']) : certSource}
}

async function loadPkcs12(ctx: RuleContext, signing: Signing, findings: Finding[]): Promise<Identity | undefined> {
  const source = ctx.doc.locate(['signing', 'pkcs12'])
  const shown = displayPath(ctx.settings.file, signing.pkcs12!)
  const read = readNamedFile(resolve(ctx.settings.baseDir, signing.pkcs12!), 'PKCS#12 file')
  if ('problem' in read) {
    findings.push(unreadable(shown, 'PKCS#12', read.problem, source))
    return undefined
  }
  // node-forge is heavy: loaded only when settings name a PKCS#12 file.
  const {default: forge} = await import('node-forge')
  let asn1: ReturnType<typeof forge.asn1.fromDer>
  try {
    asn1 = forge.asn1.fromDer(forge.util.createBuffer(read.bytes.toString('binary')))
  } catch {
    findings.push(invalid(shown, 'PKCS#12', 'is not a PKCS#12 (.p12/.pfx) file', source))
    return undefined
  }
  const passphrase = passphraseOf(ctx, signing)
  let p12: ReturnType<typeof forge.pkcs12.pkcs12FromAsn1> | undefined
  for (const attempt of passphrase === undefined ? [''] : [passphrase]) {
    try {
      p12 = forge.pkcs12.pkcs12FromAsn1(asn1, attempt)
    } catch {
      p12 = undefined
    }
  }
  if (!p12) {
    if (passphrase === undefined) {
      findings.push(passphraseMissing(ctx, signing, `PKCS#12 file "${shown}"`, source))
    } else {
      findings.push({
        code: 'signing-passphrase-wrong',
        severity: 'error',
        message: `The passphrase in ${signing.passphraseEnv} does not open the PKCS#12 file "${shown}" (or it uses an algorithm node-forge cannot read): build cannot sign with it.`,
        fix: `Check the value of ${signing.passphraseEnv} (it is never printed); if it is right, export the file again with \`openssl pkcs12 -export -certpbe AES-256-CBC -keypbe AES-256-CBC -macalg sha256\`.`,
        source: ctx.doc.locate(['signing', 'passphraseEnv']),
      })
    }
    return undefined
  }
  const certs: ParsedCertificate[] = []
  let key: KeyObject | undefined
  try {
    for (const bag of p12.getBags({bagType: CERT_BAG})[CERT_BAG] ?? []) {
      if (bag.cert) certs.push(parseCertificate(Buffer.from(forge.asn1.toDer(forge.pki.certificateToAsn1(bag.cert)).getBytes(), 'binary')))
    }
    for (const type of [SHROUDED_KEY_BAG, KEY_BAG]) {
      const bag = p12.getBags({bagType: type})[type]?.[0]
      if (bag?.key && !key) key = createPrivateKey(forge.pki.privateKeyToPem(bag.key))
    }
  } catch (error) {
    findings.push(invalid(shown, 'PKCS#12', `cannot be read (${(error as Error).message})`, source))
    return undefined
  }
  if (certs.length === 0 || !key) {
    findings.push(invalid(shown, 'PKCS#12', certs.length === 0 ? 'holds no certificate' : 'holds no private key', source))
    return undefined
  }
  const publicDer = spki(createPublicKey(key))
  const leafIndex = Math.max(0, certs.findIndex((c) => spki(c.x509.publicKey).equals(publicDer)))
  const [leaf] = certs.splice(leafIndex, 1)
  const chain = certs
  signing.chain.forEach((path, i) => {
    const more = readCertificates(ctx, path, 'chain', ctx.doc.locate(['signing', 'chain', i]), findings)
    if (more) pushAll(chain, more)
  })
  return {cert: leaf!, key, chain, certSource: source, chainSource: signing.chain.length ? ctx.doc.locate(['signing', 'chain']) : source}
}

function spki(key: KeyObject): Buffer {
  return key.export({type: 'spki', format: 'der'})
}

function checkIdentity(ctx: RuleContext, id: Identity, findings: Finding[]): void {
  const {info} = id.cert
  const subject = certificateName(info)
  if (id.key && !spki(createPublicKey(id.key)).equals(spki(id.cert.x509.publicKey))) {
    findings.push({
      code: 'signing-key-mismatch',
      severity: 'error',
      message: `The signing key does not belong to the signing certificate ("${subject}"): signatures made with it would not verify, and devices would show the profile as "Not Verified" or refuse it.`,
      fix: 'Use the private key the certificate was issued for (compare `openssl x509 -noout -pubkey -in cert.pem` with `openssl pkey -pubout -in key.pem`).',
      source: ctx.doc.locate(['signing', ctx.settings.signing?.pkcs12 ? 'pkcs12' : 'key']),
    })
  }
  const validity = validityProblem(id.cert, ctx.options)
  if (validity?.kind === 'expired' || validity?.kind === 'not-yet-valid') {
    findings.push({
      code: 'signing-expired',
      severity: 'error',
      message: `The signing certificate ("${subject}") ${validity.kind === 'expired' ? `expired on ${validity.date}` : `is not valid until ${validity.date}`}: profiles signed with it show as "Not Verified" and MDMs may refuse them.`,
      fix: 'Renew the signing certificate.',
      source: id.certSource,
    })
  } else if (validity?.kind === 'expiring') {
    findings.push({
      code: 'signing-expiring',
      severity: 'warning',
      message: `The signing certificate ("${subject}") expires on ${validity.date}, in ${validity.days} day${validity.days === 1 ? '' : 's'}: profiles signed after that show as "Not Verified".`,
      fix: `Renew the signing certificate before ${validity.date}.`,
      source: id.certSource,
    })
  }
  if (info.selfSigned) return
  if (!id.chain.some((c) => isIssuedBy(id.cert, c))) {
    findings.push({
      code: 'signing-chain-missing',
      severity: 'warning',
      message: id.chain.length === 0
        ? `The signing certificate ("${subject}") is issued by "${info.issuer}" but no chain is given: devices cannot link the signature to a trusted root and show the profile as "Not Verified".`
        : `The signing chain does not contain the issuer of the signing certificate ("${info.issuer}"): devices cannot link the signature to a trusted root and show the profile as "Not Verified".`,
      fix: 'List the issuing CA and any intermediates in `chain`, starting with the certificate that issued the signing certificate.',
      source: id.chainSource,
    })
  }
}
