/**
 * The manifest of every file `build` wrote (`manifest.json`): what an MDM pipeline ingests.
 * Deterministic (no timestamps), sorted by path. Paths are relative to the `--out` folder (where
 * manifest.json is), as `pathsRelativeTo` says in the file itself.
 */
import type {OutputKind} from '../output-kinds.js'
import type {TargetDevice} from '../settings/model.js'
import {toolVersion} from '../version.js'

export type {OutputKind} from '../output-kinds.js'

export interface SignerInfo {
  /** Subject of the signing certificate, as `openssl x509 -subject` would list it (comma-separated). */
  subject: string
  /** SHA-256 fingerprint of the signing certificate, upper-case hex with colons. */
  sha256: string
}

export interface ManifestEntry {
  /** Path relative to the output folder, with `/` separators. */
  path: string
  kind: OutputKind
  domain: string
  /** The user's address for per-user files, else null. */
  user: string | null
  payloadIdentifier: string | null
  payloadUuid: string | null
  /** A profile's PayloadDisplayName (the name the device shows); null for other files. */
  displayName: string | null
  /** The device a profile declares (TargetDeviceType: `any`, `ios` for iPhone/iPad, `macos`); null for other files. */
  targetDevice: TargetDevice | null
  sha256: string
  size: number
  signer: SignerInfo | null
}

/** What every manifest's `pathsRelativeTo` says: entry paths are relative to the folder given as `build --out`. */
export const PATHS_RELATIVE_TO = '--out'

export interface Manifest {
  manifestVersion: 1
  /**
   * The mailprofile that wrote the files. buildManifest always sets it and pathsRelativeTo; they are
   * optional here because a manifest read back (an earlier build's, one recovered from a killed
   * build) may be older than them.
   */
  generator?: {name: 'mailprofile'; version: string}
  /** Entry paths are relative to the `--out` folder of the build (the folder holding manifest.json), `/`-separated. */
  pathsRelativeTo?: typeof PATHS_RELATIVE_TO
  /** The apple/device-management commit the payloads were validated against. */
  appleSchemas: string
  files: ManifestEntry[]
  /**
   * Files an earlier build wrote that these settings no longer produce and that are still in the
   * output folder (their earlier entries): `build --prune` removes them. Absent when there are none.
   */
  stale?: ManifestEntry[]
  /**
   * Only in a partial manifest (`build --shard K/N`, written as manifest.shard-K-of-N.json): which
   * shard it describes. `manifest merge` joins all N into the manifest one build would write.
   */
  shard?: {index: number; count: number}
}

export const MANIFEST_FILE = 'manifest.json'

/** The manifest of `entries`, sorted by path; `version` is this mailprofile's unless given (manifest merge keeps the shards'). */
export function buildManifest(entries: readonly ManifestEntry[], appleSchemas: string, shard?: {index: number; count: number}, version: string = toolVersion()): Manifest {
  const files = [...entries].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
  const manifest: Manifest = {manifestVersion: 1, generator: {name: 'mailprofile', version}, pathsRelativeTo: PATHS_RELATIVE_TO, appleSchemas, files}
  if (shard) manifest.shard = {index: shard.index, count: shard.count}
  return manifest
}

export function serializeManifest(manifest: Manifest): Buffer {
  return Buffer.from(JSON.stringify(manifest, null, 2) + '\n', 'utf8')
}

/** A manifest entry's keys in the order buildOutputs writes them. */
const ENTRY_KEYS = ['path', 'kind', 'domain', 'user', 'payloadIdentifier', 'payloadUuid', 'displayName', 'targetDevice', 'sha256', 'size', 'signer'] as const

const isScalar = (v: unknown): boolean => v === null || typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v))

/** Whether the signer is null or exactly {subject, sha256} with string values. */
function plainSigner(v: unknown): boolean {
  if (v === null) return true
  if (typeof v !== 'object' || Array.isArray(v)) return false
  let n = 0
  for (const k in v) {
    const expected = n === 0 ? 'subject' : n === 1 ? 'sha256' : undefined
    if (k !== expected || typeof (v as Record<string, unknown>)[k] !== 'string') return false
    n++
  }
  return n === 2
}

/**
 * One entry of `files` or `stale` as it sits in the document (4 spaces deep): what
 * `JSON.stringify(item, null, 2)` re-indented gives. The entries a build makes have one shape
 * (ENTRY_KEYS in order, scalar values, a signer of two strings); those are written key by key,
 * each value by JSON.stringify, because the indenting stringify and the regular expression after it
 * cost several microseconds per file. Anything else (an older manifest's entry) takes the general
 * way. Tested against it on random entries of every shape.
 */
export function entryText(item: unknown): string {
  if (item === null || typeof item !== 'object' || Array.isArray(item)) return JSON.stringify(item, null, 2).replace(/\n/g, '\n    ')
  const record = item as Record<string, unknown>
  let text = '{'
  let n = 0
  for (const k in record) {
    const v = record[k]
    if (k !== ENTRY_KEYS[n] || !(k === 'signer' ? plainSigner(v) : isScalar(v))) return JSON.stringify(item, null, 2).replace(/\n/g, '\n    ')
    if (k === 'signer' && v !== null) {
      const signer = v as SignerInfo
      text += `${n === 0 ? '' : ','}\n      "signer": {\n        "subject": ${JSON.stringify(signer.subject)},\n        "sha256": ${JSON.stringify(signer.sha256)}\n      }`
    } else text += `${n === 0 ? '' : ','}\n      ${JSON.stringify(k)}: ${JSON.stringify(v)}`
    n++
  }
  if (n !== ENTRY_KEYS.length) return JSON.stringify(item, null, 2).replace(/\n/g, '\n    ')
  return `${text}\n    }`
}

/**
 * serializeManifest's bytes in pieces of a few hundred entries, so that writing the manifest of
 * 100,000 files never holds it as one string (the same bytes: each value is JSON.stringify'd with
 * the indentation it has inside the whole document). `files`, when given, stands for
 * `manifest.files` (a build's entries merged from runs on disk, manifest-runs.ts).
 */
export function* manifestChunks(manifest: Manifest, entriesPerChunk = 256, files?: Iterable<ManifestEntry>): Generator<string> {
  const fields = Object.entries(manifest).filter(([, v]) => v !== undefined)
  let chunk = '{'
  for (const [i, [key, value]] of fields.entries()) {
    chunk += `${i === 0 ? '' : ','}\n  ${JSON.stringify(key)}: `
    const list: Iterable<unknown> | undefined = key === 'files' && files ? files : Array.isArray(value) ? value : undefined
    if (!list) {
      chunk += JSON.stringify(value, null, 2).replace(/\n/g, '\n  ')
      continue
    }
    let j = 0
    for (const item of list) {
      chunk += `${j === 0 ? '[' : ','}\n    ${entryText(item)}`
      if (j % entriesPerChunk === entriesPerChunk - 1) {
        yield chunk
        chunk = ''
      }
      j++
    }
    chunk += j === 0 ? '[]' : '\n  ]'
  }
  yield `${chunk}${fields.length > 0 ? '\n' : ''}}\n`
}
