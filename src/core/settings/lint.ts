import type {Finding} from '../findings.js'
import {loadSettings} from './load.js'
import {portRules} from './rules/ports.js'
import type {Rule, RuleOptions} from './rules/types.js'

/** Every semantic rule family, in the order they run. */
export const RULES: readonly Rule[] = [portRules]

export interface LintResult {
  file: string
  findings: Finding[]
}

/** Lints one settings file: schema pass, then every rule. Throws InputError for unusable input. */
export function lintSettingsFile(file: string, options: RuleOptions): LintResult {
  const loaded = loadSettings(file)
  const findings = [...loaded.findings]
  if (loaded.settings) {
    for (const rule of RULES) findings.push(...rule({settings: loaded.settings, doc: loaded.doc, options}))
  }
  return {file, findings}
}
