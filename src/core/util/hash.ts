/** SHA-256 as lower-case hex, the one helper for content hashes (manifest sha256, file-name and token suffixes, shard buckets). */
import {hash} from 'node:crypto'

/** 64 lower-case hex digits of the SHA-256 of `data` (a string is hashed as UTF-8). */
export function sha256Hex(data: string | Uint8Array): string {
  // One-shot crypto.hash: the manifest hashes every output, and a Hash object costs more than hashing a profile.
  return hash('sha256', data, 'hex')
}
