import {readFileSync} from 'node:fs'

import {packageFile} from './paths.js'

let cached: string | undefined

/** The package's version, written into the bundles by scripts/bundle.js (no file to find and read at start); undefined in the sources. */
declare const __MAILPROFILE_VERSION__: string | undefined

/** mailprofile's version, from the package.json shipped with it (what `--version` prints). */
export function toolVersion(): string {
  cached ??= typeof __MAILPROFILE_VERSION__ === 'string' ? __MAILPROFILE_VERSION__ : String((JSON.parse(readFileSync(packageFile('package.json'), 'utf8')) as {version?: unknown}).version ?? 'unknown')
  return cached
}
