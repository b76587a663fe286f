import {describe, expect, it} from 'vitest'

import {buildOutputs, xmlCharacterFindings} from '../../../src/core/generate/build.js'
import {GENERATE_CODES} from '../../../src/core/generate/codes.js'
import {safeFileName} from '../../../src/core/generate/write.js'
import {baseSettings, loadFixture} from './settings-fixture.js'
import type {SettingsDoc} from './settings-fixture.js'

describe('buildOutputs', () => {
  const doc = baseSettings() as SettingsDoc
  doc.trust = {caFiles: ['root-ca.pem']}
  doc.users.push({address: 'bob@example.com'})
  const settings = loadFixture(doc)

  it('produces the per-domain and per-user files with manifest entries', () => {
    const r = buildOutputs(settings)
    expect(r.files.map((f) => f.path)).toEqual([
      'example.com/autodiscover-error.xml',
      'example.com/autodiscover.xml',
      'example.com/ddm/example.com.activation.json',
      'example.com/ddm/example.com.credentials.json',
      'example.com/ddm/example.com.json',
      'example.com/ddm/users/alice@example.com.activation.json',
      'example.com/ddm/users/alice@example.com.credentials.json',
      'example.com/ddm/users/alice@example.com.identity.json',
      'example.com/ddm/users/alice@example.com.json',
      'example.com/ddm/users/bob@example.com.activation.json',
      'example.com/ddm/users/bob@example.com.credentials.json',
      'example.com/ddm/users/bob@example.com.identity.json',
      'example.com/ddm/users/bob@example.com.json',
      'example.com/dns.zone',
      'example.com/example.com.mobileconfig',
      'example.com/mail/config-v1.1.xml',
      'example.com/users/alice@example.com.autodiscover.xml',
      'example.com/users/alice@example.com.mobileconfig',
      'example.com/users/bob@example.com.autodiscover.xml',
      'example.com/users/bob@example.com.mobileconfig',
      'example.com/webserver/apache.conf',
      'example.com/webserver/nginx.conf',
    ])
    expect(r.manifest.files.map((f) => f.path)).toEqual(r.files.map((f) => f.path))
    const alice = r.manifest.files.find((f) => f.path === 'example.com/users/alice@example.com.mobileconfig')!
    expect(alice).toMatchObject({kind: 'mobileconfig', domain: 'example.com', user: 'alice@example.com', payloadIdentifier: 'com.example.mail.com.example.user.alice', signer: null})
    expect(alice.payloadUuid).toMatch(/^[0-9A-F-]{36}$/)
    expect(alice.size).toBe(r.files.find((f) => f.path === alice.path)!.bytes.length)
    expect(r.findings.map((f) => f.code)).toEqual(['profile-unsigned'])
    // Each DDM declaration is in the manifest under its own Identifier, and the activation names the configuration.
    const activation = r.files.find((f) => f.path === 'example.com/ddm/users/alice@example.com.activation.json')!
    const configuration = r.manifest.files.find((f) => f.path === 'example.com/ddm/users/alice@example.com.json')!
    expect(JSON.parse(activation.bytes.toString('utf8')).Payload.StandardConfigurations).toEqual([configuration.payloadIdentifier])
    expect(r.manifest.files.find((f) => f.path === activation.path)).toMatchObject({kind: 'ddm', payloadIdentifier: `${configuration.payloadIdentifier}.activation`, user: 'alice@example.com'})
  })

  it('is byte-identical when built twice', () => {
    const a = buildOutputs(settings)
    const b = buildOutputs(loadFixture(doc))
    expect(b.files.map((f) => [f.path, f.sha256])).toEqual(a.files.map((f) => [f.path, f.sha256]))
    expect(JSON.stringify(b.manifest)).toBe(JSON.stringify(a.manifest))
  })

  it('warns when the domain-wide autodiscover.xml cannot carry a templated login name', () => {
    const d = baseSettings() as SettingsDoc
    d.domains[0].incoming.username = '%EMAILLOCALPART%'
    const r = buildOutputs(loadFixture(d), {only: ['autodiscover']})
    expect(r.findings.map((f) => [f.code, f.severity])).toEqual([['autodiscover-login-not-address', 'warning']])
    expect(r.findings[0]!.message).toContain('"%EMAILLOCALPART%"')
    expect(buildOutputs(settings, {only: ['autodiscover']}).findings).toEqual([])
  })

  it('honours --only and --no-users', () => {
    const r = buildOutputs(settings, {only: ['autoconfig', 'dns'], users: false})
    expect(r.files.map((f) => f.kind)).toEqual(['dns', 'autoconfig'])
  })

  it('writes the web server snippets per domain (kind webserver, listed in the manifest), the same bytes every time', () => {
    const r = buildOutputs(settings, {only: ['webserver']})
    const dir = safeFileName(settings.domains[0]!.domain)
    expect(r.files.map((f) => [f.path, f.kind, f.user])).toEqual([
      [`${dir}/webserver/apache.conf`, 'webserver', null],
      [`${dir}/webserver/nginx.conf`, 'webserver', null],
    ])
    expect(r.manifest.files.map((f) => f.path)).toEqual([`${dir}/webserver/apache.conf`, `${dir}/webserver/nginx.conf`])
    expect(buildOutputs(settings, {only: ['webserver']}).files.map((f) => f.bytes)).toEqual(r.files.map((f) => f.bytes))
    const nginx = r.files[1]!.bytes.toString()
    expect(nginx).toContain('location ~* ^/autodiscover/autodiscover\\.xml$ {')
    expect(nginx).toContain('error_page 405 =200 $uri;')
    expect(nginx).toContain(`alias $mailprofile_out/${dir}/autodiscover.xml;`)
    expect(nginx).toContain('default_type "application/x-apple-aspen-config";')
    expect(nginx).not.toMatch(/\/tmp|\/home|\/work/)
    const apache = r.files[0]!.bytes.toString()
    expect(apache).toContain(`AliasMatch "(?i)^/autodiscover/autodiscover\\.xml$" "\${MAILPROFILE_OUT}/${dir}/autodiscover.xml"`)
    expect(apache).toContain('Header always set X-Content-Type-Options "nosniff"')
  })

  it('signs every profile with the signer it is given, and records the signer', () => {
    const signer = {sign: (b: Buffer) => Buffer.concat([Buffer.from('SIGNED:'), b]), info: {subject: 'CN=Test', sha256: 'AA:BB'}}
    const r = buildOutputs(settings, {only: ['mobileconfig'], signer})
    for (const f of r.files) {
      expect(f.bytes.subarray(0, 7).toString()).toBe('SIGNED:')
      expect(f.signer).toEqual({subject: 'CN=Test', sha256: 'AA:BB'})
    }
    expect(r.findings).toEqual([])
  })

  it('refuses characters XML 1.0 cannot carry, naming the field, and writes nothing', () => {
    const bad = baseSettings() as SettingsDoc
    bad.profile.description = 'Bell\u0007 here'
    bad.users[0].name = 'Zero\u0000width'
    bad.domains[0].displayName = 'ok\uFFFE'
    const r = buildOutputs(loadFixture(bad))
    expect(r.files).toEqual([])
    const messages = r.findings.filter((f) => f.code === 'xml-invalid-character').map((f) => f.message)
    expect(messages).toHaveLength(3)
    expect(messages.some((m) => m.startsWith('profile.description holds U+0007 at position 5'))).toBe(true)
    expect(messages.some((m) => m.startsWith('users[0].name holds U+0000'))).toBe(true)
    expect(messages.some((m) => m.startsWith('domains[0].displayName holds U+FFFE'))).toBe(true)
    const userFinding = r.findings.find((f) => f.message.startsWith('users[0].name'))!
    expect(userFinding.source?.line).toBeGreaterThan(0)
  })

  it('accepts tab, newline, emoji and right-to-left text', () => {
    const ok = baseSettings() as SettingsDoc
    ok.profile.description = 'tab\there\nnew line 😀 שלום \u202E'
    expect(xmlCharacterFindings(loadFixture(ok))).toEqual([])
  })

  it('reports users outside the settings’ domains and unreadable CA files, writing nothing', () => {
    const bad = baseSettings() as SettingsDoc
    bad.users = [{address: 'eve@elsewhere.org'}]
    bad.trust = {caFiles: ['missing.pem']}
    const r = buildOutputs(loadFixture(bad))
    expect(r.files).toEqual([])
    expect(r.findings.map((f) => f.code).sort()).toEqual(['ca-file-unreadable', 'user-domain-unknown'])
  })

  it('registers its own codes', () => {
    const codes = new Set(GENERATE_CODES.map((c) => c.code))
    for (const c of ['xml-invalid-character', 'profile-unsigned', 'apple-schema-violation', 'build-refused-lint-errors', 'build-refused-check-errors']) expect(codes.has(c)).toBe(true)
  })
})
