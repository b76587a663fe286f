import type {Finding} from '../findings.js'
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
import {loadWorkspace, type Workspace} from './workspace.js'

/** Every semantic rule family, in the order they run (on documents that pass the schema). */
export const RULES: readonly Rule[] = [portRules, hostRules, authRules, identifierRules, caFileRules, pinRules, signingRules, userRules]

export interface LintResult {
  file: string
  findings: Finding[]
  /** The settings as loaded for linting, when they pass the schema (build reuses them instead of reading the file again). */
  settings?: Settings
  /** Everything the settings name, as loaded (build signs and embeds from it). */
  workspace: Workspace
}

/**
 * Lints a loaded workspace: secrets (on the raw document, whatever the schema says), the schema
 * findings, then every rule, on the settings or, when the schema fails, on the parts that are
 * well-formed (so one run shows every problem).
 */
export function lintWorkspace(workspace: Workspace, options: RuleOptions): Finding[] {
  const findings = [...findSecrets(workspace.doc), ...workspace.findings]
  const settings = workspace.settings ?? workspace.partial?.settings
  if (settings) {
    const ctx = {settings, doc: workspace.doc, options, caFiles: workspace.caFiles, signing: workspace.signing, malformed: workspace.partial?.malformed}
    // One finding at a time: a rule over 100,000 users may return more than a spread can pass.
    for (const rule of RULES) for (const f of rule(ctx)) findings.push(f)
  }
  return findings
}

/** Loads and lints one settings file. Throws InputError for unusable input. */
export async function lintSettingsFile(file: string, options: RuleOptions): Promise<LintResult> {
  const workspace = await loadWorkspace(file, {env: options.env, maxUsersFileBytes: options.maxUsersFileBytes})
  return {file, findings: lintWorkspace(workspace, options), settings: workspace.settings, workspace}
}
