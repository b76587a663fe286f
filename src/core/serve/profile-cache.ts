/**
 * A bounded cache of built (signed) profiles, so repeated downloads cost no signature. Keys carry
 * the settings' generation (state.ts), so a reload never serves older bytes. Bounded by total
 * bytes (lru-cache evicts the least recently used), never by trust in how many users exist.
 */
import {LRUCache} from 'lru-cache'

import {strongEtag} from './etag.js'

export interface CachedProfile {
  bytes: Buffer
  /** Strong ETag: the bytes are deterministic, so their hash names them. */
  etag: string
}

export class ProfileCache {
  private readonly lru: LRUCache<string, CachedProfile>

  constructor(maxBytes: number) {
    this.lru = new LRUCache({maxSize: Math.max(1, maxBytes), sizeCalculation: (v) => Math.max(1, v.bytes.length)})
  }

  get(key: string): CachedProfile | undefined {
    return this.lru.get(key)
  }

  /** Stores and returns the entry (`etag`: the bytes' strongEtag, when already computed); a profile larger than the whole cache is returned but not kept. */
  set(key: string, bytes: Buffer, etag = strongEtag(bytes)): CachedProfile {
    const entry = {bytes, etag}
    this.lru.set(key, entry)
    return entry
  }

  clear(): void {
    this.lru.clear()
  }

  get size(): number {
    return this.lru.size
  }
}
