/**
 * A fixed set of worker threads (profile-worker.ts) that build and sign the profiles the cache
 * does not hold, so cold downloads use every core while the event loop keeps answering HTTP.
 * Started once with the server (a worker's start-up is never paid by a request); each loaded
 * state is posted to every worker (the settings are linted once, on the main thread); a job goes
 * to the worker with the fewest in flight. Bounded: at most `maxQueued` jobs in flight in all,
 * beyond which `build` says `busy` (the route answers 503 with Retry-After). A worker that dies is
 * replaced, and its jobs are rejected; while no worker is running (`threads` is 0) the caller
 * builds on its own thread rather than posting here. Replacements back off: a worker that dies
 * within `STEADY_MS` of its start doubles the wait before the next one (from `FIRST_RETRY_MS` up
 * to `MAX_RETRY_MS`), and so does a replacement that cannot start, so a worker that always dies
 * costs a start every half minute, not a busy loop; one that ran steadily resets the wait.
 */
import {Worker} from 'node:worker_threads'

import type {ProfileSubject} from './profile-build.js'
import type {WorkerJob, WorkerReply, WorkerState} from './profile-worker.js'
import type {ServeState} from './state.js'

export interface BuiltProfileEntry {
  bytes: Buffer
  etag: string
}

interface Pending {
  resolve: (entry: BuiltProfileEntry) => void
  reject: (error: Error) => void
}

interface Slot {
  worker: Worker
  pending: Map<number, Pending>
}

const FIRST_RETRY_MS = 100
const MAX_RETRY_MS = 30_000
const STEADY_MS = 10_000

export class ProfilePool {
  private readonly slots: Slot[] = []
  private readonly retries = new Set<NodeJS.Timeout>()
  private retryMs = 0
  private state: ServeState
  private nextId = 0
  private inFlight = 0
  private closed = false

  private constructor(
    private readonly file: string,
    state: ServeState,
    private readonly maxQueued: number,
    private readonly onWorkerError: (error: Error) => void,
  ) {
    this.state = state
  }

  /** Starts `threads` workers from `file` (dist/serve-worker.cjs) and resolves once each has loaded its code. */
  static async start(options: {file: string; threads: number; state: ServeState; maxQueued: number; onWorkerError: (error: Error) => void}): Promise<ProfilePool> {
    const pool = new ProfilePool(options.file, options.state, Math.max(1, options.maxQueued), options.onWorkerError)
    try {
      await Promise.all(Array.from({length: options.threads}, () => pool.spawn()))
    } catch (error) {
      await pool.close()
      throw error
    }
    return pool
  }

  get threads(): number {
    return this.slots.length
  }

  /** Jobs posted and not yet answered. */
  get queued(): number {
    return this.inFlight
  }

  /** Hands a newly loaded state to every worker; jobs posted after this use it. */
  setState(state: ServeState): void {
    this.state = state
    for (const slot of this.slots) slot.worker.postMessage(stateMessage(state))
  }

  /** Builds (and signs) the target's profile on a worker, or `busy` when `maxQueued` jobs are already in flight. */
  build(state: ServeState, target: ProfileSubject): Promise<BuiltProfileEntry> | 'busy' {
    if (this.inFlight >= this.maxQueued || this.closed || this.slots.length === 0) return 'busy'
    const domain = state.settings.domains.indexOf(target.domain)
    const slot = this.slots.reduce((best, s) => (s.pending.size < best.pending.size ? s : best), this.slots[0]!)
    const id = this.nextId++
    const job: WorkerJob = {type: 'job', id, generation: state.generation, domain, user: target.user, fileName: target.fileName}
    this.inFlight++
    return new Promise<BuiltProfileEntry>((resolve, reject) => {
      slot.pending.set(id, {resolve, reject})
      slot.worker.postMessage(job)
    })
  }

  async close(): Promise<void> {
    this.closed = true
    for (const timer of this.retries) clearTimeout(timer)
    this.retries.clear()
    const slots = this.slots.splice(0)
    await Promise.all(slots.map((s) => s.worker.terminate()))
  }

  /** Starts a replacement after the current back-off; one that cannot start is retried the same way. */
  private replace(diedEarly: boolean): void {
    this.retryMs = diedEarly ? Math.min(MAX_RETRY_MS, Math.max(FIRST_RETRY_MS, this.retryMs * 2)) : 0
    const timer = setTimeout(() => {
      this.retries.delete(timer)
      if (this.closed) return
      this.spawn().catch((e: unknown) => {
        this.onWorkerError(e instanceof Error ? e : new Error(String(e)))
        if (!this.closed) this.replace(true)
      })
    }, this.retryMs)
    timer.unref()
    this.retries.add(timer)
  }

  private spawn(): Promise<void> {
    const worker = new Worker(this.file)
    const slot: Slot = {worker, pending: new Map()}
    let readyAt = 0
    worker.postMessage(stateMessage(this.state))
    return new Promise<void>((ready, fail) => {
      let started = false
      worker.on('message', (reply: WorkerReply) => {
        if (reply.type === 'ready') {
          started = true
          readyAt = Date.now()
          this.slots.push(slot)
          ready()
          return
        }
        const pending = slot.pending.get(reply.id)
        if (!pending) return
        slot.pending.delete(reply.id)
        this.inFlight--
        if (reply.type === 'done') pending.resolve({bytes: Buffer.from(reply.bytes.buffer, reply.bytes.byteOffset, reply.bytes.byteLength), etag: reply.etag})
        else pending.reject(new Error(`profile worker: ${reply.error}`))
      })
      const lost = (error: Error): void => {
        if (!started) return fail(error)
        const at = this.slots.indexOf(slot)
        if (at === -1) return
        this.slots.splice(at, 1)
        for (const p of slot.pending.values()) p.reject(error)
        this.inFlight -= slot.pending.size
        slot.pending.clear()
        if (this.closed) return
        this.onWorkerError(error)
        this.replace(Date.now() - readyAt < STEADY_MS)
      }
      worker.on('error', lost)
      worker.on('exit', (code) => lost(new Error(`profile worker exited with status ${code}`)))
    })
  }
}

function stateMessage(state: ServeState): WorkerState {
  return {type: 'state', generation: state.generation, domains: state.settings.domains, certificates: [...state.certificates], meta: state.meta, identity: state.identity}
}
