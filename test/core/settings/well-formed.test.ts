/**
 * lint runs its rules on the well-formed parts of a file that fails the schema (issue 9, item 8):
 * one run shows the schema findings and the rule findings, at their file:line:col.
 */
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {lintSettingsFile} from '../../../src/core/settings/lint.js'
import {loadWorkspace} from '../../../src/core/settings/workspace.js'

const NOW = new Date('2030-01-01T00:00:00Z')
let dir: string
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mailprofile-well-formed-'))
})
afterAll(() => rmSync(dir, {recursive: true, force: true}))

/** Line and column (1-based) of the `occurrence`th `target` in `text`, found independently of the linter. */
function pos(text: string, target: string, occurrence = 1): string {
  let idx = -1
  for (let i = 0; i < occurrence; i++) {
    idx = text.indexOf(target, idx + 1)
    if (idx === -1) throw new Error(`"${target}" not in the fixture`)
  }
  const line = text.slice(0, idx).split('\n').length
  const column = idx - (text.lastIndexOf('\n', idx - 1) + 1) + 1
  return `${line}:${column}`
}

async function lintText(text: string, files: Record<string, string> = {}): Promise<string[]> {
  const file = join(dir, 'settings.yaml')
  writeFileSync(file, text)
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content)
  const result = await lintSettingsFile(file, {warnDays: 30, now: NOW, env: {}})
  return result.findings.map((f) => `${f.code} ${f.source?.file === file ? '' : `${f.source?.file?.replace(`${dir}/`, '')}:`}${f.source?.line}:${f.source?.column}`).sort()
}

const HEAD = `version: 1
organization:
  name: Example
  identifier: com.example.mail
`

describe('lint on a file that fails the schema', () => {
  it("shows both the typo'd key and authentication: none (the issue's example)", async () => {
    const text = `${HEAD}profile:
  dispalyName: Example Mail
domains:
  - domain: example.com
    incoming: {protocol: imap, host: imap.example.com}
    outgoing:
      host: smtp.example.com
      authentication: none
`
    expect(await lintText(text)).toEqual([`smtp-auth-none ${pos(text, 'none')}`, `unknown-key ${pos(text, 'dispalyName')}`].sort())
  })

  it('a typo inside the same server block does not hide that block', async () => {
    const text = `${HEAD}domains:
  - domain: example.com
    incoming: {protocol: imap, host: imap.example.com}
    outgoing:
      host: smtp.example.com
      prot: 465
      authentication: none
`
    expect(await lintText(text)).toEqual([`smtp-auth-none ${pos(text, 'none')}`, `unknown-key ${pos(text, 'prot:')}`].sort())
  })

  it('skips only the malformed server: the same domain and its other server are still judged, at their own lines', async () => {
    const text = `${HEAD}domains:
  - domain: mail
    identifier: not reverse dns
    incoming: {protocol: imap, host: imap.example.com, port: "993", security: none}
    outgoing: {host: smtp.example.com, port: 25, security: starttls, authentication: none}
  - domain: example.org
    incoming: {protocol: imap, host: imap.example.org, security: tls}
    outgoing:
      host: 192.0.2.25
      authentication: none
users:
  - address: eve@example.net
`
    expect(await lintText(text)).toEqual(
      [
        // domains[0].incoming: its schema finding only (its security: none is not judged, the block is skipped).
        `wrong-type ${pos(text, '"993"')}`,
        // domains[0] itself and its well-formed outgoing server.
        `domain-invalid ${pos(text, 'mail\n', 2)}`,
        `identifier-not-reverse-dns ${pos(text, 'not reverse dns')}`,
        `smtp-port-25 ${pos(text, '25,')}`,
        `smtp-auth-none ${pos(text, 'none}', 2)}`,
        // domains[1]: a wrong enum value in incoming; outgoing is judged at its own lines.
        `invalid-value ${pos(text, 'tls}')}`,
        `host-ip-literal ${pos(text, '192.0.2.25')}`,
        `smtp-auth-none ${pos(text, 'none', 3)}`,
        // Every domain is kept (only servers were skipped), so a user outside them is reported.
        `user-domain-unknown ${pos(text, 'eve@example.net')}`,
      ].sort(),
    )
  })

  it('a missing or misspelt server block skips only that server', async () => {
    const text = `${HEAD}domains:
  - domain: example.com
    incomming: {protocol: imap, host: imap.example.com}
    outgoing: {host: smtp.example.com, authentication: none}
  - domain: example.org
    incoming: {protocol: imap, host: imap.example.org, port: 143}
`
    expect(await lintText(text)).toEqual(
      [
        `unknown-key ${pos(text, 'incomming')}`,
        `missing-key ${pos(text, 'domain: example.com')}`,
        `smtp-auth-none ${pos(text, 'none}')}`,
        `missing-key ${pos(text, 'domain: example.org')}`,
        `port-security-mismatch ${pos(text, '143')}`,
      ].sort(),
    )
  })

  it('a malformed displayName does not hide its domain (the default stands in)', async () => {
    const text = `${HEAD}domains:
  - domain: example.com
    displayName: ""
    incoming: {protocol: imap, host: imap.example.com}
    outgoing: {host: smtp.example.com, authentication: none}
`
    expect(await lintText(text)).toEqual([`invalid-value ${pos(text, '""')}`, `smtp-auth-none ${pos(text, 'none}')}`].sort())
  })

  it('skips only the malformed domain: the others keep their findings, at their own index', async () => {
    const text = `${HEAD}domains:
  - domain: example.com
    identifier: 42
    incoming: {protocol: imap, host: imap.example.com}
    outgoing: {host: smtp.example.com, authentication: none}
  - domain: example.org
    incoming: {protocol: imap, host: imap.example.org, security: none}
    outgoing: {host: smtp.example.org, port: 25, security: starttls}
users:
  - address: bob@example.com
  - address: alice@example.org
  - address: alice@example.org
`
    expect(await lintText(text)).toEqual(
      [
        // domains[0]: only its schema finding (its authentication: none is not judged: without its identifier the domain is skipped).
        `wrong-type ${pos(text, '42')}`,
        // domains[1], located by its index in the document, not in the kept list.
        `security-none ${pos(text, 'none}', 2)}`,
        `smtp-port-25 ${pos(text, '25')}`,
        `user-duplicate ${pos(text, 'alice@example.org', 2)}`,
        // No user-domain-unknown for bob@example.com: his domain is the skipped one.
      ].sort(),
    )
  })

  it('with a malformed organization, runs every rule but the identifier rules', async () => {
    const text = `version: 1
organization:
  name: Example
domains:
  - domain: example.com
    identifier: not reverse dns
    incoming: {protocol: imap, host: 192.0.2.1}
    outgoing: {host: smtp.example.com}
`
    expect(await lintText(text)).toEqual([`missing-key ${pos(text, 'name: Example')}`, `host-ip-literal ${pos(text, '192.0.2.1')}`].sort())
  })

  it('skips a malformed user and a malformed list of pins, keeps the rest of users and trust', async () => {
    const text = `${HEAD}domains:
  - domain: example.com
    incoming: {protocol: imap, host: imap.example.com}
    outgoing: {host: smtp.example.com}
trust:
  caFiles: [missing-ca.pem]
  pins: [42]
users:
  - address: bob@example.com
  - address: [bob@example.com]
  - address: not-an-address
`
    expect(await lintText(text)).toEqual([`wrong-type ${pos(text, '42')}`, `wrong-type ${pos(text, '[bob@')}`, `ca-file-unreadable ${pos(text, 'missing-ca.pem')}`, `user-address-invalid ${pos(text, 'not-an-address')}`].sort())
  })

  it('reads the users CSV when usersFile is well-formed, and reports its users at their CSV line', async () => {
    const text = `${HEAD}domains:
  - domain: example.com
    incoming: {protocol: imap, host: imap.example.com}
    outgoing: {host: smtp.example.com}
profile: {removalAllowed: "no"}
usersFile: staff.csv
`
    expect(await lintText(text, {'staff.csv': 'address\nbob@example.com\nbob@example.com\neve@example.net\n'})).toEqual([`wrong-type ${pos(text, '"no"')}`, 'user-duplicate staff.csv:3:1', 'user-domain-unknown staff.csv:4:1'].sort())
  })

  it('with no usable domains, still checks what does not need them', async () => {
    const text = `${HEAD}domains: []
trust:
  pins: [not-a-pin]
`
    expect(await lintText(text)).toEqual([`invalid-value ${pos(text, '[]')}`, `pin-invalid ${pos(text, 'not-a-pin')}`].sort())
  })

  it('the partial settings are for lint only: check and build get no settings', async () => {
    const file = join(dir, 'settings.yaml')
    writeFileSync(file, `${HEAD}typo: 1\ndomains:\n  - domain: example.com\n    incoming: {protocol: imap, host: imap.example.com}\n    outgoing: {host: smtp.example.com}\n`)
    const workspace = await loadWorkspace(file, {env: {}})
    expect(workspace.settings).toBeUndefined()
    expect(workspace.partial?.settings.domains.map((d) => d.domain)).toEqual(['example.com'])
  })
})
