import {resolve} from 'node:path'

import * as Args from '@oclif/core/args'
import * as Flags from '@oclif/core/flags'

import {InputError} from '../core/errors.js'
import type {Finding} from '../core/findings.js'
import type {InspectResult} from '../core/inspect/inspect.js'
import type {InputProblem} from '../render/report.js'
import {appleTrustStoreFlag, readAppleTrustStoreFlag} from './apple-trust-store-flag.js'
import {BaseCommand} from './base.js'

export default class Inspect extends BaseCommand {
  static override summary = 'Explain existing .mobileconfig profiles: signature, payloads, and problems.'
  static override description = `Reads profiles made by this tool or any other (signed or not): verifies the signature the way a device would (signer, chain, expiry, "Verified" against Apple's trust store), lists the payloads, and lints them against Apple's schemas (unknown keys, wrong types, missing keys), duplicate UUIDs and identifiers, clear-text passwords, and mail servers with the same host and port rules as lint.
Exit status: 0 no error-level findings, 1 error-level findings (or warnings with --strict), 2 usage error or unreadable input.`
  static override examples = [
    '<%= config.bin %> inspect out/example.com/example.com.mobileconfig',
    '<%= config.bin %> inspect --json vendor.mobileconfig',
    '<%= config.bin %> inspect --trust corp-root.pem signed.mobileconfig',
  ]
  static override strict = false
  static override args = {
    files: Args.string({description: '.mobileconfig files (signed or unsigned).', required: true}),
  }
  static override flags = {
    strict: Flags.boolean({description: 'Warnings count as errors for the exit status.'}),
    'warn-days': Flags.integer({description: 'Warn about a signing certificate that expires within this many days.', default: 30, min: 0}),
    trust: Flags.string({description: 'A PEM/DER file of root certificates your devices also trust (e.g. deployed by MDM); repeat the flag for more files.', multiple: true, multipleNonGreedy: true}),
    'apple-trust-store': appleTrustStoreFlag,
  }

  async run(): Promise<void> {
    const {argv, flags} = await this.parse(Inspect)
    const format = this.outputFormat(flags)
    const [{inspectProfile}, {describeInspection}] = await Promise.all([import('../core/inspect/inspect.js'), import('../core/inspect/describe.js')])
    const trustedRoots = await loadTrust(flags.trust ?? [])
    const appleStore = await readAppleTrustStoreFlag(flags['apple-trust-store'])
    const findings: Finding[] = []
    const inputErrors: InputProblem[] = []
    const profiles: InspectResult[] = []
    const files: Array<{file: string; ok: boolean}> = []
    for (const file of argv as string[]) {
      try {
        const result = await inspectProfile(file, {trustedRoots, appleStore, warnDays: flags['warn-days']})
        profiles.push(result)
        findings.push(...result.findings)
        files.push({file, ok: true})
      } catch (error) {
        inputErrors.push(this.inputProblem(error))
        files.push({file, ok: false})
      }
    }
    const sections = profiles.map((p) => describeInspection(p))
    this.finish({command: 'inspect', findings, inputErrors, sections, data: {files, profiles: profiles.map(({findings: _f, ...rest}) => rest)}}, format, {strict: flags.strict})
  }
}

async function loadTrust(paths: string[]): Promise<Buffer[]> {
  if (paths.length === 0) return []
  const {readCertificateFile} = await import('../core/x509/pem.js')
  return paths.flatMap((path) => {
    let ders: Buffer[]
    try {
      ders = readCertificateFile(resolve(path))
    } catch (error) {
      throw new InputError(`--trust file cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, {file: path})
    }
    if (ders.length === 0) throw new InputError('--trust file holds no certificate (neither PEM nor DER)', {file: path})
    return ders
  })
}
