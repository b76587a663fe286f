/** Settings for generator tests: written as YAML to a temp folder and loaded by the real loader. */
import {copyFileSync, mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {stringify} from 'yaml'

import {loadSettings} from '../../../src/core/settings/load.js'
import type {Settings} from '../../../src/core/settings/model.js'
import {ROOT} from '../../helpers/cli.js'

/** A settings document under construction in a test (deliberately loose: tests patch any field, including wrong ones). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type SettingsDoc = Record<string, any>

export const FIXTURES = join(ROOT, 'test', 'fixtures', 'generate')

export function baseSettings(): Record<string, unknown> {
  return {
    version: 1,
    organization: {name: 'Example Org', identifier: 'com.example.mail'},
    profile: {displayName: 'Example Mail', description: 'Mail for Example staff.'},
    domains: [
      {
        domain: 'example.com',
        displayName: 'Example Mail',
        incoming: {protocol: 'imap', host: 'imap.example.com', port: 993, security: 'ssl'},
        outgoing: {host: 'smtp.example.com', port: 465, security: 'ssl'},
      },
    ],
    users: [{address: 'alice@example.com', name: 'Alice Example'}],
  }
}

/** Writes the document (and copies the CA fixtures next to it) and loads it; returns the settings file path too. */
export function writeSettings(doc: Record<string, unknown>): {file: string; dir: string} {
  const dir = mkdtempSync(join(tmpdir(), 'mp-settings-'))
  copyFileSync(join(FIXTURES, 'root-ca.pem'), join(dir, 'root-ca.pem'))
  copyFileSync(join(FIXTURES, 'intermediate-ca.pem'), join(dir, 'intermediate-ca.pem'))
  const file = join(dir, 'settings.yaml')
  writeFileSync(file, stringify(doc))
  return {file, dir}
}

export function loadFixture(doc: Record<string, unknown>): Settings {
  const {file} = writeSettings(doc)
  const loaded = loadSettings(file)
  if (!loaded.settings) throw new Error(`fixture does not pass the schema: ${JSON.stringify(loaded.findings)}`)
  return loaded.settings
}
