import type {Finding} from '../../findings.js'
import type {SourceDocument} from '../document.js'
import type {Settings} from '../model.js'

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
  settings: Settings
  doc: SourceDocument
  options: RuleOptions
}

/**
 * A rule family: reads the settings, returns findings. Pure apart from reading files the settings
 * name. Async only where it must load a heavy library lazily (PKCS#12 through node-forge).
 */
export type Rule = (ctx: RuleContext) => Finding[] | Promise<Finding[]>
