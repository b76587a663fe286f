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
 * Open files stay bounded: whenever the last `fanIn` runs are of one level, they are merged into
 * one run of the next level (a stable merge of consecutive runs, so equal items keep build order)
 * and deleted. The final merge then opens fewer than `fanIn` runs per level: at 10,000 entries a
 * run, 1,000,000 users of every kind (6,000,000 entries) leave 33 runs (9 merged ones and 24),
 * where a run per spill would leave 600, and a build past 10 million entries would need more than
 * the usual limit of 1,024 open files.
 *
 * A parallel build's workers keep runs of their own in the same folder (names with the worker's
 * prefix): each hands back its runs (`handOver`), and this thread takes them over (`adopt`) in the
 * order of the workers' shares, so entries never cross between threads one by one. A worker's
 * entries, cloned into this thread as they came, were most of its heap (1,000,000 users on two
 * threads: up to 190 MB of this thread's heap, of about 30 MB live).
 *
 * Hand-written for memory: tested against buildManifest, serializeManifest and
 * assertDistinctOutputs on the same entries with a small run size (manifest-runs.test.ts).
 */
import {closeSync, mkdirSync, openSync, readSync, unlinkSync} from 'node:fs'
import {join} from 'node:path'

import {writeAll} from '../util/write-file.js'
import {assertDistinctOutputs, sharedIdentifierError, sharedPathError} from './build.js'
import type {ManifestEntry} from './manifest.js'

/**
 * Entries kept in memory before they go to a run (about 5 MB of entry objects). Measured with
 * `/usr/bin/time -v` on a signed build of 100,000 users on two threads: 50,000 entries a run
 * peaked at 283 MB RSS, 10,000 at 242 MB; below 10,000 it gains nothing (one thread, unsigned:
 * 202, 158, 157 MB at 50,000, 10,000, 5,000).
 */
export const RUN_ENTRIES = 10_000

/** Runs of one level merged into one of the next (each level rewrites every entry once more). */
export const FAN_IN = 64

/** The folder of the runs inside a staging folder (a hidden name: no output is ever hidden). */
export const RUNS_FOLDER = '.manifest-runs'

const byPath = (a: ManifestEntry, b: ManifestEntry): number => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)

/** One distinctness key: what must be unique, the path it belongs to, and whose file it is. */
type Key = [key: string, path: string, who: string]
const byKey = (a: Key, b: Key): number => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)

/** A run's files: `<name>.entries` and `<name>.keys`; a merged run is of one level more than its parts. */
interface Run {
  name: string
  level: number
}

/** What a worker's ManifestEntries hands to this thread's (plain data, for structured cloning). */
export interface HandedRuns {
  runs: Run[]
  count: number
  signed: boolean
  kinds: Array<[kind: string, count: number, first: string]>
}

/** A build's entries: in memory, and past `runEntries`, in sorted runs under `dir`. */
export class ManifestEntries {
  private pending: ManifestEntry[] = []
  /** The runs in build order (a merged run stands where its parts stood: they were the last ones). */
  private runs: Run[] = []
  private nextId = 0
  private total = 0
  private kinds = new Map<string, {count: number; first: string}>()
  private anySigned = false
  private created = false

  /**
   * `dir`: the build's staging folder (the runs go into RUNS_FOLDER there); `prefix`: the start of
   * this object's run names, distinct for each thread writing runs into one folder.
   */
  constructor(private readonly dir: string, readonly runEntries = RUN_ENTRIES, private readonly fanIn = FAN_IN, private readonly prefix = '') {
    if (fanIn < 2) throw new Error('mailprofile bug: a fan-in below 2 never merges')
  }

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

  /** How many runs are on disk now (what a final merge opens, twice: entries and keys). */
  get runCount(): number {
    return this.runs.length
  }

  /** Every entry added goes to a run, and the runs are handed over (to `adopt` in another thread); this object is then empty. */
  handOver(): HandedRuns {
    if (this.pending.length > 0) this.spill()
    const handed: HandedRuns = {runs: this.runs, count: this.total, signed: this.anySigned, kinds: [...this.kinds].map(([k, v]) => [k, v.count, v.first])}
    this.runs = []
    this.total = 0
    this.anySigned = false
    this.kinds = new Map()
    return handed
  }

  /** Takes over another object's runs (handOver), as if their entries were added here now. */
  adopt(handed: HandedRuns): void {
    if (handed.runs.length === 0) return
    // The entries so far come first in build order: they become a run before the adopted ones.
    if (this.pending.length > 0) this.spill()
    this.runs.push(...handed.runs)
    this.total += handed.count
    if (handed.signed) this.anySigned = true
    for (const [k, count, first] of handed.kinds) {
      const kind = this.kinds.get(k)
      if (!kind) this.kinds.set(k, {count, first})
      else {
        kind.count += count
        if (first < kind.first) kind.first = first
      }
    }
  }

  /** Files per kind, in the order the kinds first appear in the manifest (sorted by path). */
  byKind(): Array<[string, number]> {
    return [...this.kinds].sort((a, b) => (a[1].first < b[1].first ? -1 : a[1].first > b[1].first ? 1 : 0)).map(([k, v]) => [k, v.count])
  }

  /** Every entry, sorted by path (equal paths in the order they were added). */
  sorted(): Iterable<ManifestEntry> {
    const tail = [...this.pending].sort(byPath)
    if (this.runs.length === 0) return tail
    return merge<ManifestEntry>([...this.runs.map((run) => parsedLines<ManifestEntry>(this.file(run, 'entries'))), tail[Symbol.iterator]()], byPath)
  }

  /** Every entry's path, in no particular order. */
  *paths(): Generator<string> {
    for (const run of this.runs) for (const e of parsedLines<ManifestEntry>(this.file(run, 'entries'))) yield e.path
    for (const e of this.pending) yield e.path
  }

  /** assertDistinctOutputs over every entry (the same checks and messages). */
  assertDistinct(): void {
    if (this.runs.length === 0) return assertDistinctOutputs(this.pending)
    let previous: Key | undefined
    for (const key of merge<Key>([...this.runs.map((run) => parsedLines<Key>(this.file(run, 'keys'))), keysOf(this.pending)[Symbol.iterator]()], byKey)) {
      if (previous && previous[0] === key[0]) {
        throw key[0].startsWith('0') ? sharedPathError(key[1], previous[2], key[2]) : sharedIdentifierError(key[1], previous[1], key[0].slice(1))
      }
      previous = key
    }
  }

  private file(run: Run, what: 'entries' | 'keys'): string {
    return join(this.dir, RUNS_FOLDER, `${run.name}.${what}`)
  }

  private nextName(): string {
    return `${this.prefix}${this.nextId++}`
  }

  private spill(): void {
    if (!this.created) {
      // Threads of one build share the folder: whichever spills first makes it.
      mkdirSync(join(this.dir, RUNS_FOLDER), {mode: 0o700, recursive: true})
      this.created = true
    }
    const run = {name: this.nextName(), level: 0}
    // The keys before the sort by path: equal keys in one run stay in build order.
    const keys = keysOf(this.pending)
    writeLines(this.file(run, 'entries'), this.pending.sort(byPath))
    writeLines(this.file(run, 'keys'), keys)
    this.pending = []
    this.runs.push(run)
    this.mergeFullLevels()
  }

  /** While the last `fanIn` runs are of one level, merge them into one run of the next. */
  private mergeFullLevels(): void {
    for (;;) {
      const last = this.runs.slice(-this.fanIn)
      if (last.length < this.fanIn || last.some((r) => r.level !== last[0]!.level)) return
      const run = {name: this.nextName(), level: last[0]!.level + 1}
      writeLines(this.file(run, 'entries'), merge<ManifestEntry>(last.map((r) => parsedLines<ManifestEntry>(this.file(r, 'entries'))), byPath))
      writeLines(this.file(run, 'keys'), merge<Key>(last.map((r) => parsedLines<Key>(this.file(r, 'keys'))), byKey))
      for (const r of last) for (const what of ['entries', 'keys'] as const) unlinkSync(this.file(r, what))
      this.runs.splice(-this.fanIn, this.fanIn, run)
    }
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

function writeLines(file: string, items: Iterable<unknown>): void {
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
