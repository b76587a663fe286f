/**
 * The workspace: a settings file and every file it names, read once into one value — the document,
 * the normalized settings (with the users CSV), the CA files parsed into certificates, the signing
 * identity (or why it cannot be used) — with the findings of loading. `lint`'s rules, `check`,
 * `build` (and its worker threads, which receive the certificates as DER and the key as a
 * KeyObject) and `serve` work from it; nothing after this reads an input file again.
 */
import type {Finding} from '../findings.js'
import {loadCaFiles, type LoadedCaFile} from './ca-files.js'
import type {SourceDocument} from './document.js'
import {loadSettings, type PartialSettings} from './load.js'
import type {Settings} from './model.js'
import {loadSigning, type SigningLoad} from './signing-identity.js'

export interface Workspace {
  file: string
  doc: SourceDocument
  /** Present when the document passed the schema. */
  settings?: Settings
  /** When it did not: its well-formed parts, which lint's rules run on (never checked or built). */
  partial?: PartialSettings
  /** Schema and users-CSV findings (CA and signing findings stay with `caFiles` and `signing`, where lint reports them). */
  findings: Finding[]
  /** trust.caFiles, in settings order. */
  caFiles: LoadedCaFile[]
  /** The `signing` block's identity; absent without one. */
  signing?: SigningLoad
}

export interface WorkspaceOptions {
  /** Environment holding the signing passphrase variable. */
  env: Readonly<Record<string, string | undefined>>
  /** The users CSV size limit in bytes (`--max-users-file-size`). */
  maxUsersFileBytes?: number
}

/**
 * Loads the workspace. Throws InputError for a settings file that cannot be used at all (missing,
 * binary, syntax errors); everything else is a finding.
 */
export async function loadWorkspace(file: string, options: WorkspaceOptions): Promise<Workspace> {
  const loaded = loadSettings(file, {maxUsersFileBytes: options.maxUsersFileBytes})
  const workspace: Workspace = {file, doc: loaded.doc, settings: loaded.settings, findings: loaded.findings, caFiles: []}
  if (loaded.partial) workspace.partial = loaded.partial
  const settings = loaded.settings ?? loaded.partial?.settings
  if (!settings) return workspace
  workspace.caFiles = loadCaFiles(settings)
  if (settings.signing) {
    workspace.signing = await loadSigning(settings.signing, {baseDir: settings.baseDir, env: options.env, settingsFile: settings.file, locate: (path) => loaded.doc.locate(path)})
  }
  return workspace
}
