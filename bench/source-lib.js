// Shared by the benches that drive the core and the test fixture servers in-process: the six
// protocol/TLS-mode kinds a mail provider runs, and one esbuild call that bundles the named
// TypeScript exports (core and test helpers) into a plain ESM file the bench can import.
import {mkdirSync} from 'node:fs'
import {dirname} from 'node:path'
import {fileURLToPath} from 'node:url'

export const root = fileURLToPath(new URL('..', import.meta.url))

export const MAIL_KINDS = [
  {protocol: 'imap', security: 'ssl'},
  {protocol: 'imap', security: 'starttls'},
  {protocol: 'pop3', security: 'ssl'},
  {protocol: 'pop3', security: 'starttls'},
  {protocol: 'smtp', security: 'ssl'},
  {protocol: 'smtp', security: 'starttls'},
]

/** Bundles `exportLines` (e.g. "export {runCheck} from './src/core/check/run-check.ts'") into `outfile`. */
export async function bundleSources(exportLines, outfile) {
  const {build} = await import('esbuild')
  mkdirSync(dirname(outfile), {recursive: true})
  await build({
    absWorkingDir: root,
    stdin: {contents: exportLines.join('\n'), resolveDir: root, loader: 'ts'},
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20.19',
    banner: {js: "import {createRequire as __benchRequire} from 'node:module'; const require = __benchRequire(import.meta.url);"},
    logLevel: 'warning',
  })
}
