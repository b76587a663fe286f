import * as Args from '@oclif/core/args'
import * as Flags from '@oclif/core/flags'

import type {Report} from '../../render/report.js'
import {BaseCommand} from '../base.js'

export default class ManifestMerge extends BaseCommand {
  static override summary = 'Join the partial manifests of `build --shard K/N` into the manifest.json one build would write.'
  static override description = `Reads every manifest.shard-K-of-N.json in the folders named (the --out folders of the shard builds, or one folder they were copied into), checks that shards 1…N of one split are all there exactly once, and writes manifest.json — byte-identical to the one a single build of all users writes — into --out (default: the first folder).
Exit status: 0 written, 2 a shard missing, twice, from another split, or unreadable.`
  static override examples = ['<%= config.bin %> manifest merge out', '<%= config.bin %> manifest merge shard-1 shard-2 shard-3 shard-4 --out out']
  static override strict = false
  static override args = {
    dirs: Args.string({description: 'Folders holding the partial manifests (manifest.shard-K-of-N.json).', required: true}),
  }
  static override flags = {
    out: Flags.string({char: 'o', description: 'Folder to write manifest.json into (default: the first folder named).'}),
  }

  protected async report(): Promise<Report> {
    const {argv, flags} = await this.parse(ManifestMerge)
    const dirs = argv as string[]
    const {writeMergedManifest} = await import('../../core/generate/manifest-merge.js')
    const merged = writeMergedManifest(dirs, flags.out ?? dirs[0]!)
    const sections = [`Merged ${merged.sources.length} partial manifests (${merged.manifest.files.length} files) into ${merged.file}.\n`]
    return {command: 'manifest merge', findings: [], inputErrors: [], sections, data: {manifest: merged.file, shards: merged.sources, files: merged.manifest.files.length}}
  }
}
