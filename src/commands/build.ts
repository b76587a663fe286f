import * as Args from '@oclif/core/args'
import * as Flags from '@oclif/core/flags'

import {InputError} from '../core/errors.js'
import {OUTPUT_KINDS as KINDS} from '../core/output-kinds.js'
import type {Report} from '../render/report.js'
import {BaseCommand} from './base.js'
import {CHECK_FLAGS, checkOptionValues} from './options.js'

export default class Build extends BaseCommand {
  static override summary = 'Build .mobileconfig profiles, Outlook Autodiscover, Thunderbird autoconfig, DDM declarations and DNS records from a settings file.'
  static override description = `Writes, per mail domain, a generic profile (the device asks for the address) and, when the settings list users, one per user; plus autodiscover.xml, mail/config-v1.1.xml, DDM declarations, a DNS zone snippet, and manifest.json listing every file with its SHA-256.
Output layout: <out>/<domain>/<domain>.mobileconfig, <out>/<domain>/users/<address>.mobileconfig, <out>/<domain>/autodiscover.xml, <out>/<domain>/mail/config-v1.1.xml, <out>/<domain>/ddm/…, <out>/<domain>/dns.zone, <out>/manifest.json.
The same settings always give byte-identical files. Nothing is written when the settings have error-level findings (the same rules as lint). Files are written atomically.
Exit status: 0 written, 1 error-level findings (nothing written), 2 usage error or unreadable input.`
  static override examples = [
    '<%= config.bin %> build examples/single-domain.yaml --out out',
    '<%= config.bin %> build settings.yaml --out - --no-users > example.com.mobileconfig',
    '<%= config.bin %> build settings.yaml --out dist/mail --only mobileconfig,autoconfig --json',
  ]
  static override args = {
    file: Args.string({description: 'Settings file (YAML or JSON).', required: true}),
  }
  static override flags = {
    out: Flags.string({char: 'o', description: 'Output folder, or `-` to write the one .mobileconfig the settings give to stdout (the report then goes to stderr).', default: 'out'}),
    only: Flags.string({description: `Comma-separated kinds to build: ${KINDS.join(', ')}. Default: all.`}),
    users: Flags.boolean({description: 'Build per-user outputs for the users in the settings (--no-users: only the per-domain files).', default: true, allowNo: true}),
    prune: Flags.boolean({description: "Remove the files an earlier build wrote to --out that these settings no longer produce (e.g. the profile of a user removed from the users file): only files the earlier manifest.json lists, and only if unchanged since. Without it they are reported (stale-output) and left."}),
    threads: Flags.integer({description: 'Worker threads that build, sign and write the per-user profiles (default: the idle cores, when the measured work pays for them; 1: none). The output is the same either way.', min: 1, max: 64}),
    fsync: Flags.boolean({description: 'Flush every file to disk before renaming it into place, so the outputs also survive a power loss (slower: about 3 ms per file). Files are always replaced atomically.'}),
    shard: Flags.string({description: 'Build only shard K of N: the users whose address hashes there (SHA-256 of the lower-cased address mod N, plus 1) and, in shard 1, the per-domain files; the manifest is written as manifest.shard-K-of-N.json. `mailprofile manifest merge` joins the N partial manifests into the manifest one build writes.', helpValue: 'K/N'}),
    'max-users-file-size': Flags.integer({description: 'Refuse a users CSV file larger than this many MiB (default 128, about 2.8 million users).', min: 1, max: 4096}),
    check: Flags.boolean({description: 'Probe the live servers first, as `mailprofile check` does, and write nothing when that finds errors. The flags below apply to it.'}),
    'embed-server-root': Flags.boolean({description: "When a server's chain ends at a private (self-signed) root whose SHA-256 matches a pin (trust.pins or --pin), embed that root in the profiles. Implies --check."}),
    pin: Flags.string({description: 'A SHA-256 fingerprint (hex, colons optional) a server root must match to be embedded with --embed-server-root. Repeatable.', multiple: true, helpValue: 'SHA256'}),
    ...Object.fromEntries(Object.entries(CHECK_FLAGS).map(([k, f]) => [k, {...f, helpGroup: 'CHECK (with --check)'}])) as typeof CHECK_FLAGS,
  }

  protected override emptyData(): Record<string, unknown> {
    return {out: null, manifest: null, pruned: []}
  }

  protected async report(): Promise<Report> {
    const {args, flags} = await this.parse(Build)
    if (flags.out === '-' && this.outputFormat() === 'json') throw new InputError('--out - writes the profile to stdout, so it cannot be combined with --json or --format json')
    const [{buildSettingsFile}, {buildSections}] = await Promise.all([import('../core/app/build.js'), import('../render/build-text.js')])
    const checking = flags.check || flags['embed-server-root']
    const report = await buildSettingsFile(args.file, {
      out: flags.out,
      only: flags.only,
      users: flags.users,
      prune: flags.prune,
      threads: flags.threads,
      fsync: flags.fsync,
      check: checking ? checkOptionValues(flags) : undefined,
      embedServerRoot: flags['embed-server-root'],
      pins: flags.pin ?? [],
      shard: flags.shard,
      maxUsersFileBytes: flags['max-users-file-size'] === undefined ? undefined : flags['max-users-file-size'] * 1024 * 1024,
      env: process.env,
      listFiles: this.outputFormat() === 'json',
    })
    return this.reportOf('build', report, {sections: buildSections(report, flags.out), payload: report.profile})
  }
}
