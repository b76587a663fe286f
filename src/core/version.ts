import {readFileSync} from 'node:fs'

import {packageFile} from './paths.js'

let cached: string | undefined

/** mailprofile's version, from the package.json shipped with it (what `--version` prints). */
export function toolVersion(): string {
  cached ??= String((JSON.parse(readFileSync(packageFile('package.json'), 'utf8')) as {version?: unknown}).version ?? 'unknown')
  return cached
}
