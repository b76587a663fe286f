/**
 * "Which earlier entry had this key?" for a million entries without a million keys in memory: an
 * open-addressing table of 32-bit hashes and entry numbers (typed arrays, 8 bytes a slot), and on
 * a hash match the earlier entry's key made again by `keyAt` and compared, so the answer is exact.
 * A Map of the key strings would hold about 60–100 MB for a million users.
 */
export class FirstIndex {
  private hashes = new Uint32Array(1024)
  /** Entry number + 1 in each slot; 0 = empty. */
  private entries = new Int32Array(1024)
  private used = 0

  constructor(private readonly keyAt: (entry: number) => string) {}

  /**
   * The first entry claimed with `key` before, or -1 when there is none; then `entry` holds the
   * key (entries that found an earlier one are not stored, so the earliest is always answered).
   */
  claim(key: string, entry: number): number {
    const h = hashString(key)
    const mask = this.entries.length - 1
    let slot = h & mask
    for (;;) {
      const e = this.entries[slot]!
      if (e === 0) break
      if (this.hashes[slot] === h && this.keyAt(e - 1) === key) return e - 1
      slot = (slot + 1) & mask
    }
    this.hashes[slot] = h
    this.entries[slot] = entry + 1
    if (++this.used * 2 > this.entries.length) this.grow()
    return -1
  }

  private grow(): void {
    const hashes = this.hashes
    const entries = this.entries
    this.hashes = new Uint32Array(hashes.length * 2)
    this.entries = new Int32Array(entries.length * 2)
    const mask = this.entries.length - 1
    for (let i = 0; i < entries.length; i++) {
      if (entries[i] === 0) continue
      let slot = hashes[i]! & mask
      while (this.entries[slot] !== 0) slot = (slot + 1) & mask
      this.hashes[slot] = hashes[i]!
      this.entries[slot] = entries[i]!
    }
  }
}

/** FNV-1a over the UTF-16 code units, then a final mix (the low bits pick the slot). */
function hashString(s: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193)
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  return h >>> 0
}
