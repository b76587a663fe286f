import type {Finding} from '../findings.js'
import {loadSettings} from './load.js'
import type {Settings} from './model.js'
import {authRules} from './rules/auth.js'
import {caFileRules} from './rules/ca-files.js'
import {hostRules} from './rules/hosts.js'
import {identifierRules} from './rules/identifiers.js'
import {pinRules} from './rules/pins.js'
import {portRules} from './rules/ports.js'
import {findSecrets} from './rules/secrets.js'
import {signingRules} from './rules/signing.js'
import type {Rule, RuleOptions} from './rules/types.js'
import {userRules} from './rules/users.js'
import {pushAll} from '../arrays.js'

/** Every semantic rule family, in the order they run (on documents that pass the schema). */
export const RULES: readonly Rule[] = [portRules, hostRules, authRules, identifierRules, caFileRules, pinRules, signingRules, userRules]

export interface LintResult {
  file: string
  findings: Finding[]
  /** The settings as loaded for linting, when they pass the schema (build reuses them instead of reading the file again). */
  settings?: Settings
}

/**
 * Lints one settings file: secrets (on the raw document, whatever the schema says), the schema
 * pass, then every rule. Throws InputError for unusable input.
 */
export async function lintSettingsFile(file: string, options: RuleOptions): Promise<LintResult> {
  const loaded = loadSettings(file, {maxUsersFileBytes: options.maxUsersFileBytes})
  const findings = [...findSecrets(loaded.doc), ...loaded.findings]
  if (loaded.settings) {
    for (const rule of RULES) pushAll(findings, await rule({settings: loaded.settings, doc: loaded.doc, options}))
  }
  return {file, findings, settings: loaded.settings}
}
