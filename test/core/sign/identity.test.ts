import {writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {InputError} from '../../../src/core/errors.js'
import {profileSigner} from '../../../src/core/sign/profile-signer.js'
import {loadSigningIdentity, type SigningSettings} from '../../../src/core/sign/identity.js'
import {makeSigningPki, openssl, opensslVerify, PASSPHRASE, requireOpenssl, type SigningPki} from '../../helpers/signing-fixtures.js'

const PROFILE = Buffer.from('<?xml version="1.0" encoding="UTF-8"?>\n<plist version="1.0"><dict/></plist>\n')
const source = {file: 'mail.yaml', line: 12, column: 3}

const signing = (s: Partial<SigningSettings>): SigningSettings => ({chain: [], source, ...s})

async function inputError(promise: Promise<unknown>): Promise<InputError> {
  try {
    await promise
  } catch (error) {
    expect(error).toBeInstanceOf(InputError)
    return error as InputError
  }
  throw new Error('expected an InputError')
}

describe('loadSigningIdentity', () => {
  const enabled = requireOpenssl()
  let pki: SigningPki
  let other: SigningPki
  beforeAll(() => {
    if (!enabled) return
    pki = makeSigningPki()
    other = makeSigningPki({keyType: 'ec'})
  })
  afterAll(() => {
    pki?.cleanup()
    other?.cleanup()
  })

  it.runIf(enabled)('loads a PEM certificate, key and chain (relative paths against baseDir); signatures verify', async () => {
    const id = await loadSigningIdentity(signing({certificate: 'signer.pem', key: 'signer.key', chain: ['intermediate.pem', 'root.pem']}), {baseDir: pki.dir, env: {}})
    expect(id.certificateInfo.commonName).toBe('Test Profile Signer')
    expect(id.chain).toHaveLength(2)
    expect(id.privateKey.asymmetricKeyType).toBe('rsa')
    expect(opensslVerify(pki, profileSigner(id).sign(PROFILE)).ok).toBe(true)
  })

  it.runIf(enabled)('unlocks an encrypted PEM key with the passphrase from the named environment variable', async () => {
    const id = await loadSigningIdentity(signing({certificate: pki.signerCert, key: pki.signerKeyEncrypted, chain: [pki.chainFile], passphraseEnv: 'SIGN_PASS'}), {baseDir: pki.dir, env: {SIGN_PASS: PASSPHRASE}})
    expect(opensslVerify(pki, profileSigner(id).sign(PROFILE)).ok).toBe(true)
  })

  it.runIf(enabled)('refuses an encrypted key when the variable is unset, naming the variable and the file', async () => {
    const e = await inputError(loadSigningIdentity(signing({certificate: 'signer.pem', key: 'signer-encrypted.key', passphraseEnv: 'SIGN_PASS'}), {baseDir: pki.dir, env: {}, settingsFile: 'conf/mail.yaml'}))
    expect(e.message).toContain('SIGN_PASS')
    expect(e.message).toContain('conf/signer-encrypted.key')
    expect(e.location).toEqual(source)
    const noEnv = await inputError(loadSigningIdentity(signing({certificate: 'signer.pem', key: 'signer-encrypted.key'}), {baseDir: pki.dir, env: {}}))
    expect(noEnv.message).toContain('passphraseEnv')
    const absolute = await inputError(loadSigningIdentity(signing({certificate: 'signer.pem', key: pki.signerKeyEncrypted, passphraseEnv: 'SIGN_PASS'}), {baseDir: pki.dir, env: {}, settingsFile: 'conf/mail.yaml'}))
    expect(absolute.message).toContain(`"${pki.signerKeyEncrypted}"`)
  })

  it.runIf(enabled)('refuses a wrong passphrase without ever printing it', async () => {
    const e = await inputError(loadSigningIdentity(signing({certificate: 'signer.pem', key: 'signer-encrypted.key', passphraseEnv: 'SIGN_PASS'}), {baseDir: pki.dir, env: {SIGN_PASS: 'hunter2-wrong'}}))
    expect(e.message).toContain('does not unlock')
    expect(e.message).not.toContain('hunter2-wrong')
    const p12 = await inputError(loadSigningIdentity(signing({pkcs12: 'signer.p12', passphraseEnv: 'SIGN_PASS'}), {baseDir: pki.dir, env: {SIGN_PASS: 'hunter2-wrong'}}))
    expect(p12.message).toContain('does not open')
    expect(p12.message).not.toContain('hunter2-wrong')
  })

  it.runIf(enabled)('loads a PKCS#12 file made by openssl pkcs12 -export (leaf found by key, intermediate as chain)', async () => {
    const id = await loadSigningIdentity(signing({pkcs12: 'signer.p12', passphraseEnv: 'P12_PASS'}), {baseDir: pki.dir, env: {P12_PASS: PASSPHRASE}})
    expect(id.certificateInfo.commonName).toBe('Test Profile Signer')
    expect(id.chain).toHaveLength(1)
    expect(opensslVerify(pki, profileSigner(id).sign(PROFILE)).ok).toBe(true)
  })

  it.runIf(enabled)('loads a PKCS#12 file exported with an empty password and no passphraseEnv', async () => {
    const file = join(pki.dir, 'nopass.p12')
    openssl(['pkcs12', '-export', '-in', pki.signerCert, '-inkey', pki.signerKey, '-certfile', pki.chainFile, '-out', file, '-passout', 'pass:'])
    const id = await loadSigningIdentity(signing({pkcs12: file}), {baseDir: pki.dir, env: {}})
    expect(id.chain).toHaveLength(2)
    expect(opensslVerify(pki, profileSigner(id).sign(PROFILE)).ok).toBe(true)
  })

  it.runIf(enabled)('refuses a key that does not belong to the certificate', async () => {
    const e = await inputError(loadSigningIdentity(signing({certificate: pki.signerCert, key: other.signerKey}), {baseDir: pki.dir, env: {}}))
    expect(e.message).toMatch(/does not belong to the certificate/)
  })

  it.runIf(enabled)('refuses missing files, swapped files and garbage with the file name', async () => {
    expect((await inputError(loadSigningIdentity(signing({certificate: 'nope.pem', key: 'signer.key'}), {baseDir: pki.dir, env: {}}))).message).toMatch(/"nope.pem" cannot be read: .*not found/)
    expect((await inputError(loadSigningIdentity(signing({certificate: 'signer.key', key: 'signer.key'}), {baseDir: pki.dir, env: {}}))).message).toMatch(/"signer.key" holds no certificate/)
    expect((await inputError(loadSigningIdentity(signing({certificate: 'signer.pem', key: 'signer.pem'}), {baseDir: pki.dir, env: {}}))).message).toMatch(/holds no PEM private key \(it holds a certificate\)/)
    writeFileSync(join(pki.dir, 'junk.p12'), 'not a pkcs12 file at all')
    expect((await inputError(loadSigningIdentity(signing({pkcs12: 'junk.p12'}), {baseDir: pki.dir, env: {}}))).message).toMatch(/"junk.p12" is not a PKCS#12/)
    expect((await inputError(loadSigningIdentity(signing({pkcs12: 'signer.p12', certificate: 'signer.pem'}), {baseDir: pki.dir, env: {}}))).message).toMatch(/both/)
  })

  it.runIf(enabled)('loads an ECDSA PKCS#12 file (which node-forge cannot decode itself)', async () => {
    const id = await loadSigningIdentity(signing({pkcs12: other.signerP12, passphraseEnv: 'P'}), {baseDir: other.dir, env: {P: PASSPHRASE}})
    expect(id.privateKey.asymmetricKeyType).toBe('ec')
    expect(id.certificateInfo.commonName).toBe('Test Profile Signer')
    expect(id.chain).toHaveLength(1)
    expect(opensslVerify(other, profileSigner(id).sign(PROFILE)).ok).toBe(true)
  })

  it.runIf(enabled)('loads ECDSA identities', async () => {
    const id = await loadSigningIdentity(signing({certificate: other.signerCert, key: other.signerKeyEncrypted, chain: [other.chainFile], passphraseEnv: 'X'}), {baseDir: other.dir, env: {X: PASSPHRASE}})
    expect(id.privateKey.asymmetricKeyType).toBe('ec')
    expect(opensslVerify(other, profileSigner(id).sign(PROFILE)).ok).toBe(true)
  })
})
