/**
 * `build` across worker threads: the per-user profiles (generation and, above all, the RSA or
 * ECDSA signature, ~1 ms each) are split between threads, each building and signing its share
 * (build-worker.ts); this thread builds the per-domain files and merges everything into one
 * result, identical to what buildOutputs gives on one thread (same files, bytes and manifest).
 * With `stageIn` the workers also write their files (into a staging folder), in parallel.
 */
import {Worker} from 'node:worker_threads'

import type {Finding} from '../findings.js'
import type {Settings} from '../settings/model.js'
import type {SigningIdentity} from '../settings/signing-identity.js'
import {appleSchemaSource} from '../apple/schemas.js'
import {assertDistinctOutputs, buildOutputs, caCertificates, type BuildOptions, type BuildResult, type BuiltFile, type OutputFile, type StagedOutputFile} from './build.js'
import type {BuildWorkerData} from './build-worker.js'
import {buildManifest, type ManifestEntry} from './manifest.js'
import {shardOfAddress} from './shard.js'

export interface ParallelBuild {
  /** Threads to use for the per-user outputs (at least 2 to use any). */
  threads: number
  /** The worker entry file (dist/build-worker.cjs). */
  workerFile: string
  /**
   * The output folder, when the result will be written there: workers then write their files into
   * its staging folder as they go (write.ts), so writing overlaps signing, and hand back
   * StagedOutputFiles that writeOutputs renames into place. The caller removes the staging folder
   * (discardStaging) when it writes nothing.
   */
  stageIn?: string
  /** Flush staged files to disk (build --fsync). */
  fsync?: boolean
  /** The signing identity the workspace loaded: handed to the workers as DER and a KeyObject, never reloaded there. */
  identity?: SigningIdentity
}

/** Below this many users, one thread is faster than starting workers. */
export const PARALLEL_MIN_USERS = 200

interface WorkerReply {
  files?: Array<(Omit<OutputFile, 'bytes'> & {bytes: Uint8Array}) | StagedOutputFile>
  findings?: Finding[]
  error?: string
}

function runWorker(file: string, data: BuildWorkerData): Promise<WorkerReply> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(file, {workerData: data})
    let reply: WorkerReply | undefined
    worker.once('message', (m: WorkerReply) => (reply = m))
    worker.once('error', reject)
    worker.once('exit', (code) => (reply ? resolve(reply) : reject(new Error(`build worker exited with status ${code} without a result`))))
  })
}

export interface ParallelBuildResult extends Omit<BuildResult, 'files'> {
  files: BuiltFile[]
}

/** buildOutputs, with the users' outputs built on `parallel.threads` worker threads. */
export async function buildOutputsParallel(settings: Settings, options: BuildOptions, parallel: ParallelBuild): Promise<ParallelBuildResult> {
  const shard = options.shard
  const mine = shard ? settings.users.filter((u) => shardOfAddress(u.address, shard.count) === shard.index) : settings.users
  const threads = Math.min(parallel.threads, Math.ceil(mine.length / (PARALLEL_MIN_USERS / 2)))
  if (options.users === false || threads < 2 || mine.length < PARALLEL_MIN_USERS) return buildOutputs(settings, options)
  // This thread: the per-domain files, and every settings-level finding (it sees all users too).
  const domains = buildOutputs(settings, {...options, users: false})
  if (domains.findings.some((f) => f.severity === 'error')) return domains
  // The certificate payloads once, as plain data (DER and names) a worker receives by structured clone.
  const certificates = caCertificates(options.caFiles ?? [], [], options.extraCertificates)
  const shares = Array.from({length: threads}, (_, i) => mine.filter((_, j) => j % threads === i))
  const replies = await Promise.all(
    shares.map((users) =>
      runWorker(parallel.workerFile, {
        settings: {...settings, users},
        only: options.only,
        certificates,
        identity: options.signer !== undefined ? parallel.identity : undefined,
        stageIn: parallel.stageIn,
        fsync: parallel.fsync,
      }),
    ),
  )
  const files: BuiltFile[] = [...domains.files]
  const findings: Finding[] = [...domains.findings]
  const seen = new Set(findings.map((f) => `${f.code}\n${f.message}`))
  for (const reply of replies) {
    if (reply.error) throw new Error(`build worker: ${reply.error}`)
    for (const f of reply.files ?? []) files.push('staged' in f ? f : {...f, bytes: Buffer.from(f.bytes.buffer, f.bytes.byteOffset, f.bytes.byteLength)})
    for (const f of reply.findings ?? []) {
      const key = `${f.code}\n${f.message}`
      if (seen.has(key)) continue
      findings.push(f)
      seen.add(key)
    }
  }
  if (findings.some((f) => f.severity === 'error')) return {files: [], manifest: buildManifest([], appleSchemaSource(), shard), findings}
  assertDistinctOutputs(files)
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
  const entries = files.map((f) => {
    const {bytes: _bytes, staged: _staged, ...entry} = f as Partial<OutputFile & StagedOutputFile> & ManifestEntry
    return entry
  })
  return {files, manifest: buildManifest(entries, appleSchemaSource(), shard), findings}
}
