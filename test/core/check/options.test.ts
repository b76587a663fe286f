import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, describe, expect, it} from 'vitest'

import {parseAt, readCaFile, readSettingsCaFiles} from '../../../src/core/check/options.js'
import {InputError} from '../../../src/core/errors.js'
import {loadSettings} from '../../../src/core/settings/load.js'
import {createChain} from '../../helpers/pki.js'

const dir = mkdtempSync(join(tmpdir(), 'mailprofile-options-'))
afterAll(() => rmSync(dir, {recursive: true, force: true}))

describe('parseAt', () => {
  it('takes a date (midnight UTC) or a date-time with a zone', () => {
    expect(parseAt('2026-03-01').toISOString()).toBe('2026-03-01T00:00:00.000Z')
    expect(parseAt('2026-03-01T09:30:00+02:00').toISOString()).toBe('2026-03-01T07:30:00.000Z')
  })
  it.each(['tomorrow', '2026-02-30', '2026-03-01T09:00', '01/03/2026'])('rejects %s', (text) => {
    expect(() => parseAt(text)).toThrow(InputError)
  })
})

describe('CA files', () => {
  const pki = createChain({label: 'Options'})
  it('reads PEM bundles and DER', () => {
    const pem = join(dir, 'bundle.pem')
    writeFileSync(pem, pki.root.pem + pki.intermediate.pem)
    const der = join(dir, 'root.der')
    writeFileSync(der, pki.root.der)
    expect(readCaFile(pem).map((b) => b.equals(pki.root.der) || b.equals(pki.intermediate.der))).toEqual([true, true])
    expect(readCaFile(der)[0]!.equals(pki.root.der)).toBe(true)
  })
  it('rejects missing and certificate-free files as unusable input', () => {
    expect(() => readCaFile(join(dir, 'nope.pem'))).toThrow(/no such file/)
    const key = join(dir, 'key.pem')
    writeFileSync(key, pki.leaf.keyPem)
    expect(() => readCaFile(key)).toThrow(/holds no certificate/)
  })
  it("reads the settings' trust.caFiles relative to the settings file, reporting unreadable ones", () => {
    writeFileSync(join(dir, 'root.pem'), pki.root.pem)
    const file = join(dir, 'settings.yaml')
    writeFileSync(
      file,
      `version: 1
organization: {name: Example, identifier: com.example.mail}
domains:
  - domain: example.com
    incoming: {protocol: imap, host: mail.example.com}
    outgoing: {host: mail.example.com}
trust:
  caFiles: [root.pem, missing.pem]
`,
    )
    const {settings} = loadSettings(file)
    const {roots, findings} = readSettingsCaFiles(settings!)
    expect(roots).toHaveLength(1)
    expect(roots[0]!.equals(pki.root.der)).toBe(true)
    expect(findings.map((f) => [f.code, f.source?.line])).toEqual([['ca-file-unreadable', 8]])
  })
})
