import * as Args from '@oclif/core/args'
import * as Flags from '@oclif/core/flags'

import type {Report} from '../render/report.js'
import {BaseCommand} from './base.js'
import {lintEmptyData, lintReport} from './lint-report.js'

export default class Lint extends BaseCommand {
  static override summary = 'Check settings files offline: schema, ports and TLS modes, host names, CA and signing files, users.'
  static override description = `Runs in well under a second with no network access, for pre-commit hooks and CI.
Exit status: 0 no error-level findings, 1 error-level findings (or warnings with --strict), 2 usage error or unreadable input.`
  static override examples = ['<%= config.bin %> lint examples/single-domain.yaml', '<%= config.bin %> lint --json mail/*.yaml', '<%= config.bin %> lint --format github settings.yaml']
  static override strict = false
  static override args = {
    files: Args.string({description: 'Settings files (YAML or JSON), or .mobileconfig profiles (checked as by inspect).', required: true}),
  }
  static override flags = {
    strict: Flags.boolean({description: 'Warnings count as errors for the exit status.'}),
    'warn-days': Flags.integer({description: 'Warn about certificates that expire within this many days.', default: 30, min: 0}),
    'max-users-file-size': Flags.integer({description: 'Refuse a users CSV file larger than this many MiB (default 128, about 2.8 million users).', min: 1, max: 4096}),
  }

  protected override emptyData(): Record<string, unknown> {
    return lintEmptyData()
  }

  protected async report(): Promise<Report> {
    const {argv, flags} = await this.parse(Lint)
    return lintReport(argv as string[], flags)
  }
}
