import {existsSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

let root: string | undefined

/** The package's root folder (holding schemas/ and data/), from the sources or from the bundle in dist/. */
export function packageRoot(): string {
  if (root) return root
  let dir = dirname(fileURLToPath(import.meta.url))
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'schemas'))) return (root = dir)
    const parent = dirname(dir)
    if (parent === dir) throw new Error('mailprofile: cannot find the package folder (schemas/ is missing)')
    dir = parent
  }
}

/** A file shipped with the package, by its path from the package root. */
export function packageFile(...parts: string[]): string {
  return join(packageRoot(), ...parts)
}
