import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, describe, expect, it} from 'vitest'

import {endpointsFromSettings} from '../../../src/core/check/endpoints.js'
import {connectHost as targetHost, hostPort} from '../../../src/core/mail/host.js'
import {loadSettings} from '../../../src/core/settings/load.js'

const dir = mkdtempSync(join(tmpdir(), 'mailprofile-endpoints-'))
afterAll(() => rmSync(dir, {recursive: true, force: true}))

function settingsFrom(yaml: string) {
  const file = join(dir, `s${Math.random().toString(36).slice(2)}.yaml`)
  writeFileSync(file, yaml)
  const loaded = loadSettings(file)
  expect(loaded.findings).toEqual([])
  return {file, settings: loaded.settings!}
}

const HEAD = `version: 1
organization:
  name: Example
  identifier: com.example.mail
domains:
`

describe('endpointsFromSettings', () => {
  it('keeps one endpoint per (host, port, protocol, security) with every place that names it', () => {
    const {file, settings} = settingsFrom(
      HEAD +
        `  - domain: example.com
    incoming:
      protocol: imap
      host: mail.example.com
    outgoing:
      host: mail.example.com
      port: 587
      security: starttls
  - domain: example.org
    incoming:
      protocol: imap
      host: MAIL.example.com.
      port: 993
    outgoing:
      host: mail.example.com
      port: 465
`,
    )
    const {endpoints, findings} = endpointsFromSettings(settings)
    expect(findings).toEqual([])
    expect(endpoints.map((e) => `${e.target.host}:${e.target.port}/${e.target.protocol}/${e.target.security}`)).toEqual([
      'mail.example.com:993/imap/ssl',
      'mail.example.com:587/smtp/starttls',
      'mail.example.com:465/smtp/ssl',
    ])
    const imap = endpoints[0]!
    expect(imap.settingsSources.map((s) => `${s.domain}/${s.role}`)).toEqual(['example.com/incoming', 'example.org/incoming'])
    // The defaulted port points at the server block; the written one at the port value.
    expect(imap.settingsSources[0]!.source).toMatchObject({file, line: 8})
    expect(imap.settingsSources[1]!.source).toMatchObject({file, line: 18, column: 13})
    expect(endpoints[1]!.settingsSources[0]!.source).toMatchObject({file, line: 12, column: 13})
  })

  it('skips servers with security none, with an info finding at their position', () => {
    const {file, settings} = settingsFrom(
      HEAD +
        `  - domain: example.com
    incoming:
      protocol: pop3
      host: pop.example.com
      port: 110
      security: none
    outgoing:
      host: smtp.example.com
`,
    )
    const {endpoints, findings} = endpointsFromSettings(settings)
    expect(endpoints.map((e) => hostPort(e.target.host, e.target.port))).toEqual(['smtp.example.com:465'])
    expect(findings).toHaveLength(1)
    expect(findings[0]).toMatchObject({code: 'check-skipped-plaintext', severity: 'info', source: {file, line: 10, column: 13}, endpoint: {host: 'pop.example.com', port: 110}})
  })

  it('writes IPv6 literals in brackets', () => {
    expect(hostPort('::1', 993)).toBe('[::1]:993')
    expect(hostPort('[2001:db8::1]', 465)).toBe('[2001:db8::1]:465')
    expect(hostPort('mail.example.com', 143)).toBe('mail.example.com:143')
  })
})

describe('targetHost', () => {
  it('gives the name a client connects to and sends as SNI', () => {
    expect(targetHost('Mail.Example.com.')).toBe('Mail.Example.com')
    expect(targetHost('[2001:db8::1]')).toBe('2001:db8::1')
    expect(targetHost('mail.bücher.example')).toBe('mail.xn--bcher-kva.example')
  })
})
