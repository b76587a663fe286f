/**
 * The manifest of every file `build` wrote (`manifest.json`): what an MDM pipeline ingests.
 * Deterministic (no timestamps), sorted by path.
 */
import type {OutputKind} from '../output-kinds.js'

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
  sha256: string
  size: number
  signer: SignerInfo | null
}

export interface Manifest {
  manifestVersion: 1
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

export function buildManifest(entries: readonly ManifestEntry[], appleSchemas: string, shard?: {index: number; count: number}): Manifest {
  const files = [...entries].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
  return shard ? {manifestVersion: 1, appleSchemas, files, shard: {index: shard.index, count: shard.count}} : {manifestVersion: 1, appleSchemas, files}
}

export function serializeManifest(manifest: Manifest): Buffer {
  return Buffer.from(JSON.stringify(manifest, null, 2) + '\n', 'utf8')
}
