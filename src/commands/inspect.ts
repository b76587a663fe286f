import * as Args from '@oclif/core/args'
import * as Flags from '@oclif/core/flags'

import type {Report} from '../render/report.js'
import {BaseCommand} from './base.js'
import {inspectEmptyData, inspectReport} from './inspect-report.js'
import {appleTrustStoreFlag} from './options.js'

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

  protected override emptyData(): Record<string, unknown> {
    return inspectEmptyData()
  }

  protected async report(): Promise<Report> {
    const {argv, flags} = await this.parse(Inspect)
    return inspectReport(argv as string[], flags)
  }
}
