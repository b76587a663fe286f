/**
 * Worker thread entry for a parallel `build` (parallel-build.ts): builds and signs the per-user
 * outputs of one share of the users, writes them into the build's staging folder one by one, and
 * keeps their manifest entries in runs of its own there, handed back at the end (or, without a
 * staging folder, posts back the files). It gets everything it needs from the main
 * thread (settings, CA certificates as DER, the signing identity as DER and a KeyObject): it reads
 * no file, re-checks no setting and builds no domain file. Bundled on its own as dist/build-worker.cjs.
 */
import {parentPort, workerData} from 'node:worker_threads'

import type {Settings} from '../settings/model.js'
import {Users, type UserListData} from '../settings/user-list.js'
import type {SigningIdentity} from '../settings/signing-identity.js'
import {profileSigner} from '../sign/profile-signer.js'
import {buildOutputs, type BuildOptions} from './build.js'
import type {ManifestEntry} from './manifest.js'
import {FAN_IN, ManifestEntries} from './manifest-runs.js'
import type {CaCertificate} from './mobileconfig.js'
import {stageFile} from './write.js'

export interface BuildWorkerData {
  /** The settings, without their users (`users` carries this worker's share). */
  settings: Settings
  users: UserListData
  only?: BuildOptions['only']
  /** The certificate payloads (trust.caFiles and pinned server roots), made on the main thread. */
  certificates: CaCertificate[]
  /** Sign with this identity (the main thread loaded it); unsigned when absent. */
  identity?: SigningIdentity
  /**
   * Write the files into the staging folder `dir` (write.ts stageFile) as they are built, and keep
   * their manifest entries in runs of this thread's own there (manifest-runs.ts, names from
   * `prefix`), handed over at the end.
   */
  stage?: {dir: string; prefix: string; runEntries: number}
  fsync?: boolean
}

/** Structured cloning turns Buffers into Uint8Arrays; certificates are compared and hashed as Buffers. */
const buffer = (b: Uint8Array): Buffer => Buffer.from(b.buffer, b.byteOffset, b.byteLength)

function main(data: BuildWorkerData): void {
  const id = data.identity
  const signing = id ? profileSigner({...id, certificate: buffer(id.certificate), chain: id.chain.map(buffer)}) : undefined
  const signer = signing ? {sign: signing.sign, info: signing.info} : undefined
  const certificates = data.certificates.map((c) => ({...c, der: buffer(c.der)}))
  const stage = data.stage
  // One user at a time: each file goes to the staging folder as soon as it is built, and its entry to a run there.
  const sink = stage ? (path: string, bytes: Buffer) => stageFile(stage.dir, path, bytes, {fsync: data.fsync}) : undefined
  const runs = stage ? new ManifestEntries(stage.dir, stage.runEntries, FAN_IN, stage.prefix) : undefined
  const entries = runs ? (entry: ManifestEntry) => runs.add(entry) : undefined
  const result = buildOutputs({...data.settings, users: Users.from(data.users)}, {only: data.only, users: true, signer, certificates, scope: 'users', sink, entries})
  parentPort!.postMessage({files: result.files.filter((f) => f.user !== null), findings: result.findings, runs: runs?.handOver()})
}

try {
  main(workerData as BuildWorkerData)
} catch (error) {
  parentPort!.postMessage({error: error instanceof Error ? error.message : String(error)})
}
