/**
 * `build` across worker threads: the per-user profiles (generation and, above all, the RSA or
 * ECDSA signature, ~1 ms each) are split between threads, each building, signing and (with
 * `stage`) writing its share one user at a time into the build's staging folder, its manifest
 * entries in runs of its own there (build-worker.ts); this thread builds the per-domain files and
 * adopts the workers' runs, identical to what buildOutputs gives on one thread (same files, bytes
 * and manifest).
 *
 * Threads pay only when the work outweighs starting them: this thread first builds a few users
 * itself and times them (CPU time per user), and unless --threads was given, uses
 * min(free cores, work / (4 × a worker's start-up cost)) threads, or none.
 */
import {availableParallelism, loadavg} from 'node:os'
import {Worker} from 'node:worker_threads'

import {pushAll} from '../arrays.js'
import type {Finding} from '../findings.js'
import type {Settings} from '../settings/model.js'
import {userListData, usersAt as subsetOf} from '../settings/user-list.js'
import type {SigningIdentity} from '../settings/signing-identity.js'
import {appleSchemaSource} from '../apple/schemas.js'
import {assertDistinctOutputs, buildOutputs, caCertificates, manifestEntry, type BuildOptions, type BuiltFile, type OutputFile, type StreamedBuildResult} from './build.js'
import type {BuildWorkerData} from './build-worker.js'
import {buildManifest, type ManifestEntry} from './manifest.js'
import type {HandedRuns, ManifestEntries} from './manifest-runs.js'
import {shardOfAddress} from './shard.js'

export interface ParallelBuild {
  /** Threads to use for the per-user outputs (at least 2 to use any). */
  threads: number
  /** `threads` is an upper bound (the default): fewer, or none, when the measured work does not pay for them. */
  auto?: boolean
  /** The worker entry file (dist/build-worker.cjs). */
  workerFile: string
  /**
   * The build's staging folder (write.ts) and its manifest entries (the object `options.entries`
   * adds to), when the result will be written: workers write their files there as they go and keep
   * their entries in runs of their own there, which are adopted into `entries` in share order.
   */
  stage?: {dir: string; entries: ManifestEntries}
  /** Flush staged files to disk (build --fsync). */
  fsync?: boolean
  /** The signing identity the workspace loaded: handed to the workers as DER and a KeyObject, never reloaded there. */
  identity?: SigningIdentity
}

/** Users this thread builds and times before deciding on threads. */
export const SAMPLE_USERS = 24
/**
 * CPU seconds a worker costs before its first user (starting a thread, loading the bundle and the
 * validators, making the signer): about 0.43 s as measured on the 2-core test VM (issue 14).
 */
export const WORKER_START_SECONDS = 0.43

/**
 * How many threads to use for `users` more users that cost `perUser` CPU seconds each: no more
 * than the cores not already busy (the 1-minute load average, less this process), and no more
 * than keeps each worker busy for four times its start-up cost; fewer than 2 means none.
 */
export function threadsThatPay(users: number, perUser: number, requested: number, cores = availableParallelism(), load = loadavg()[0] ?? 0): number {
  const free = Math.max(1, Math.min(cores, Math.floor(cores - Math.max(0, load - 1) + 0.5)))
  const byWork = Math.floor((users * perUser) / (4 * WORKER_START_SECONDS))
  const threads = Math.min(requested, free, byWork)
  return threads >= 2 ? threads : 1
}

interface WorkerReply {
  files?: Array<(Omit<OutputFile, 'bytes'> & {bytes: Uint8Array}) | ManifestEntry>
  findings?: Finding[]
  runs?: HandedRuns
  error?: string
}

/**
 * A worker's young generation, in MB. A worker makes many short-lived strings and buffers per
 * profile, and V8 grows the young generation of each heap to match; capping it keeps the build's
 * peak RSS down at no cost in CPU (a signed build of 100,000 users on two threads, measured with
 * `/usr/bin/time -v`: 242 MB uncapped, 225 MB at 16, 252 MB at 32; CPU time unchanged).
 */
const WORKER_YOUNG_GENERATION_MB = 16

/**
 * A worker's old generation, in MB: a limit its live data never nears (its share's positions, 8
 * bytes a user, and up to RUN_ENTRIES manifest entries), set because V8 lets a heap grow before
 * a full collection by a factor that follows this limit: about 4× live data under the default of
 * a few GB, 1.3–1.4× at this one. Without it each worker's heap grew to ~95 MB with ~15 MB live;
 * with it, ~45 MB (1,000,000 users, two threads, unsigned: peak RSS 413 MB without, 322 with;
 * 256 gave 316).
 */
const WORKER_OLD_GENERATION_MB = 512

/** Runs one worker to its reply. */
function runWorker(file: string, data: BuildWorkerData): Promise<WorkerReply> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(file, {workerData: data, resourceLimits: {maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB, maxOldGenerationSizeMb: WORKER_OLD_GENERATION_MB}})
    let reply: WorkerReply | undefined
    worker.once('message', (m: WorkerReply) => (reply = m))
    worker.once('error', reject)
    worker.once('exit', (code) => (reply ? resolve(reply) : reject(new Error(`build worker exited with status ${code} without a result`))))
  })
}

/** The items at positions first, first + n, first + 2n, … of `items` (a thread's share of the users). */
export function everyNth(items: Int32Array, n: number, first: number): Int32Array {
  const out = new Int32Array(Math.max(0, Math.ceil((items.length - first) / n)))
  for (let k = 0, j = first; j < items.length; k++, j += n) out[k] = items[j]!
  return out
}

const cpuSeconds = (since: NodeJS.CpuUsage): number => {
  const d = process.cpuUsage(since)
  return (d.user + d.system) / 1e6
}

/** buildOutputs, with the users' outputs built on worker threads when they pay. */
export async function buildOutputsParallel(settings: Settings, options: BuildOptions, parallel: ParallelBuild): Promise<StreamedBuildResult> {
  const shard = options.shard
  // This build's users, by position in settings.users (a subset shares the users' bytes: user-list.ts).
  // Typed arrays, not JS arrays: at a million users, this one, `rest` and the shares were 24 MB of this thread's heap.
  const all = new Int32Array(settings.users.length)
  let count = 0
  for (let i = 0; i < settings.users.length; i++) if (!shard || shardOfAddress(settings.users.at(i)!.address, shard.count) === shard.index) all[count++] = i
  const mine = all.subarray(0, count)
  if (options.users === false || parallel.threads < 2 || mine.length < 2) return buildOutputs(settings, options)
  const usersAt = (positions: ArrayLike<number>) => subsetOf(settings.users, positions)
  // This thread: the per-domain files, and every settings-level finding (it sees all users too).
  const domains = buildOutputs(settings, {...options, users: false})
  if (domains.findings.some((f) => f.severity === 'error')) return domains
  // The certificate payloads once, as plain data (DER and names) a worker receives by structured clone.
  const certificates = caCertificates(options.caFiles ?? [], [], options.extraCertificates)
  // A first few users here, timed: what one user costs decides whether threads pay.
  const sample = mine.subarray(0, parallel.auto ? SAMPLE_USERS : 0)
  const started = process.cpuUsage()
  const first = sample.length > 0 ? buildOutputs({...settings, users: usersAt(sample)}, {...options, certificates, scope: 'users', shard: undefined}) : undefined
  const perUser = sample.length > 0 ? cpuSeconds(started) / sample.length : Infinity
  const rest = mine.subarray(sample.length)
  const threads = parallel.auto ? threadsThatPay(rest.length, perUser, parallel.threads) : Math.min(parallel.threads, rest.length)
  const files: BuiltFile[] = [...domains.files]
  const findings: Finding[] = [...domains.findings]
  const seen = new Set(findings.map((f) => `${f.code}\n${f.message}`))
  const merge = (more: readonly Finding[]): void => {
    for (const f of more) {
      const key = `${f.code}\n${f.message}`
      if (seen.has(key)) continue
      findings.push(f)
      seen.add(key)
    }
  }
  if (first) {
    pushAll(files, first.files.filter((f) => f.user !== null))
    merge(first.findings)
  }
  if (threads < 2) {
    if (rest.length > 0) {
      const r = buildOutputs({...settings, users: usersAt(rest)}, {...options, certificates, scope: 'users', shard: undefined})
      pushAll(files, r.files.filter((f) => f.user !== null))
      merge(r.findings)
    }
  } else {
    const shares = Array.from({length: threads}, (_, i) => everyNth(rest, threads, i))
    const stage = parallel.stage
    const replies = await Promise.all(
      shares.map((users, i) =>
        runWorker(parallel.workerFile, {
          settings: {...settings, users: []},
          users: userListData(usersAt(users)),
          only: options.only,
          certificates,
          identity: options.signer !== undefined ? parallel.identity : undefined,
          stage: stage && {dir: stage.dir, prefix: `w${i + 1}-`, runEntries: stage.entries.runEntries},
          fsync: parallel.fsync,
        }),
      ),
    )
    for (const reply of replies) {
      if (reply.error) throw new Error(`build worker: ${reply.error}`)
      if (stage && reply.runs) stage.entries.adopt(reply.runs)
      for (const f of reply.files ?? []) files.push('bytes' in f ? {...f, bytes: Buffer.from(f.bytes.buffer, f.bytes.byteOffset, f.bytes.byteLength)} : f)
      merge(reply.findings ?? [])
    }
  }
  if (findings.some((f) => f.severity === 'error')) return {files: [], manifest: buildManifest([], appleSchemaSource(), shard), findings}
  assertDistinctOutputs(files)
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
  return {files, manifest: buildManifest(files.map(manifestEntry), appleSchemaSource(), shard), findings}
}
