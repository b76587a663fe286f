import {X509Certificate} from 'node:crypto'
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {profileSigner} from '../../src/core/sign/profile-signer.js'
import {loadSigningIdentity} from '../../src/core/sign/identity.js'
import {runCli} from '../helpers/cli.js'
import {makeSigningPki, opensslStatus, requireOpenssl, type SigningPki} from '../helpers/signing-fixtures.js'

const fixture = (name: string) => `test/fixtures/inspect/${name}`

interface JsonDoc {
  command: string
  exitCode: number
  findings: Array<{code: string; severity: string; source?: {file: string}}>
  inputErrors: Array<{file?: string; line?: number; message: string}>
  files: Array<{file: string; ok: boolean}>
  profiles: Array<{file: string; signed: boolean; signature?: {status: string}; payloads: Array<{PayloadType: string}>; findings?: unknown}>
}

describe('mailprofile inspect', () => {
  it('prints the summary (signature, payloads) then the findings; exit 0 for a clean profile', async () => {
    const r = await runCli(['inspect', fixture('configurator-clean.mobileconfig')])
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('Signature: none — the install screen shows "Unverified"')
    expect(r.stdout).toContain('Payloads (2):')
    expect(r.stdout).toContain('[0] com.apple.mail.managed  "IMAP Account (Example Mail)"')
    expect(r.stdout).toContain('IMAP imap.example.net:993 (TLS), SMTP smtp.example.net:587 (STARTTLS)')
    expect(r.stdout.indexOf('Payloads (2):')).toBeLessThan(r.stdout.indexOf('unsigned-profile'))
    expect(r.stdout).toMatch(/✔ 0 errors, 0 warnings, 1 info\n$/)
  })

  it('--json: one document, exit 1 with error findings, profiles without duplicated findings', async () => {
    const r = await runCli(['inspect', '--json', fixture('configurator-messy.mobileconfig'), fixture('configurator-clean.mobileconfig')])
    expect(r.code).toBe(1)
    const doc = JSON.parse(r.stdout) as JsonDoc
    expect(doc.command).toBe('inspect')
    expect(doc.exitCode).toBe(1)
    expect(doc.files).toEqual([
      {file: fixture('configurator-messy.mobileconfig'), ok: true},
      {file: fixture('configurator-clean.mobileconfig'), ok: true},
    ])
    expect(doc.profiles.map((p) => p.payloads.length)).toEqual([2, 2])
    expect(doc.profiles[0]!.findings).toBeUndefined()
    expect(doc.findings.filter((f) => f.source?.file === fixture('configurator-messy.mobileconfig')).map((f) => f.code).sort()).toEqual([
      'duplicate-payload-uuid',
      'password-in-profile',
      'payload-unknown-key',
      'payload-wrong-type',
      'payload-wrong-type',
      'security-none',
      'smtp-port-25',
      'unsigned-profile',
    ])
  })

  it('exit 2 and one stderr line for unreadable input, the rest still inspected', async () => {
    const r = await runCli(['inspect', '--json', fixture('malformed.mobileconfig'), fixture('configurator-clean.mobileconfig')])
    expect(r.code).toBe(2)
    expect(r.stderr.trim().split('\n')).toHaveLength(1)
    expect(r.stderr).toContain(`${fixture('malformed.mobileconfig')}:5:23: property list is malformed`)
    const doc = JSON.parse(r.stdout) as JsonDoc
    expect(doc.inputErrors[0]).toMatchObject({file: fixture('malformed.mobileconfig'), line: 5})
    expect(doc.profiles).toHaveLength(1)
  })

  it('--format github: annotations per finding', async () => {
    const r = await runCli(['inspect', '--format', 'github', fixture('configurator-duplicates.mobileconfig')])
    expect(r.code).toBe(1)
    expect(r.stdout).toContain(`::error file=${fixture('configurator-duplicates.mobileconfig')},title=duplicate-payload-identifier::`)
    expect(r.stdout).toContain('::warning file=')
  })

  it('mailprofile lint accepts .mobileconfig files and reports the same codes', async () => {
    const inspect = JSON.parse((await runCli(['inspect', '--json', fixture('configurator-messy.mobileconfig')])).stdout) as JsonDoc
    const lint = await runCli(['lint', '--json', fixture('configurator-messy.mobileconfig')])
    expect(lint.code).toBe(1)
    const doc = JSON.parse(lint.stdout) as JsonDoc
    expect(doc.command).toBe('lint')
    expect(doc.findings).toEqual(inspect.findings)
  })

  it('explains what build makes from the bundled example: signed, "Verified" once the example root is trusted, openssl agrees', async () => {
    const enabled = requireOpenssl()
    if (!enabled) return
    const out = mkdtempSync(join(tmpdir(), 'mailprofile-inspect-build-'))
    try {
      const built = await runCli(['build', 'examples/provider.yaml', '--out', out, '--only', 'mobileconfig', '--json'])
      expect(built.code).toBe(0)
      const manifest = JSON.parse(built.stdout) as {manifest: {files: Array<{path: string; kind: string; signer: unknown}>}}
      const profiles = manifest.manifest.files.filter((f) => f.kind === 'mobileconfig')
      expect(profiles.length).toBeGreaterThan(1)
      const paths = profiles.map((f) => join(out, f.path))
      for (const path of paths) {
        expect(opensslStatus(['cms', '-verify', '-inform', 'DER', '-in', path, '-CAfile', 'examples/ca/example-root-ca.pem', '-purpose', 'any', '-out', '/dev/null']).status).toBe(0)
      }
      const r = await runCli(['inspect', '--json', '--trust', 'examples/ca/example-root-ca.pem', ...paths])
      expect(r.code).toBe(0)
      const doc = JSON.parse(r.stdout) as JsonDoc
      expect(doc.findings).toEqual([])
      expect(doc.profiles.map((p) => p.signature?.status)).toEqual(paths.map(() => 'Verified'))
    } finally {
      rmSync(out, {recursive: true, force: true})
    }
  })

  describe('signed profiles', () => {
    const enabled = requireOpenssl()
    let pki: SigningPki
    let signed: string
    beforeAll(async () => {
      if (!enabled) return
      pki = makeSigningPki()
      const identity = await loadSigningIdentity({certificate: pki.signerCert, key: pki.signerKey, chain: [pki.chainFile], source: {file: 's.yaml'}}, {baseDir: pki.dir, env: {}})
      signed = join(pki.dir, 'signed.mobileconfig')
      writeFileSync(signed, profileSigner(identity).sign(readFileSync(fixture('configurator-clean.mobileconfig'))))
    })
    afterAll(() => pki?.cleanup())

    it.runIf(enabled)('says "Not Verified" for a private root, "Verified" with --trust', async () => {
      const r = await runCli(['inspect', signed])
      expect(r.code).toBe(0)
      expect(r.stdout).toContain('Signature: the install screen shows "Not Verified"')
      expect(r.stdout).toContain('Signed by  O=mailprofile tests, CN=Test Profile Signer')
      expect(r.stdout).toContain('signer-untrusted')
      const trusted = await runCli(['inspect', '--trust', pki.rootCert, '--json', signed])
      const doc = JSON.parse(trusted.stdout) as JsonDoc
      expect(doc.profiles[0]!.signature!.status).toBe('Verified')
      expect(doc.findings).toEqual([])
    })

    it.runIf(enabled)('reads profiles signed by streaming signers (openssl cms/smime -sign -stream: BER, segmented content) as openssl does', async () => {
      for (const tool of ['cms', 'smime']) {
        const streamed = join(pki.dir, `streamed-${tool}.mobileconfig`)
        const der = opensslStatus([tool, '-sign', '-stream', '-nodetach', '-binary', '-outform', 'DER', '-in', fixture('configurator-clean.mobileconfig'), '-signer', pki.signerCert, '-inkey', pki.signerKey, '-certfile', pki.intermediateCert])
        expect(der.status, der.stderr).toBe(0)
        expect(der.stdout.includes(Buffer.from([0xa0, 0x80, 0x24, 0x80])), tool).toBe(true)
        writeFileSync(streamed, der.stdout)
        expect(opensslStatus(['cms', '-verify', '-inform', 'DER', '-in', streamed, '-CAfile', pki.rootCert, '-purpose', 'any', '-out', '/dev/null']).status).toBe(0)
        const r = await runCli(['inspect', '--trust', pki.rootCert, '--json', streamed])
        expect(r.code, r.stdout + r.stderr).toBe(0)
        const doc = JSON.parse(r.stdout) as JsonDoc
        expect(doc.profiles[0]!.signed).toBe(true)
        expect(doc.profiles[0]!.signature!.status).toBe('Verified')
        expect(doc.profiles[0]!.payloads.length).toBeGreaterThan(0)
        expect(doc.findings).toEqual([])
      }
    })

    it.runIf(enabled)('--apple-trust-store: a snapshot of Apple\'s store that holds the signer\'s root shows "Verified", with that version', async () => {
      const root = new X509Certificate(readFileSync(pki.rootCert))
      const store = join(pki.dir, 'trust-store.json')
      writeFileSync(store, JSON.stringify({version: '2099010100', roots: [{sha256: root.fingerprint256.replaceAll(':', ''), name: 'Test Root', der: root.raw.toString('base64')}], removed: []}))
      const r = await runCli(['inspect', '--apple-trust-store', store, '--json', signed])
      expect(r.code, r.stderr).toBe(0)
      const doc = JSON.parse(r.stdout) as JsonDoc & {profiles: Array<{signature?: {trustStoreVersion?: string; anchor?: {source: string}}}>}
      expect(doc.profiles[0]!.signature).toMatchObject({status: 'Verified', trustStoreVersion: '2099010100', anchor: {source: 'apple'}})
      expect(doc.findings).toEqual([])
    })

    it.runIf(enabled)('--strict turns the untrusted-signer warning into exit 1', async () => {
      expect((await runCli(['inspect', signed])).code).toBe(0)
      expect((await runCli(['inspect', '--strict', signed])).code).toBe(1)
    })

    it.runIf(enabled)('a --trust file without certificates is a usage error', async () => {
      const r = await runCli(['inspect', '--trust', pki.signerKey, signed])
      expect(r.code).toBe(2)
      expect(r.stderr).toContain('--trust file holds no certificate')
    })
  })
})
