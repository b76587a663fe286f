/**
 * The users of a settings file, held compactly: a users CSV of a million rows would take about
 * 150 MB as one object and three strings per user (and again in every build thread), so the CSV's
 * users are kept as their fields' UTF-8 bytes with an offset table and line numbers, in shared
 * memory (worker threads see the same bytes, nothing is copied), and each user is made into an
 * object only when it is asked for. The users written in the settings file itself stay objects.
 *
 * `UserList` is what rules, build and serve read: a length, `at(i)` and iteration (plain arrays
 * are UserLists too).
 */
import type {SourceLocation} from '../findings.js'

/** One user: from the settings' `users`, or a row of the users CSV. */
export interface UserSettings {
  address: string
  name?: string
  login?: string
  source: SourceLocation
}

export interface UserList extends Iterable<UserSettings> {
  readonly length: number
  at(index: number): UserSettings | undefined
  slice(start?: number, end?: number): UserSettings[]
  map<T>(fn: (user: UserSettings, index: number) => T): T[]
  filter(fn: (user: UserSettings, index: number) => boolean): UserSettings[]
  find(fn: (user: UserSettings, index: number) => boolean): UserSettings | undefined
}

/** The CSV users' columns as plain data a worker thread receives (the buffers are shared, not copied). */
export interface PackedUsers {
  file: string
  count: number
  /** address, name and login of each user, UTF-8, one after another. */
  bytes: Uint8Array
  /** 3 × count + 1 offsets into `bytes`: where user i's address, name and login start; the last is the end. */
  offsets: Uint32Array
  /** Each user's CSV line. */
  lines: Uint32Array
}

/** A Buffer over each PackedUsers' bytes (decoding from shared memory). */
const views = new WeakMap<Uint8Array, Buffer>()
const view = (bytes: Uint8Array): Buffer => {
  let b = views.get(bytes)
  if (!b) views.set(bytes, (b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)))
  return b
}

/**
 * Collects CSV rows into PackedUsers, in shared memory sized once from the file (its fields never
 * take more bytes than the file, nor more rows than it has lines): nothing is copied at the end,
 * and the pages never written are never touched.
 */
export class PackedUsersBuilder {
  private bytes: Uint8Array
  private readonly offsets: Uint32Array
  private readonly lines: Uint32Array
  private used = 0
  private count = 0
  private readonly encoder = new TextEncoder()

  constructor(private readonly file: string, maxRows: number, maxBytes: number) {
    this.bytes = new Uint8Array(new SharedArrayBuffer(Math.max(16, maxBytes)))
    this.offsets = new Uint32Array(new SharedArrayBuffer(4 * (3 * Math.max(1, maxRows) + 1)))
    this.lines = new Uint32Array(new SharedArrayBuffer(4 * Math.max(1, maxRows)))
  }

  add(address: string, name: string | undefined, login: string | undefined, line: number): void {
    if (this.count >= this.lines.length) throw new Error('mailprofile bug: more CSV rows than lines')
    const o = 3 * this.count
    this.offsets[o] = this.used
    this.put(address)
    this.offsets[o + 1] = this.used
    this.put(name ?? '')
    this.offsets[o + 2] = this.used
    this.put(login ?? '')
    this.offsets[o + 3] = this.used
    this.lines[this.count] = line
    this.count++
  }

  private put(s: string): void {
    if (s === '') return
    const {read, written} = this.encoder.encodeInto(s, this.bytes.subarray(this.used))
    if (read === s.length) {
      this.used += written
      return
    }
    // Only if a field took more bytes than the file holds (it cannot): grow, and write it again.
    const bigger = new Uint8Array(new SharedArrayBuffer(2 * this.bytes.length + 3 * s.length))
    bigger.set(this.bytes.subarray(0, this.used))
    this.bytes = bigger
    this.put(s)
  }

  /** The rows so far (views of the shared memory). */
  finish(): PackedUsers {
    return {file: this.file, count: this.count, bytes: this.bytes.subarray(0, this.used), offsets: this.offsets.subarray(0, 3 * this.count + 1), lines: this.lines.subarray(0, this.count)}
  }
}

/** User i of packed users, as the object a rule or build reads. */
export function packedUser(p: PackedUsers, i: number): UserSettings {
  const o = 3 * i
  const bytes = view(p.bytes)
  const text = (from: number, to: number): string => bytes.toString('utf8', from, to)
  const a = p.offsets[o]!
  const n = p.offsets[o + 1]!
  const l = p.offsets[o + 2]!
  const end = p.offsets[o + 3]!
  return {address: text(a, n), name: l > n ? text(n, l) : undefined, login: end > l ? text(l, end) : undefined, source: {file: p.file, line: p.lines[i]!, column: 1}}
}

/** Where a UserList's users come from, as plain data (for a worker thread): the settings' own users, the CSV's, and which of them. */
export interface UserListData {
  inline: UserSettings[]
  packed?: PackedUsers
  /** Only these users, by index into inline followed by packed; all when absent. */
  only?: Int32Array
}

/** A read-only list over the settings' own users followed by the CSV's (or a subset of them by index). */
export class Users implements UserList {
  readonly length: number

  constructor(readonly data: UserListData) {
    this.length = data.only ? data.only.length : data.inline.length + (data.packed?.count ?? 0)
  }

  /** The same list rebuilt from its plain data (what a worker thread receives). */
  static from(data: UserListData): Users {
    return new Users(data)
  }

  at(index: number): UserSettings | undefined {
    if (index < 0) index += this.length
    if (index < 0 || index >= this.length || !Number.isInteger(index)) return undefined
    const i = this.data.only ? this.data.only[index]! : index
    const inline = this.data.inline
    return i < inline.length ? inline[i] : packedUser(this.data.packed!, i - inline.length)
  }

  /** The users at these positions of this list, as a list sharing the same bytes. */
  subset(positions: ArrayLike<number>): Users {
    const only = new Int32Array(positions.length)
    for (let k = 0; k < positions.length; k++) only[k] = this.data.only ? this.data.only[positions[k]!]! : positions[k]!
    return new Users({inline: this.data.inline, packed: this.data.packed, only})
  }

  *[Symbol.iterator](): Iterator<UserSettings> {
    for (let i = 0; i < this.length; i++) yield this.at(i)!
  }

  slice(start = 0, end = this.length): UserSettings[] {
    const out: UserSettings[] = []
    const from = start < 0 ? Math.max(0, this.length + start) : Math.min(start, this.length)
    const to = end < 0 ? Math.max(0, this.length + end) : Math.min(end, this.length)
    for (let i = from; i < to; i++) out.push(this.at(i)!)
    return out
  }

  map<T>(fn: (user: UserSettings, index: number) => T): T[] {
    const out: T[] = []
    for (let i = 0; i < this.length; i++) out.push(fn(this.at(i)!, i))
    return out
  }

  filter(fn: (user: UserSettings, index: number) => boolean): UserSettings[] {
    const out: UserSettings[] = []
    for (let i = 0; i < this.length; i++) {
      const u = this.at(i)!
      if (fn(u, i)) out.push(u)
    }
    return out
  }

  find(fn: (user: UserSettings, index: number) => boolean): UserSettings | undefined {
    for (let i = 0; i < this.length; i++) {
      const u = this.at(i)!
      if (fn(u, i)) return u
    }
    return undefined
  }
}

/** The plain data of any UserList, for a worker thread: a Users' own, or an array's users as they are. */
export function userListData(users: UserList): UserListData {
  return users instanceof Users ? users.data : {inline: [...users]}
}

/** A subset of a UserList by position, sharing its bytes when it is a Users. */
export function usersAt(users: UserList, positions: ArrayLike<number>): UserList {
  if (users instanceof Users) return users.subset(positions)
  return Array.from({length: positions.length}, (_, k) => users.at(positions[k]!)!)
}
