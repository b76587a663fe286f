import {readFileSync} from 'node:fs'

import {packageFile} from '../paths.js'

let cached: Record<string, unknown> | undefined

/** The settings JSON Schema shipped with the package (`schemas/mailprofile.schema.json`). */
export function settingsSchema(): Record<string, unknown> {
  cached ??= JSON.parse(readFileSync(packageFile('schemas', 'mailprofile.schema.json'), 'utf8')) as Record<string, unknown>
  return cached
}
