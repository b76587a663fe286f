/**
 * A throw-away signing PKI made with the openssl CLI: a root CA, an intermediate CA and a signer
 * certificate (RSA-2048 or ECDSA P-256), plus the signer key as plain PEM, encrypted PEM and a
 * PKCS#12 file. Tests that need openssl call `requireOpenssl()`: it skips them when openssl is
 * missing on a developer machine and fails them under CI=true.
 */
import {execFileSync, spawnSync} from 'node:child_process'
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

export const PASSPHRASE = 'correct horse battery staple'

export interface SigningPki {
  dir: string
  keyType: 'rsa' | 'ec'
  rootCert: string
  rootKey: string
  intermediateCert: string
  intermediateKey: string
  signerCert: string
  signerKey: string
  /** The signer key encrypted with PASSPHRASE (PKCS#8, AES-256). */
  signerKeyEncrypted: string
  /** Signer cert + key + intermediate, encrypted with PASSPHRASE. */
  signerP12: string
  /** Intermediate then root, PEM. */
  chainFile: string
  cleanup(): void
}

let opensslPresent: boolean | undefined

export function hasOpenssl(): boolean {
  opensslPresent ??= spawnSync('openssl', ['version'], {stdio: 'ignore'}).status === 0
  return opensslPresent
}

/** Call at the top of a describe block's tests: false means "skip" (never under CI, where it throws). */
export function requireOpenssl(): boolean {
  if (hasOpenssl()) return true
  if (process.env.CI === 'true') throw new Error('openssl is required for these tests under CI but is not installed')
  return false
}

export function openssl(args: string[], options: {input?: Buffer | string; cwd?: string} = {}): Buffer {
  return execFileSync('openssl', args, {input: options.input, cwd: options.cwd, stdio: ['pipe', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024})
}

/** Runs openssl and reports the status instead of throwing. */
export function opensslStatus(args: string[], options: {input?: Buffer | string; cwd?: string} = {}): {status: number; stdout: Buffer; stderr: string} {
  const r = spawnSync('openssl', args, {input: options.input, cwd: options.cwd, maxBuffer: 64 * 1024 * 1024})
  return {status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr.toString()}
}

function newKey(dir: string, name: string, keyType: 'rsa' | 'ec'): string {
  const path = join(dir, `${name}.key`)
  if (keyType === 'rsa') openssl(['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', path])
  else openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', path])
  return path
}

export interface PkiOptions {
  keyType?: 'rsa' | 'ec'
  /** Signer validity in days; -1 makes an already expired signer (notAfter a day before notBefore). */
  signerDays?: number
  /** Subject CN of the signer. */
  signerName?: string
}

export function makeSigningPki(options: PkiOptions = {}): SigningPki {
  const keyType = options.keyType ?? 'rsa'
  const dir = mkdtempSync(join(tmpdir(), 'mailprofile-sign-'))
  const ext = join(dir, 'ext.cnf')
  writeFileSync(
    ext,
    [
      '[ca]',
      'basicConstraints=critical,CA:TRUE',
      'keyUsage=critical,keyCertSign,cRLSign',
      'subjectKeyIdentifier=hash',
      '[leaf]',
      'basicConstraints=critical,CA:FALSE',
      'keyUsage=critical,digitalSignature',
      'extendedKeyUsage=emailProtection,codeSigning',
      'subjectKeyIdentifier=hash',
      'authorityKeyIdentifier=keyid',
      '',
    ].join('\n'),
  )
  const rootKey = newKey(dir, 'root', keyType)
  const rootCert = join(dir, 'root.pem')
  openssl(['req', '-x509', '-new', '-key', rootKey, '-out', rootCert, '-days', '3650', '-subj', '/O=mailprofile tests/CN=Test Signing Root', '-config', ext, '-extensions', 'ca', '-sha256'])
  const intermediateKey = newKey(dir, 'intermediate', keyType)
  const intermediateCert = join(dir, 'intermediate.pem')
  openssl(['req', '-new', '-key', intermediateKey, '-out', join(dir, 'intermediate.csr'), '-subj', '/O=mailprofile tests/CN=Test Signing Intermediate'])
  openssl(['x509', '-req', '-in', join(dir, 'intermediate.csr'), '-CA', rootCert, '-CAkey', rootKey, '-set_serial', '2', '-days', '3650', '-out', intermediateCert, '-extfile', ext, '-extensions', 'ca', '-sha256'])
  const signerKey = newKey(dir, 'signer', keyType)
  const signerCert = join(dir, 'signer.pem')
  openssl(['req', '-new', '-key', signerKey, '-out', join(dir, 'signer.csr'), '-subj', `/O=mailprofile tests/CN=${options.signerName ?? 'Test Profile Signer'}`])
  openssl(['x509', '-req', '-in', join(dir, 'signer.csr'), '-CA', intermediateCert, '-CAkey', intermediateKey, '-set_serial', '0x4d61696c50726f66', '-days', String(options.signerDays ?? 365), '-out', signerCert, '-extfile', ext, '-extensions', 'leaf', '-sha256'])
  const signerKeyEncrypted = join(dir, 'signer-encrypted.key')
  openssl(['pkcs8', '-topk8', '-in', signerKey, '-out', signerKeyEncrypted, '-v2', 'aes-256-cbc', '-passout', `pass:${PASSPHRASE}`])
  const chainFile = join(dir, 'chain.pem')
  writeFileSync(chainFile, Buffer.concat([readFileSync(intermediateCert), readFileSync(rootCert)]))
  const signerP12 = join(dir, 'signer.p12')
  openssl(['pkcs12', '-export', '-in', signerCert, '-inkey', signerKey, '-certfile', intermediateCert, '-out', signerP12, '-passout', `pass:${PASSPHRASE}`, '-name', 'Test Profile Signer'])
  return {
    dir,
    keyType,
    rootCert,
    rootKey,
    intermediateCert,
    intermediateKey,
    signerCert,
    signerKey,
    signerKeyEncrypted,
    signerP12,
    chainFile,
    cleanup: () => rmSync(dir, {recursive: true, force: true}),
  }
}

/** Verifies a DER CMS with `openssl cms -verify` against the PKI's root; returns the extracted content or throws with openssl's message. */
export function opensslVerify(pki: SigningPki, der: Buffer, options: {noverify?: boolean} = {}): {ok: boolean; content: Buffer; stderr: string} {
  const file = join(pki.dir, `verify-${process.hrtime.bigint()}.der`)
  writeFileSync(file, der)
  const args = ['cms', '-verify', '-inform', 'DER', '-in', file, '-purpose', 'any', ...(options.noverify ? ['-noverify'] : ['-CAfile', pki.rootCert])]
  const r = opensslStatus(args)
  rmSync(file, {force: true})
  return {ok: r.status === 0, content: r.stdout, stderr: r.stderr}
}

/** The `signing` settings block that names a test PKI's PEM certificate, key and chain. */
export function signingSettingsFor(pki: SigningPki) {
  return {certificate: pki.signerCert, key: pki.signerKey, chain: [pki.chainFile], source: {file: 'settings.yaml'}}
}
