// `mailprofile build` as a user runs it: the built CLI (npm run build first), real files in temp dirs,
// outputs checked with independent tools (openssl cms, plistlib, xmllint).
import {execFileSync, spawnSync} from 'node:child_process'
import {createHash} from 'node:crypto'
import {existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {parse} from 'plist'
import {describe, expect, it} from 'vitest'
import {stringify} from 'yaml'

import {ROOT, runCli} from '../helpers/cli.js'
import {HAVE_PYTHON, HAVE_XMLLINT, missing, plistlibParse, xmllintRelaxng} from '../core/generate/tools.js'
import {baseSettings} from '../core/generate/settings-fixture.js'

const HAVE_OPENSSL = spawnSync('openssl', ['version'], {stdio: 'ignore'}).status === 0

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'mp-build-'))
}

function listFiles(dir: string, prefix = ''): string[] {
  return readdirSync(dir, {withFileTypes: true})
    .flatMap((e) => (e.isDirectory() ? listFiles(join(dir, e.name), `${prefix}${e.name}/`) : [`${prefix}${e.name}`]))
    .sort()
}

function settingsFile(patch: (d: Record<string, unknown> & {profile: Record<string, unknown>; domains: Array<Record<string, unknown>>}) => void = () => {}): string {
  const d = baseSettings() as Parameters<typeof patch>[0]
  patch(d)
  const dir = tmp()
  const file = join(dir, 'settings.yaml')
  writeFileSync(file, stringify(d))
  return file
}

describe('mailprofile build', () => {
  it('builds the single-domain example: profiles, Autodiscover, autoconfig, DDM, DNS, web server snippets and a manifest whose hashes match', async () => {
    const out = tmp()
    const r = await runCli(['build', 'examples/single-domain.yaml', '--out', out])
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/^Wrote 22 files to /)
    const files = listFiles(out)
    expect(files).toContain('example.com/example.com.mobileconfig')
    expect(files).toContain('example.com/users/dr.hale@example.com.mobileconfig')
    expect(files).toContain('example.com/mail/config-v1.1.xml')
    expect(files).toContain('example.com/webserver/nginx.conf')
    expect(files).toContain('example.com/webserver/apache.conf')
    expect(files).toContain('manifest.json')
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'))
    expect(manifest.files.map((f: {path: string}) => f.path)).toEqual(files.filter((f) => f !== 'manifest.json'))
    for (const f of manifest.files) {
      const bytes = readFileSync(join(out, f.path))
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(f.sha256)
      expect(bytes.length).toBe(f.size)
    }
    expect(readdirSync(join(out, 'example.com')).some((n) => n.endsWith('.tmp'))).toBe(false)
  })

  it('builds 300 signed per-user profiles on worker threads byte-identical to one thread, and leaves no staging folder', async () => {
    const file = settingsFile((d) => {
      d.users = Array.from({length: 300}, (_, i) => ({address: `user${i}@example.com`, name: `User ${i}`}))
      d.signing = {certificate: join(ROOT, 'examples/signing/signing-cert.pem'), key: join(ROOT, 'examples/signing/signing-key.pem'), chain: [join(ROOT, 'examples/signing/chain.pem')]}
    })
    const one = tmp()
    const many = tmp()
    const single = await runCli(['build', file, '--out', one, '--threads', '1', '--json'])
    expect(single.code, single.stderr).toBe(0)
    const parallel = await runCli(['build', file, '--out', many, '--threads', '2', '--json'])
    expect(parallel.code, parallel.stderr).toBe(0)
    const files = listFiles(one)
    expect(files.filter((f) => f.includes('/users/') && f.endsWith('.mobileconfig'))).toHaveLength(300)
    expect(listFiles(many)).toEqual(files)
    for (const f of files) expect(readFileSync(join(many, f)).equals(readFileSync(join(one, f))), f).toBe(true)
    expect(readdirSync(many).filter((n) => n.startsWith('.mailprofile-staging-'))).toEqual([])
    expect((JSON.parse(parallel.stdout) as {manifest: unknown}).manifest).toEqual((JSON.parse(single.stdout) as {manifest: unknown}).manifest)
    // A staging folder left by a killed build (its process is gone) is cleaned up by the next one.
    mkdirSync(join(many, '.mailprofile-staging-4194311', 'example.com'), {recursive: true})
    expect((await runCli(['build', file, '--out', many, '--only', 'dns'])).code).toBe(0)
    expect(readdirSync(many).filter((n) => n.startsWith('.mailprofile-staging-'))).toEqual([])
  }, 120_000)

  it('reports the files of a removed user as stale-output and lists them in the manifest; --prune removes exactly those', async () => {
    const out = tmp()
    const withUsers = settingsFile((d) => {
      d.users = [
        {address: 'alice@example.com', name: 'Alice Example'},
        {address: 'bob@example.com', name: 'Bob Example'},
      ]
    })
    expect((await runCli(['build', withUsers, '--out', out])).code).toBe(0)
    const before = listFiles(out)
    const bobFiles = before.filter((f) => f.includes('bob@example.com'))
    expect(bobFiles.length).toBeGreaterThan(1)
    const bobProfile = bobFiles.find((f) => f.endsWith('.mobileconfig'))!
    const withoutBob = settingsFile((d) => {
      d.users = [{address: 'alice@example.com', name: 'Alice Example'}]
    })
    type Entry = {path: string; user: string | null; payloadIdentifier: string | null}
    type Doc = {exitCode: number; findings: Array<{code: string; severity: string; message: string}>; pruned: string[]; manifest: {files: Entry[]; stale?: Entry[]}}
    const manifestOnDisk = () => JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as Doc['manifest']

    // Without --prune: reported (info, exit 0), left in place, listed under `stale` instead of `files`.
    const kept = await runCli(['build', withoutBob, '--out', out, '--json'])
    expect(kept.code, kept.stderr).toBe(0)
    const keptDoc = JSON.parse(kept.stdout) as Doc
    const stale = keptDoc.findings.find((f) => f.code === 'stale-output')
    expect(stale?.severity).toBe('info')
    expect(stale?.message).toContain(bobFiles[0])
    expect(keptDoc.pruned).toEqual([])
    expect(listFiles(out)).toEqual(before)
    expect(keptDoc.manifest.files.filter((f) => f.path.includes('bob@'))).toEqual([])
    expect(keptDoc.manifest.stale?.map((f) => f.path)).toEqual(bobFiles)
    expect(keptDoc.manifest.stale?.find((f) => f.path === bobProfile)?.payloadIdentifier).toMatch(/bob/)
    expect(manifestOnDisk()).toEqual(keptDoc.manifest)

    // A second run without --prune still knows them (from `stale`); --no-users carries them over.
    const second = JSON.parse((await runCli(['build', withoutBob, '--out', out, '--json'])).stdout) as Doc
    expect(second.manifest.stale?.map((f) => f.path)).toEqual(bobFiles)
    const noUsers = JSON.parse((await runCli(['build', withoutBob, '--out', out, '--no-users', '--json'])).stdout) as Doc
    expect(noUsers.findings.map((f) => f.code)).not.toContain('stale-output')
    expect(noUsers.manifest.stale?.map((f) => f.path)).toEqual(bobFiles)

    // --prune: unchanged stale files go; one edited since stays, with a warning, still listed as stale.
    writeFileSync(join(out, bobProfile), 'changed by someone')
    const pruned = await runCli(['build', withoutBob, '--out', out, '--prune', '--json'])
    expect(pruned.code, pruned.stderr).toBe(0)
    const prunedDoc = JSON.parse(pruned.stdout) as Doc
    expect(prunedDoc.pruned).toEqual(bobFiles.filter((f) => f !== bobProfile))
    expect(prunedDoc.findings.filter((f) => f.code.startsWith('stale-')).map((f) => [f.code, f.severity])).toEqual([['stale-output-modified', 'warning']])
    expect(listFiles(out)).toEqual(before.filter((f) => !bobFiles.includes(f) || f === bobProfile))
    expect(prunedDoc.manifest.stale?.map((f) => f.path)).toEqual([bobProfile])

    // Once nothing is stale, the manifest is the ordinary one again (no `stale` key), and the text says what went.
    expect((await runCli(['build', withUsers, '--out', out])).code).toBe(0)
    const again = await runCli(['build', withoutBob, '--out', out, '--prune'])
    expect(again.code).toBe(0)
    expect(again.stdout).toMatch(/Removed \d+ files an earlier build wrote that these settings no longer produce: .*bob@example\.com/)
    expect(Object.keys(manifestOnDisk())).not.toContain('stale')
    expect(listFiles(out).filter((f) => f.includes('bob@'))).toEqual([])
  })

  it.skipIf(missing(HAVE_PYTHON) || missing(HAVE_XMLLINT))('writes files independent tools accept', async () => {
    const out = tmp()
    expect((await runCli(['build', 'examples/pop3-starttls.yaml', '--out', out])).code).toBe(0)
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as {files: Array<{path: string; kind: string; payloadUuid: string}>}
    for (const f of manifest.files) {
      const bytes = readFileSync(join(out, f.path))
      if (f.kind === 'mobileconfig') {
        const py = plistlibParse(bytes) as Record<string, unknown>
        expect(py.PayloadVersion).toEqual({$int: 1})
        expect(py.PayloadUUID).toBe(f.payloadUuid)
      }
      if (f.kind === 'autoconfig') expect(xmllintRelaxng(bytes).ok).toBe(true)
    }
  })

  it('is byte-identical across runs', async () => {
    const a = tmp()
    const b = tmp()
    expect((await runCli(['build', 'examples/provider.yaml', '--out', a])).code).toBe(0)
    expect((await runCli(['build', 'examples/provider.yaml', '--out', b])).code).toBe(0)
    const files = listFiles(a)
    expect(listFiles(b)).toEqual(files)
    for (const f of files) expect(readFileSync(join(b, f)).equals(readFileSync(join(a, f)))).toBe(true)
  })

  it.skipIf(missing(HAVE_OPENSSL))('signs the provider example so that openssl cms -verify accepts it against the example CA', async () => {
    if (!HAVE_OPENSSL) throw new Error('openssl is required (CI=true)')
    const out = tmp()
    expect((await runCli(['build', 'examples/provider.yaml', '--out', out, '--no-users', '--only', 'mobileconfig'])).code).toBe(0)
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'))
    expect(manifest.files).toHaveLength(3)
    for (const f of manifest.files) {
      expect(f.signer.subject).toContain('CN=Example Mail Profile Signing (EXAMPLE ONLY)')
      const content = execFileSync('openssl', ['cms', '-verify', '-inform', 'DER', '-in', join(out, f.path), '-CAfile', join(ROOT, 'examples', 'ca', 'example-root-ca.pem'), '-purpose', 'any'], {stdio: ['ignore', 'pipe', 'pipe']})
      const profile = parse(content.toString('utf8')) as Record<string, unknown>
      expect(profile.PayloadType).toBe('Configuration')
      expect(profile.PayloadIdentifier).toBe(f.payloadIdentifier)
    }
  })

  it('--json prints one JSON document with the manifest', async () => {
    const out = tmp()
    const r = await runCli(['build', 'examples/single-domain.yaml', '--out', out, '--json', '--only', 'mobileconfig,dns', '--no-users'])
    expect(r.code).toBe(0)
    const doc = JSON.parse(r.stdout)
    expect(doc).toMatchObject({command: 'build', exitCode: 0, out})
    expect(doc.manifest.files.map((f: {kind: string}) => f.kind)).toEqual(['dns', 'mobileconfig'])
    expect(doc.findings.map((f: {code: string}) => f.code)).toEqual(['profile-unsigned'])
  })

  it('--out - writes the one profile to stdout and the report to stderr', async () => {
    const r = await runCli(['build', 'examples/single-domain.yaml', '--out', '-', '--no-users'])
    expect(r.code).toBe(0)
    const profile = parse(r.stdout) as Record<string, unknown>
    expect(profile.PayloadIdentifier).toBe('com.example.mail.com.example.profile')
    expect(r.stderr).toContain('profile-unsigned')
    const many = await runCli(['build', 'examples/single-domain.yaml', '--out', '-'])
    expect(many.code).toBe(2)
    expect(many.stdout).toBe('')
    expect(many.stderr).toContain('--out - writes exactly one .mobileconfig, but these settings give 3')
  })

  it('exits 2 for --pin without --embed-server-root, or a pin that is not a SHA-256', async () => {
    const alone = await runCli(['build', 'examples/single-domain.yaml', '--pin', 'AA'.repeat(32), '--out', tmp()])
    expect(alone.code).toBe(2)
    expect(alone.stderr).toContain('--pin is only used with --embed-server-root')
    const bad = await runCli(['build', 'examples/single-domain.yaml', '--embed-server-root', '--pin', 'abc', '--out', tmp()])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain('--pin "abc" is not a SHA-256 fingerprint')
  })

  it('exits 2 for an unknown --only kind', async () => {
    const r = await runCli(['build', 'examples/single-domain.yaml', '--only', 'mobileconfig,pdf', '--out', tmp()])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('--only takes a comma-separated list')
  })

  it('writes nothing and exits 1 when lint finds errors', async () => {
    const out = join(tmp(), 'out')
    const file = settingsFile((d) => {
      d.domains[0]!.incoming = {protocol: 'imap', host: 'imap.example.com', port: 143, security: 'none'}
    })
    const r = await runCli(['build', file, '--out', out, '--json'])
    expect(r.code).toBe(1)
    const doc = JSON.parse(r.stdout)
    expect(doc.findings.map((f: {code: string}) => f.code)).toContain('build-refused-lint-errors')
    expect(doc.manifest).toBeNull()
    expect(existsSync(out)).toBe(false)
  })

  it('refuses XML-illegal control characters, naming the field, and writes nothing', async () => {
    const out = join(tmp(), 'out')
    const file = settingsFile((d) => {
      d.profile.description = 'Escape \u001b[31m here'
    })
    const r = await runCli(['build', file, '--out', out])
    expect(r.code).toBe(1)
    expect(r.stdout).toContain('xml-invalid-character')
    expect(r.stdout).toContain('profile.description holds U+001B')
    expect(r.stdout).toContain('Nothing was written')
    expect(existsSync(out)).toBe(false)
  })

  it('exits 2 for a missing settings file', async () => {
    const r = await runCli(['build', 'no-such-file.yaml', '--out', tmp()])
    expect(r.code).toBe(2)
    expect(r.stderr).not.toContain('    at ')
  })
})

describe('mailprofile build --check', () => {
  async function withServers(dnsNames: string[], run: (file: string, args: string[]) => Promise<void>): Promise<void> {
    const {createChain} = await import('../helpers/pki.js')
    const {startMailServer} = await import('../servers/index.js')
    const chain = createChain({dnsNames, label: 'Build Check'})
    const tlsOpts = {key: chain.leaf.keyPem, cert: chain.serverChainPem}
    const imap = await startMailServer({protocol: 'imap', mode: 'implicit', tls: tlsOpts})
    const smtp = await startMailServer({protocol: 'smtp', mode: 'implicit', tls: tlsOpts})
    try {
      const dir = tmp()
      writeFileSync(join(dir, 'root.pem'), chain.root.pem)
      const doc = baseSettings() as Record<string, unknown> & {domains: Array<Record<string, unknown>>}
      doc.domains[0]!.incoming = {protocol: 'imap', host: 'mail.example.com', port: imap.port, security: 'ssl'}
      doc.domains[0]!.outgoing = {host: 'mail.example.com', port: smtp.port, security: 'ssl'}
      doc.trust = {caFiles: ['root.pem']}
      const file = join(dir, 'settings.yaml')
      writeFileSync(file, stringify(doc))
      await run(file, ['--check', '--resolve', `mail.example.com:${imap.port}:127.0.0.1`, '--resolve', `mail.example.com:${smtp.port}:127.0.0.1`, '--timeout', '5'])
    } finally {
      await imap.close()
      await smtp.close()
    }
  }

  it('probes the servers first and builds when their certificates are good', async () => {
    await withServers(['mail.example.com'], async (file, args) => {
      const out = join(tmp(), 'out')
      const r = await runCli(['build', file, '--out', out, '--json', ...args])
      const doc = JSON.parse(r.stdout)
      expect(doc.findings.filter((f: {severity: string}) => f.severity === 'error')).toEqual([])
      expect(r.code).toBe(0)
      expect(doc.check.endpoints).toHaveLength(2)
      expect(existsSync(join(out, 'example.com', 'example.com.mobileconfig'))).toBe(true)
    })
  })

  it('writes nothing when a certificate does not cover the host name', async () => {
    await withServers(['other.example.com'], async (file, args) => {
      const out = join(tmp(), 'out')
      const r = await runCli(['build', file, '--out', out, '--json', ...args])
      expect(r.code).toBe(1)
      const codes = JSON.parse(r.stdout).findings.map((f: {code: string}) => f.code)
      expect(codes).toContain('build-refused-check-errors')
      expect(existsSync(out)).toBe(false)
    })
  })
})

describe('mailprofile build --embed-server-root', () => {
  type Servers = Array<{connections: number; handshakes: number}>
  async function withPrivateServer(run: (file: string, args: string[], rootSha256: string, rootDer: Buffer, servers: Servers) => Promise<void>, pins: (rootSha: string) => string[]): Promise<void> {
    const {createChain} = await import('../helpers/pki.js')
    const {startMailServer} = await import('../servers/index.js')
    const chain = createChain({dnsNames: ['mail.example.com'], label: 'Embed'})
    // The server sends its whole chain, root included.
    const tlsOpts = {key: chain.leaf.keyPem, cert: chain.fullChainPem}
    const imap = await startMailServer({protocol: 'imap', mode: 'implicit', tls: tlsOpts})
    const smtp = await startMailServer({protocol: 'smtp', mode: 'implicit', tls: tlsOpts})
    try {
      const dir = tmp()
      const doc = baseSettings() as Record<string, unknown> & {domains: Array<Record<string, unknown>>}
      doc.domains[0]!.incoming = {protocol: 'imap', host: 'mail.example.com', port: imap.port, security: 'ssl'}
      doc.domains[0]!.outgoing = {host: 'mail.example.com', port: smtp.port, security: 'ssl'}
      doc.users = []
      const sha = chain.root.x509.fingerprint256
      doc.trust = {pins: pins(sha)}
      const file = join(dir, 'settings.yaml')
      writeFileSync(file, stringify(doc))
      await run(file, ['--embed-server-root', '--resolve', `mail.example.com:${imap.port}:127.0.0.1`, '--resolve', `mail.example.com:${smtp.port}:127.0.0.1`, '--timeout', '5'], sha, chain.root.der, [imap, smtp])
    } finally {
      await imap.close()
      await smtp.close()
    }
  }

  it('embeds the pinned private root the servers send, and the check then trusts it', async () => {
    await withPrivateServer(
      async (file, args, _sha, rootDer) => {
        const out = join(tmp(), 'out')
        const r = await runCli(['build', file, '--out', out, '--json', '--only', 'mobileconfig', ...args])
        const doc = JSON.parse(r.stdout)
        expect(doc.findings.filter((f: {severity: string}) => f.severity === 'error')).toEqual([])
        expect(r.code).toBe(0)
        const profile = parse(readFileSync(join(out, 'example.com', 'example.com.mobileconfig'), 'utf8')) as {PayloadContent: Array<Record<string, unknown>>}
        const roots = profile.PayloadContent.filter((p) => p.PayloadType === 'com.apple.security.root')
        expect(roots).toHaveLength(1)
        expect(Buffer.from(roots[0]!.PayloadContent as Uint8Array).equals(rootDer)).toBe(true)
      },
      (sha) => [sha],
    )
  })

  it('connects to each server once: the roots are taken from the check\'s own probe', async () => {
    await withPrivateServer(
      async (file, args, _sha, _rootDer, servers) => {
        const r = await runCli(['build', file, '--out', join(tmp(), 'out'), '--json', '--only', 'mobileconfig', ...args])
        expect(r.code, r.stdout + r.stderr).toBe(0)
        // The root was embedded, so it came from a probe; the check judged that same connection.
        expect(JSON.parse(r.stdout).findings.map((f: {code: string}) => f.code)).not.toContain('server-root-not-embedded')
        for (const server of servers) {
          expect(server.connections).toBe(1)
          expect(server.handshakes).toBe(1)
        }
      },
      (sha) => [sha],
    )
  })

  it('never embeds a root that matches no pin (and then the check fails: nothing is written)', async () => {
    await withPrivateServer(
      async (file, args) => {
        const out = join(tmp(), 'out')
        const r = await runCli(['build', file, '--out', out, '--json', ...args])
        expect(r.code).toBe(1)
        const codes = JSON.parse(r.stdout).findings.map((f: {code: string}) => f.code)
        expect(codes).toContain('server-root-not-pinned')
        // The servers did send their root: no second finding claiming they did not.
        expect(codes).not.toContain('server-root-not-embedded')
        expect(codes).toContain('build-refused-check-errors')
        expect(existsSync(out)).toBe(false)
      },
      () => [],
    )
  })
})
