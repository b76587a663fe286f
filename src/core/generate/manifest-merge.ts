/**
 * `manifest merge DIR…`: the partial manifests that `build --shard K/N` wrote
 * (manifest.shard-K-of-N.json, shard.ts) joined into the manifest.json one build of all users
 * would have written, byte for byte: the same entries, sorted by path, the same apple schema
 * version. Refused (InputError) unless the folders hold exactly one partial manifest for every
 * shard 1…N of one split, all built against the same schemas, with no path in two shards.
 */
import {readdirSync} from 'node:fs'
import {dirname, join, resolve} from 'node:path'

import {InputError} from '../errors.js'
import {pushAll} from '../arrays.js'
import {readTextInput} from '../files.js'
import {MANIFEST_FILE, buildManifest, serializeManifest, type Manifest, type ManifestEntry} from './manifest.js'
import {SHARD_MANIFEST} from './shard.js'
import {removeStaleTemporaries, writeFileAtomic} from '../util/write-file.js'

interface Partial {
  file: string
  manifest: Manifest & {shard: {index: number; count: number}}
}

/**
 * A partial manifest larger than this is refused before it is read: it is about V8's limit on the
 * length of one string (a larger file could not be parsed as one JSON text anyway).
 */
const MAX_MANIFEST_BYTES = 512 * 1024 * 1024

function readPartials(dirs: readonly string[]): Partial[] {
  const out: Partial[] = []
  for (const dir of dirs) {
    let names: string[]
    try {
      names = readdirSync(dir)
    } catch (error) {
      throw new InputError(`cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); name the --out folders of the shard builds`, {file: dir})
    }
    for (const name of names.filter((n) => SHARD_MANIFEST.test(n)).sort()) {
      const file = join(dir, name)
      let doc: Partial['manifest']
      try {
        doc = JSON.parse(readTextInput(file, 'partial manifest', MAX_MANIFEST_BYTES)) as Partial['manifest']
      } catch (error) {
        if (error instanceof InputError) throw error
        throw new InputError(`is not a readable manifest (${(error as Error).message})`, {file})
      }
      const m = SHARD_MANIFEST.exec(name)!
      if (!doc || doc.manifestVersion !== 1 || !Array.isArray(doc.files) || typeof doc.appleSchemas !== 'string' || typeof doc.generator?.version !== 'string' || !doc.shard || doc.shard.index !== Number(m[1]) || doc.shard.count !== Number(m[2])) {
        throw new InputError(`is not a partial manifest of mailprofile build --shard ${m[1]}/${m[2]}`, {file})
      }
      out.push({file, manifest: doc})
    }
  }
  return out
}

/** The manifest one build would have written, from the partial manifests in `dirs`. */
export function mergeShardManifests(dirs: readonly string[]): {manifest: Manifest; sources: string[]} {
  const partials = readPartials(dirs)
  if (partials.length === 0) throw new InputError(`no partial manifest (manifest.shard-K-of-N.json) in ${dirs.join(', ')}; run build --shard K/N with --out in these folders first`)
  const count = partials[0]!.manifest.shard.count
  const schemas = partials[0]!.manifest.appleSchemas
  const version = partials[0]!.manifest.generator?.version
  const byIndex = new Map<number, Partial>()
  for (const p of partials) {
    if (p.manifest.shard.count !== count) throw new InputError(`is shard ${p.manifest.shard.index} of ${p.manifest.shard.count}, but ${partials[0]!.file} is of ${count}: merge the shards of one split`, {file: p.file})
    if (p.manifest.appleSchemas !== schemas) throw new InputError(`was validated against Apple schemas ${p.manifest.appleSchemas}, ${partials[0]!.file} against ${schemas}: build every shard with the same mailprofile`, {file: p.file})
    if (p.manifest.generator?.version !== version) throw new InputError(`was written by mailprofile ${p.manifest.generator?.version ?? '(no version)'}, ${partials[0]!.file} by ${version ?? '(no version)'}: build every shard with the same mailprofile`, {file: p.file})
    const other = byIndex.get(p.manifest.shard.index)
    if (other) throw new InputError(`is shard ${p.manifest.shard.index}/${count} again (also ${other.file})`, {file: p.file})
    byIndex.set(p.manifest.shard.index, p)
  }
  const missing = Array.from({length: count}, (_, i) => i + 1).filter((i) => !byIndex.has(i))
  if (missing.length > 0) throw new InputError(`shard${missing.length === 1 ? '' : 's'} ${missing.slice(0, 10).join(', ')}${missing.length > 10 ? ', …' : ''} of ${count} missing: name the --out folders of all ${count} shard builds`)
  const files: ManifestEntry[] = []
  const stale: ManifestEntry[] = []
  const seen = new Map<string, string>()
  for (const i of [...byIndex.keys()].sort((a, b) => a - b)) {
    const p = byIndex.get(i)!
    for (const entry of p.manifest.files) {
      const other = seen.get(entry.path)
      if (other) throw new InputError(`lists ${entry.path}, which ${other} lists too: the shards were not built from the same settings`, {file: p.file})
      seen.set(entry.path, p.file)
      files.push(entry)
    }
    if (Array.isArray(p.manifest.stale)) pushAll(stale, p.manifest.stale)
  }
  const manifest = buildManifest(files, schemas, undefined, version)
  if (stale.length > 0) manifest.stale = stale.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
  return {manifest, sources: [...byIndex.values()].map((p) => p.file)}
}

/** mergeShardManifests, written atomically as `outDir`/manifest.json. Returns the manifest and the file written. */
export function writeMergedManifest(dirs: readonly string[], outDir: string): {manifest: Manifest; file: string; sources: string[]} {
  const merged = mergeShardManifests(dirs.map((d) => resolve(d)))
  const file = join(resolve(outDir), MANIFEST_FILE)
  // A merge killed mid-write leaves its temporary file beside the manifest; the next one removes it.
  removeStaleTemporaries(dirname(file))
  writeFileAtomic(file, serializeManifest(merged.manifest), {fsync: false})
  return {...merged, file}
}
