import type {Finding} from '../../findings.js'
import type {SourceDocument} from '../document.js'
import type {SigningLoad} from '../signing-identity.js'
import type {LoadedCaFile} from '../ca-files.js'
import type {LintSettings} from '../model.js'
import type {Malformed} from '../well-formed.js'

export interface RuleOptions {
  /** Certificates expiring within this many days get a warning. */
  warnDays: number
  /** "Now" for validity checks. */
  now: Date
  /** Environment (for the signing passphrase); defaults to process.env in the caller. */
  env: Readonly<Record<string, string | undefined>>
  /** The users CSV size limit in bytes (`--max-users-file-size`; default MAX_USERS_FILE_BYTES). */
  maxUsersFileBytes?: number
}

export interface RuleContext {
  /** The settings, or the well-formed parts of a document that fails the schema (a malformed server is absent). */
  settings: LintSettings
  doc: SourceDocument
  options: RuleOptions
  /** The CA files as the loader read them (absent where rules run on something else, e.g. a profile's mail payload). */
  caFiles?: readonly LoadedCaFile[]
  /** The signing identity as the loader read it (absent: no `signing` block, or not a settings file). */
  signing?: SigningLoad
  /** Set when the settings are the well-formed parts of a document that fails the schema: what was skipped. */
  malformed?: Malformed
}

/**
 * A rule family: a pure function of what was loaded (src/core/settings/workspace.ts); no rule reads
 * a file.
 */
export type Rule = (ctx: RuleContext) => Finding[]
