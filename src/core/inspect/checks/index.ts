/**
 * The checks `inspect` runs on every readable profile, in order (the order of the findings). Each
 * is a small pure function of the parsed profile (./types.ts); the signature is judged separately
 * (../signature.ts), and checks across several profiles in ../across-profiles.ts.
 */
import {certificatesCheck} from './certificates.js'
import {duplicateKeysCheck} from './duplicate-keys.js'
import {duplicatesCheck} from './duplicates.js'
import {emptyValuesCheck} from './empty-values.js'
import {identifiersCheck} from './identifiers.js'
import {mailServersCheck} from './mail-servers.js'
import {passwordsCheck} from './passwords.js'
import {schemaCheck} from './schema.js'
import type {ProfileCheck} from './types.js'
import {uncheckedTypesCheck} from './unchecked-types.js'

export const PROFILE_CHECKS: ReadonlyArray<{name: string; check: ProfileCheck}> = [
  {name: 'Apple schema', check: schemaCheck},
  {name: 'payload types without a schema', check: uncheckedTypesCheck},
  {name: 'keys written twice', check: duplicateKeysCheck},
  {name: 'duplicate UUIDs and identifiers', check: duplicatesCheck},
  {name: 'identifiers', check: identifiersCheck},
  {name: 'passwords in clear text', check: passwordsCheck},
  {name: 'empty account values', check: emptyValuesCheck},
  {name: 'certificate payloads', check: certificatesCheck},
  {name: 'mail servers', check: mailServersCheck},
]
