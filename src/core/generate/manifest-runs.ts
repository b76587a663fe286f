/**
 * A build's manifest entries without all of them in memory: up to `runEntries` are kept, and then
 * they are sorted by path and written as one run (a file of JSON lines) into a folder of the build's
 * staging folder; the manifest is written from a merge of the runs (sorted() yields every entry in
 * the order buildManifest sorts them). A build of 1,000,000 users writes about 6,000,000 files, and
 * their entries (about 500 bytes each as objects) held to the end made its peak RSS grow past 3 GB.
 * The runs live in the staging folder, so they go with it (after a build, on errors, and a killed
 * build's with its staging folder, write-build.ts).
 *
 * That no two outputs share a path (case-insensitively) or a profile's PayloadIdentifier is checked
 * the same way once there are runs: each run also writes its keys, sorted, and equal keys meet in
 * the merge (the first in build order is "the other", as assertDistinctOutputs reports it).
 *
 * Hand-written for memory: tested against buildManifest, serializeManifest and
 * assertDistinctOutputs on the same entries with a small run size (manifest-runs.test.ts).
 */
import {closeSync, mkdirSync, openSync, readSync} from 'node:fs'
import {join} from 'node:path'

import {writeAll} from '../util/write-file.js'
import {assertDistinctOutputs, sharedIdentifierError, sharedPathError} from './build.js'
import type {ManifestEntry} from './manifest.js'

/** Entries kept in memory before they go to a run (about 25 MB of entry objects). */
export const RUN_ENTRIES = 50_000

/** The folder of the runs inside a staging folder (a hidden name: no output is ever hidden). */
export const RUNS_FOLDER = '.manifest-runs'

const byPath = (a: ManifestEntry, b: ManifestEntry): number => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)

/** One distinctness key: what must be unique, the path it belongs to, and whose file it is. */
type Key = [key: string, path: string, who: string]
const byKey = (a: Key, b: Key): number => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)

/** A build's entries: in memory, and past `runEntries`, in sorted runs under `dir`. */
export class ManifestEntries {
  private pending: ManifestEntry[] = []
  private runs = 0
  private total = 0
  private kinds = new Map<string, {count: number; first: string}>()
  private anySigned = false
  private created = false

  /** `dir`: the build's staging folder (the runs go into RUNS_FOLDER there). */
  constructor(private readonly dir: string, private readonly runEntries = RUN_ENTRIES) {}

  add(entry: ManifestEntry): void {
    this.pending.push(entry)
    this.total++
    const kind = this.kinds.get(entry.kind)
    if (!kind) this.kinds.set(entry.kind, {count: 1, first: entry.path})
    else {
      kind.count++
      if (entry.path < kind.first) kind.first = entry.path
    }
    if (entry.signer) this.anySigned = true
    if (this.pending.length >= this.runEntries) this.spill()
  }

  /** How many entries were added. */
  get count(): number {
    return this.total
  }

  /** Whether any file is signed. */
  get signed(): boolean {
    return this.anySigned
  }

  /** Files per kind, in the order the kinds first appear in the manifest (sorted by path). */
  byKind(): Array<[string, number]> {
    return [...this.kinds].sort((a, b) => (a[1].first < b[1].first ? -1 : a[1].first > b[1].first ? 1 : 0)).map(([k, v]) => [k, v.count])
  }

  /** Every entry, sorted by path (equal paths in the order they were added). */
  sorted(): Iterable<ManifestEntry> {
    const tail = [...this.pending].sort(byPath)
    if (this.runs === 0) return tail
    return merge<ManifestEntry>([...this.runFiles('entries').map((file) => parsedLines<ManifestEntry>(file)), tail[Symbol.iterator]()], byPath)
  }

  /** Every entry's path, in no particular order. */
  *paths(): Generator<string> {
    for (const file of this.runFiles('entries')) for (const e of parsedLines<ManifestEntry>(file)) yield e.path
    for (const e of this.pending) yield e.path
  }

  /** assertDistinctOutputs over every entry (the same checks and messages). */
  assertDistinct(): void {
    if (this.runs === 0) return assertDistinctOutputs(this.pending)
    let previous: Key | undefined
    for (const key of merge<Key>([...this.runFiles('keys').map((file) => parsedLines<Key>(file)), keysOf(this.pending)[Symbol.iterator]()], byKey)) {
      if (previous && previous[0] === key[0]) {
        throw key[0].startsWith('0') ? sharedPathError(key[1], previous[2], key[2]) : sharedIdentifierError(key[1], previous[1], key[0].slice(1))
      }
      previous = key
    }
  }

  private runFiles(what: 'entries' | 'keys'): string[] {
    return Array.from({length: this.runs}, (_, i) => join(this.dir, RUNS_FOLDER, `${i}.${what}`))
  }

  private spill(): void {
    if (!this.created) {
      mkdirSync(join(this.dir, RUNS_FOLDER), {mode: 0o700})
      this.created = true
    }
    writeLines(join(this.dir, RUNS_FOLDER, `${this.runs}.entries`), this.pending.sort(byPath))
    writeLines(join(this.dir, RUNS_FOLDER, `${this.runs}.keys`), keysOf(this.pending))
    this.pending = []
    this.runs++
  }
}

/**
 * The keys assertDistinctOutputs checks, sorted: `0` + the lower-cased path of every file, `1` +
 * the PayloadIdentifier of every profile (paths sort first: a shared path is reported before a
 * shared identifier, as there).
 */
function keysOf(entries: readonly ManifestEntry[]): Key[] {
  const keys: Key[] = []
  for (const e of entries) keys.push([`0${e.path.toLowerCase()}`, e.path, e.user ?? e.domain])
  for (const e of entries) if (e.payloadIdentifier && e.kind === 'mobileconfig') keys.push([`1${e.payloadIdentifier}`, e.path, e.user ?? e.domain])
  return keys.sort(byKey)
}

/** Bytes gathered before a write(2) of a run. */
const WRITE_CHUNK = 1 << 20

function writeLines(file: string, items: readonly unknown[]): void {
  const fd = openSync(file, 'wx', 0o600)
  try {
    let text = ''
    for (const item of items) {
      text += `${JSON.stringify(item)}\n`
      if (text.length >= WRITE_CHUNK) {
        writeAll(fd, Buffer.from(text, 'utf8'))
        text = ''
      }
    }
    if (text) writeAll(fd, Buffer.from(text, 'utf8'))
  } finally {
    closeSync(fd)
  }
}

/** Bytes read at a time from a run. */
const READ_CHUNK = 64 * 1024

/** A run's lines, parsed, read a chunk at a time (a newline byte never occurs inside a UTF-8 sequence). */
function* parsedLines<T>(file: string): Generator<T> {
  const fd = openSync(file, 'r')
  try {
    let buf = Buffer.allocUnsafe(READ_CHUNK)
    let start = 0
    let end = 0
    for (;;) {
      const nl = buf.indexOf(10, start)
      if (nl !== -1 && nl < end) {
        yield JSON.parse(buf.toString('utf8', start, nl)) as T
        start = nl + 1
        continue
      }
      // No whole line left: keep the part line, make room (a line longer than the buffer doubles it), read on.
      if (start > 0) {
        buf.copy(buf, 0, start, end)
        end -= start
        start = 0
      } else if (end === buf.length) {
        const bigger = Buffer.allocUnsafe(buf.length * 2)
        buf.copy(bigger, 0, 0, end)
        buf = bigger
      }
      const n = readSync(fd, buf, end, buf.length - end, null)
      if (n === 0) {
        if (end > start) throw new Error(`mailprofile bug: ${file} ends inside a line`)
        return
      }
      end += n
    }
  } finally {
    closeSync(fd)
  }
}

/** Sorted sources merged into one sorted sequence; on equal items the earlier source's come first. */
function* merge<T>(sources: Array<Iterator<T>>, compare: (a: T, b: T) => number): Generator<T> {
  // A binary heap of [head item, source index], ordered by item then source.
  const heap: Array<[T, number]> = []
  const less = (a: [T, number], b: [T, number]): boolean => {
    const c = compare(a[0], b[0])
    return c < 0 || (c === 0 && a[1] < b[1])
  }
  const down = (i: number): void => {
    for (;;) {
      const l = 2 * i + 1
      const r = l + 1
      let m = i
      if (l < heap.length && less(heap[l]!, heap[m]!)) m = l
      if (r < heap.length && less(heap[r]!, heap[m]!)) m = r
      if (m === i) return
      ;[heap[i], heap[m]] = [heap[m]!, heap[i]!]
      i = m
    }
  }
  try {
    sources.forEach((s, i) => {
      const n = s.next()
      if (!n.done) heap.push([n.value, i])
    })
    for (let i = (heap.length >> 1) - 1; i >= 0; i--) down(i)
    while (heap.length > 0) {
      const top = heap[0]!
      yield top[0]
      const n = sources[top[1]]!.next()
      if (n.done) {
        const last = heap.pop()!
        if (heap.length === 0) return
        heap[0] = last
      } else heap[0] = [n.value, top[1]]
      down(0)
    }
  } finally {
    // A merge left early (an error, a consumer that stops) closes the runs it opened.
    for (const s of sources) s.return?.()
  }
}
