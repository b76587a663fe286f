/**
 * A bounded memo of the XML answers (Autodiscover, autoconfig): they are pure functions of the
 * loaded settings and the request's inputs, and clients ask the same question again and again
 * (Outlook re-runs Autodiscover at every start and every few hours). Keys carry the settings'
 * generation, so a reload never answers from older settings; the least recently used entries go
 * first, bounded by total bytes (keys count too: they come from clients).
 */
import {createHash} from 'node:crypto'

import {LRUCache} from 'lru-cache'

export const ANSWER_CACHE_BYTES = 8 * 1024 * 1024

export class AnswerCache<V extends object> {
  private readonly lru: LRUCache<string, V>

  constructor(maxBytes = ANSWER_CACHE_BYTES) {
    this.lru = new LRUCache({maxSize: Math.max(1, maxBytes), sizeCalculation: (v, k) => xmlBytes(v) + k.length + 64})
  }

  /** The cached answer for the key, or the one `make` gives (then kept). */
  get(key: string, make: () => V): V {
    const hit = this.lru.get(key)
    if (hit !== undefined) return hit
    const value = make()
    this.lru.set(key, value)
    return value
  }

  clear(): void {
    this.lru.clear()
  }
}

/** A fixed-length key for a request body (bodies are up to 16 KiB and come from clients). */
export function bodyKey(body: Buffer): string {
  return createHash('sha256').update(body).digest('base64url')
}

function xmlBytes(value: object): number {
  const xml = (value as {xml?: unknown}).xml
  return Buffer.isBuffer(xml) ? xml.length : 0
}
