import {availableParallelism} from 'node:os'
import {resolve} from 'node:path'

import * as Args from '@oclif/core/args'
import * as Flags from '@oclif/core/flags'

import {InputError} from '../core/errors.js'
import {exitCodeFor, type Finding} from '../core/findings.js'
import type {Report} from '../render/report.js'
import {PLAIN} from '../render/style.js'
import {renderText} from '../render/text.js'
import type {CheckOptions} from '../core/check/options.js'
import {OUTPUT_KINDS as KINDS} from '../core/output-kinds.js'
import type {ParallelBuild} from '../core/generate/parallel-build.js'
import type {Shard} from '../core/generate/shard.js'
import {BaseCommand, type OutputFormat} from './base.js'
import {PROBE_FLAGS, checkOptionsFromFlags, checkReportParts, warnUnusedResolve} from './check.js'
import {pushAll} from '../core/arrays.js'

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
    threads: Flags.integer({description: 'Worker threads that build and sign the per-user profiles (default: the CPU cores available; 1: none). Used from 200 users on; the output is the same either way.', min: 1, max: 64}),
    fsync: Flags.boolean({description: 'Flush every file to disk before renaming it into place, so the outputs also survive a power loss (slower: about 3 ms per file). Files are always replaced atomically.'}),
    shard: Flags.string({description: 'Build only shard K of N: the users whose address hashes there (SHA-256 of the lower-cased address mod N, plus 1) and, in shard 1, the per-domain files; the manifest is written as manifest.shard-K-of-N.json. `mailprofile manifest merge` joins the N partial manifests into the manifest one build writes.', helpValue: 'K/N'}),
    'max-users-file-size': Flags.integer({description: 'Refuse a users CSV file larger than this many MiB (default 128, about 2.8 million users).', min: 1, max: 4096}),
    check: Flags.boolean({description: 'Probe the live servers first, as `mailprofile check` does, and write nothing when that finds errors. The flags below apply to it.'}),
    'embed-server-root': Flags.boolean({description: "When a server's chain ends at a private (self-signed) root whose SHA-256 matches a pin (trust.pins or --pin), embed that root in the profiles. Implies --check."}),
    pin: Flags.string({description: 'A SHA-256 fingerprint (hex, colons optional) a server root must match to be embedded with --embed-server-root. Repeatable.', multiple: true, helpValue: 'SHA256'}),
    ...Object.fromEntries(Object.entries(PROBE_FLAGS).map(([k, f]) => [k, {...f, helpGroup: 'CHECK (with --check)'}])) as typeof PROBE_FLAGS,
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Build)
    const format = this.outputFormat(flags)
    const only = parseOnly(flags.only)
    const toStdout = flags.out === '-'
    const {parseShard} = await import('../core/generate/shard.js')
    const shard = flags.shard === undefined ? undefined : parseShard(flags.shard)
    if (shard && toStdout) throw new InputError('--shard writes files and a partial manifest into a folder, so it cannot be combined with --out -')
    if (toStdout && format === 'json') throw new InputError('--out - writes the profile to stdout, so it cannot be combined with --json or --format json')

    if (flags.pin && !flags['embed-server-root']) throw new InputError('--pin is only used with --embed-server-root')
    const {normalizePin} = await import('../core/x509/fingerprint.js')
    for (const p of flags.pin ?? []) if (!normalizePin(p)) throw new InputError(`--pin "${p}" is not a SHA-256 fingerprint (64 hex digits, colons optional)`)
    const checkOptions = flags.check || flags['embed-server-root'] ? await checkOptionsFromFlags(flags) : undefined
    const [{packageFile}, {discardStaging, removeAbandonedStaging}] = await Promise.all([import('../core/paths.js'), import('../core/generate/write.js')])
    const threads = flags.threads ?? availableParallelism()
    const outDir = resolve(flags.out)
    if (!toStdout) removeAbandonedStaging(outDir)
    try {
      await this.buildAndWrite(args.file, flags, {only, toStdout, outDir, format, checkOptions, shard, maxUsersFileBytes: flags['max-users-file-size'] === undefined ? undefined : flags['max-users-file-size'] * 1024 * 1024, parallel: threads > 1 ? {threads, workerFile: packageFile('dist', 'build-worker.cjs'), stageIn: toStdout ? undefined : outDir, fsync: flags.fsync} : undefined})
    } finally {
      // Files workers staged but nothing moved into place (errors, or an exception): gone.
      if (!toStdout) discardStaging(outDir)
    }
  }

  private async buildAndWrite(
    file: string,
    flags: {users: boolean; prune: boolean; fsync: boolean; out: string; 'embed-server-root': boolean; pin?: string[]},
    context: {only: ReturnType<typeof parseOnly>; toStdout: boolean; outDir: string; format: OutputFormat; checkOptions?: CheckOptions; parallel?: ParallelBuild; shard?: Shard; maxUsersFileBytes?: number},
  ): Promise<void> {
    const {only, toStdout, outDir, format, checkOptions, shard} = context
    const {buildFromSettingsFile} = await import('../core/generate/build-file.js')
    const result = await buildFromSettingsFile(file, {
      parallel: context.parallel,
      only: only ?? (toStdout ? ['mobileconfig'] : undefined),
      users: flags.users,
      env: process.env,
      check: checkOptions,
      embedServerRoot: flags['embed-server-root'] ? {pins: flags.pin ?? []} : undefined,
      now: checkOptions?.now,
      shard,
      maxUsersFileBytes: context.maxUsersFileBytes,
    })
    if (checkOptions) warnUnusedResolve(checkOptions)
    const checkParts = result.check ? await checkReportParts(result.check) : undefined
    const findings: Finding[] = result.findings
    const hasErrors = findings.some((f) => f.severity === 'error')

    if (toStdout) {
      const profiles = result.files.filter((f) => f.kind === 'mobileconfig')
      if (!hasErrors && profiles.length !== 1) {
        throw new InputError(`--out - writes exactly one .mobileconfig, but these settings give ${profiles.length}; add --no-users, or use --out DIR`, {file})
      }
      const report: Report = {command: 'build', findings, inputErrors: [], data: {}, sections: checkParts?.sections}
      process.stderr.write(renderText(report, PLAIN))
      const profile = profiles[0]
      if (!hasErrors && profile && 'bytes' in profile) process.stdout.write(profile.bytes)
      process.exitCode = exitCodeFor(findings)
      return
    }

    const sections: string[] = [...(checkParts?.sections ?? [])]
    let pruned: string[] = []
    let manifest = result.manifest
    if (!hasErrors) {
      const {writeOutputs} = await import('../core/generate/write.js')
      const {MANIFEST_FILE: WHOLE, serializeManifest} = await import('../core/generate/manifest.js')
      const {shardManifestFile} = await import('../core/generate/shard.js')
      const MANIFEST_FILE = shard ? shardManifestFile(shard) : WHOLE
      const {buildScope, carriedStale, findStaleOutputs, manifestWithStale, readPreviousManifest, removeStaleOutputs, staleOutputFindings} = await import('../core/generate/prune.js')
      const previous = readPreviousManifest(outDir, MANIFEST_FILE)
      const scope = buildScope({only, users: flags.users, shard})
      const stale = findStaleOutputs(outDir, previous, result.manifest, scope)
      manifest = manifestWithStale(result.manifest, stale, flags.prune, carriedStale(outDir, previous, scope))
      writeOutputs(outDir, result.files, {path: MANIFEST_FILE, bytes: serializeManifest(manifest)}, {fsync: flags.fsync})
      // Stale files are removed only once the new manifest (which no longer lists them) is in place.
      pruned = flags.prune ? removeStaleOutputs(outDir, stale) : []
      pushAll(findings, staleOutputFindings(stale, flags.prune, flags.out))
      const byKind = new Map<string, number>()
      for (const f of result.files) byKind.set(f.kind, (byKind.get(f.kind) ?? 0) + 1)
      const counts = [...byKind].map(([k, n]) => `${n} ${k}`).join(', ')
      const signed = byKind.has('mobileconfig') ? `; profiles ${result.files.some((f) => f.signer) ? 'signed' : 'unsigned'}` : ''
      sections.push(`Wrote ${result.files.length} files to ${flags.out} (${counts}${signed}) and ${flags.out}/${MANIFEST_FILE}.\n`)
      if (pruned.length > 0) sections.push(`Removed ${pruned.length} file${pruned.length === 1 ? '' : 's'} an earlier build wrote that these settings no longer produce: ${pruned.join(', ')}.\n`)
    } else {
      sections.push('Nothing was written: fix the errors below and run build again.\n')
    }
    const report: Report = {
      command: 'build',
      findings,
      inputErrors: [],
      sections,
      data: {out: hasErrors ? null : outDir, manifest: hasErrors ? null : manifest, pruned, ...(checkParts ? {check: checkParts.data} : {})},
    }
    this.finish(report, format)
  }
}

function parseOnly(value: string | undefined): Array<(typeof KINDS)[number]> | undefined {
  if (value === undefined) return undefined
  const kinds = value.split(',').map((s) => s.trim()).filter(Boolean)
  const bad = kinds.filter((k) => !(KINDS as readonly string[]).includes(k))
  if (bad.length > 0 || kinds.length === 0) {
    throw new InputError(`--only takes a comma-separated list of ${KINDS.join(', ')}; got "${value}"`)
  }
  return kinds as Array<(typeof KINDS)[number]>
}
