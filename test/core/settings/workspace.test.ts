// The workspace loader: every file a settings file names is read once, by one loader, for lint and
// build alike. PKCS#12 identities (RSA and EC, encrypted and not) made by `openssl pkcs12 -export`
// lint clean, build, and the profiles verify with `openssl cms -verify`; CA files never smuggle a key.
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {stringify} from 'yaml'

import {buildFromSettingsFile} from '../../../src/core/generate/build-file.js'
import {buildOutputs, type OutputFile} from '../../../src/core/generate/build.js'
import {lintSettingsFile} from '../../../src/core/settings/lint.js'
import {loadWorkspace} from '../../../src/core/settings/workspace.js'
import {makeSigningPki, openssl, opensslVerify, PASSPHRASE, requireOpenssl, type SigningPki} from '../../helpers/signing-fixtures.js'

const enabled = requireOpenssl()

function settingsFile(dir: string, extra: Record<string, unknown>, name = 'mail.yaml'): string {
  const file = join(dir, name)
  writeFileSync(
    file,
    stringify({
      version: 1,
      organization: {name: 'Example', identifier: 'com.example.mail'},
      domains: [{domain: 'example.com', incoming: {protocol: 'imap', host: 'imap.example.com'}, outgoing: {host: 'smtp.example.com'}}],
      ...extra,
    }),
  )
  return file
}

// "Now" when linting: the test PKIs are made in beforeAll, after this module loaded.
const options = (env: Record<string, string> = {}) => ({warnDays: 30, now: new Date(Date.now() + 60_000), env})

describe.each(['rsa', 'ec'] as const)('a %s PKCS#12 signing identity from openssl pkcs12 -export', (keyType) => {
  let pki: SigningPki
  let unencrypted: string
  beforeAll(() => {
    if (!enabled) return
    pki = makeSigningPki({keyType})
    unencrypted = join(pki.dir, 'nopass.p12')
    openssl(['pkcs12', '-export', '-in', pki.signerCert, '-inkey', pki.signerKey, '-certfile', pki.chainFile, '-out', unencrypted, '-passout', 'pass:'])
  })
  afterAll(() => pki?.cleanup())

  it.runIf(enabled)('encrypted: lints clean, builds, and the profile verifies with openssl cms -verify', async () => {
    const file = settingsFile(pki.dir, {signing: {pkcs12: 'signer.p12', chain: [pki.rootCert], passphraseEnv: 'P12_PASS'}})
    const lint = await lintSettingsFile(file, options({P12_PASS: PASSPHRASE}))
    expect(lint.findings.filter((f) => f.severity !== 'info')).toEqual([])
    expect(lint.workspace.signing?.identity?.privateKey.asymmetricKeyType).toBe(keyType)
    const built = await buildFromSettingsFile(file, {env: {P12_PASS: PASSPHRASE}, users: false})
    const profile = built.files.find((f) => f.kind === 'mobileconfig') as OutputFile
    expect(profile.signer?.subject).toContain('Test Profile Signer')
    const verified = opensslVerify(pki, profile.bytes)
    expect(verified.ok, verified.stderr).toBe(true)
    expect(verified.content.toString()).toContain('<key>PayloadType</key>')
  })

  it.runIf(enabled)('unencrypted (empty password, no passphraseEnv): lints clean and builds a verifying profile', async () => {
    const file = settingsFile(pki.dir, {signing: {pkcs12: 'nopass.p12'}}, 'nopass.yaml')
    const lint = await lintSettingsFile(file, options())
    expect(lint.findings.filter((f) => f.severity !== 'info')).toEqual([])
    const built = await buildFromSettingsFile(file, {env: {}, users: false})
    const profile = built.files.find((f) => f.kind === 'mobileconfig') as OutputFile
    expect(opensslVerify(pki, profile.bytes).ok).toBe(true)
  })

  it.runIf(enabled)('encrypted without its passphrase: lint warns, build stops with the variable named, never the passphrase', async () => {
    const file = settingsFile(pki.dir, {signing: {pkcs12: 'signer.p12', passphraseEnv: 'P12_PASS'}}, 'nopassphrase.yaml')
    const lint = await lintSettingsFile(file, options())
    expect(lint.findings.map((f) => f.code)).toEqual(['signing-passphrase-missing'])
    await expect(buildFromSettingsFile(file, {env: {}, users: false})).rejects.toThrow(/P12_PASS/)
  })
})

describe('the loader', () => {
  let pki: SigningPki
  beforeAll(() => {
    if (enabled) pki = makeSigningPki()
  })
  afterAll(() => pki?.cleanup())

  it.runIf(enabled)('reads the CA files and the identity once, into one value the rules and build share', async () => {
    const file = settingsFile(pki.dir, {trust: {caFiles: ['root.pem']}, signing: {certificate: 'signer.pem', key: 'signer.key', chain: ['intermediate.pem']}})
    const workspace = await loadWorkspace(file, {env: {}})
    expect(workspace.caFiles.map((f) => f.certificates.length)).toEqual([1])
    expect(workspace.caFiles[0]!.certificates[0]!.der.equals(openssl(['x509', '-in', pki.rootCert, '-outform', 'DER']))).toBe(true)
    expect(workspace.signing?.identity?.chain).toHaveLength(1)
    expect(workspace.signing?.findings).toEqual([])
  })

  it.runIf(enabled)('does not echo a passphrase written into passphraseEnv (it matches the variable-name pattern)', async () => {
    const file = settingsFile(pki.dir, {signing: {certificate: 'signer.pem', key: 'signer-encrypted.key', passphraseEnv: 'CorrectHorseBattery9', chain: ['chain.pem']}}, 'echo.yaml')
    const lint = await lintSettingsFile(file, options())
    expect(lint.findings.map((f) => f.code)).toEqual(['signing-passphrase-missing'])
    expect(JSON.stringify(lint.findings)).not.toContain('CorrectHorseBattery9')
    await expect(buildFromSettingsFile(file, {env: {}, users: false})).rejects.toThrow(/signing\.passphraseEnv names/)
    await buildFromSettingsFile(file, {env: {}, users: false}).catch((error: Error) => expect(error.message).not.toContain('CorrectHorseBattery9'))
    // A conventional variable name is still named, so the user knows what to set.
    const named = settingsFile(pki.dir, {signing: {certificate: 'signer.pem', key: 'signer-encrypted.key', passphraseEnv: 'SIGN_PASS', chain: ['chain.pem']}}, 'named.yaml')
    expect((await lintSettingsFile(named, options())).findings[0]?.fix).toContain('Set SIGN_PASS in the environment')
  })
})

describe('CA files carry only certificates', () => {
  let pki: SigningPki
  let dir: string
  let keyDer: Buffer
  let rootDer: Buffer
  beforeAll(() => {
    if (!enabled) return
    pki = makeSigningPki()
    dir = mkdtempSync(join(tmpdir(), 'mailprofile-ca-'))
    rootDer = openssl(['x509', '-in', pki.rootCert, '-outform', 'DER'])
    keyDer = openssl(['pkey', '-in', pki.rootKey, '-outform', 'DER'])
    writeFileSync(join(dir, 'ca.der'), Buffer.concat([rootDer, keyDer]))
    writeFileSync(join(dir, 'ca-key.pem'), readFileSync(pki.rootCert, 'utf8') + readFileSync(pki.rootKey, 'utf8'))
    writeFileSync(join(dir, 'intermediate.pem'), readFileSync(pki.intermediateCert))
    writeFileSync(join(dir, 'chain.pem'), readFileSync(pki.intermediateCert, 'utf8') + readFileSync(pki.rootCert, 'utf8'))
  })
  afterAll(() => {
    pki?.cleanup()
    if (dir) rmSync(dir, {recursive: true, force: true})
  })

  const keyIn = (bytes: Buffer) => bytes.includes(keyDer) || bytes.includes(Buffer.from(keyDer.toString('base64').slice(0, 64)))

  it.runIf(enabled)('a DER root with a key appended (cat root.der key.der): lint refuses it, build writes nothing, the key is never embedded', async () => {
    const file = settingsFile(dir, {trust: {caFiles: ['ca.der']}}, 'der.yaml')
    const lint = await lintSettingsFile(file, options())
    expect(lint.findings.map((f) => f.code)).toEqual(['ca-file-trailing-data'])
    expect(lint.findings[0]!.message).toContain('private key')
    const built = await buildFromSettingsFile(file, {env: {}, users: false})
    expect(built.files).toEqual([])
    expect(built.findings.map((f) => f.code)).toContain('build-refused-lint-errors')
    // Even a caller that ignores the finding gets only the certificate's own bytes in the profile.
    const workspace = await loadWorkspace(file, {env: {}})
    const caFiles = workspace.caFiles.map((f) => ({...f, findings: []}))
    const profile = buildOutputs(workspace.settings!, {users: false, caFiles}).files.find((f) => f.kind === 'mobileconfig')!
    expect(profile.bytes.includes(Buffer.from(rootDer.toString('base64').slice(0, 64)))).toBe(true)
    expect(keyIn(profile.bytes)).toBe(false)
  })

  it.runIf(enabled)('a PEM root with its private key next to it: lint says so, the key is never embedded', async () => {
    const file = settingsFile(dir, {trust: {caFiles: ['ca-key.pem']}}, 'pem.yaml')
    const lint = await lintSettingsFile(file, options())
    expect(lint.findings.map((f) => f.code)).toEqual(['ca-file-private-key'])
    expect((await buildFromSettingsFile(file, {env: {}, users: false})).files).toEqual([])
    const workspace = await loadWorkspace(file, {env: {}})
    const profile = buildOutputs(workspace.settings!, {users: false, caFiles: workspace.caFiles.map((f) => ({...f, findings: []}))}).files.find((f) => f.kind === 'mobileconfig')!
    expect(keyIn(profile.bytes)).toBe(false)
    expect(profile.bytes.toString()).not.toContain('PRIVATE KEY')
  })

  it.runIf(enabled)('an intermediate alone is not a trust anchor (ca-file-not-root, build refuses); with its root it is fine', async () => {
    const alone = await lintSettingsFile(settingsFile(dir, {trust: {caFiles: ['intermediate.pem']}}, 'int.yaml'), options())
    expect(alone.findings.map((f) => f.code)).toEqual(['ca-file-not-root'])
    expect(alone.findings[0]!.fix).toContain('Test Signing Root')
    expect((await buildFromSettingsFile(join(dir, 'int.yaml'), {env: {}, users: false})).files).toEqual([])
    const withRoot = await lintSettingsFile(settingsFile(dir, {trust: {caFiles: ['chain.pem']}}, 'chain.yaml'), options())
    expect(withRoot.findings.filter((f) => f.severity !== 'info')).toEqual([])
  })
})

describe('profile identifiers', () => {
  it('a domain identifier inside another domain\'s user identifiers: lint reports it and build refuses instead of aborting', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mailprofile-ids-'))
    try {
      const file = settingsFile(dir, {
        domains: [
          {domain: 'example.com', incoming: {protocol: 'imap', host: 'imap.example.com'}, outgoing: {host: 'smtp.example.com'}},
          {domain: 'example.org', identifier: 'com.example.mail.com.example.user', incoming: {protocol: 'imap', host: 'imap.example.org'}, outgoing: {host: 'smtp.example.org'}},
        ],
        users: [{address: 'profile@example.com'}],
      })
      const built = await buildFromSettingsFile(file, {env: {}})
      expect(built.findings.map((f) => f.code)).toEqual(['profile-identifier-collision', 'build-refused-lint-errors'])
      expect(built.files).toEqual([])
    } finally {
      rmSync(dir, {recursive: true, force: true})
    }
  })
})
