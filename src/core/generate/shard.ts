/**
 * `build --shard K/N`: which users (and whether the per-domain files) a shard builds. A user
 * belongs to shard 1 + (SHA-256 of the lower-cased address, read as a 256-bit big-endian number,
 * mod N): deterministic on every machine and independent of the users file's order, so N
 * machines that each build one shard together write exactly the files one build would. Shard 1
 * also builds the per-domain files. Each shard writes a partial manifest
 * (`manifest.shard-K-of-N.json`); `manifest merge` (manifest-merge.ts) joins them.
 */

import {InputError} from '../errors.js'
import {sha256Hex} from '../util/hash.js'
import type {ManifestEntry} from './manifest.js'

export interface Shard {
  /** 1-based. */
  index: number
  count: number
}

/** The most shards a build may be split into. */
export const MAX_SHARDS = 100_000

/** Parses `K/N` (1 ≤ K ≤ N ≤ MAX_SHARDS). */
export function parseShard(value: string): Shard {
  const m = /^\s*(\d{1,6})\s*\/\s*(\d{1,6})\s*$/.exec(value)
  const index = m ? Number(m[1]) : NaN
  const count = m ? Number(m[2]) : NaN
  if (!m || index < 1 || count < 1 || index > count || count > MAX_SHARDS) {
    throw new InputError(`--shard takes K/N with 1 ≤ K ≤ N ≤ ${MAX_SHARDS} (e.g. 2/4); got "${value}"`)
  }
  return {index, count}
}

/** The shard (1-based) that builds this user's files. */
export function shardOfAddress(address: string, count: number): number {
  if (count === 1) return 1
  const digest = sha256Hex(address.toLowerCase())
  return Number(BigInt(`0x${digest}`) % BigInt(count)) + 1
}

/** Whether `shard` builds the file a manifest entry describes (per-domain files: shard 1). */
export function inShard(shard: Shard | undefined, entry: Pick<ManifestEntry, 'user'>): boolean {
  if (!shard) return true
  return entry.user === null ? shard.index === 1 : shardOfAddress(entry.user, shard.count) === shard.index
}

/** The partial manifest's file name in the output folder. */
export function shardManifestFile(shard: Shard): string {
  return `manifest.shard-${shard.index}-of-${shard.count}.json`
}

export const SHARD_MANIFEST = /^manifest\.shard-(\d+)-of-(\d+)\.json$/
