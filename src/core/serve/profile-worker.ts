/**
 * Worker thread entry of `serve`'s profile pool (profile-pool.ts): builds and signs the profiles
 * the cache does not hold, with buildProfile (profile-build.ts), the function the event loop uses
 * too. It reads no file and lints nothing: the main thread loads and lints the settings once and
 * posts each loaded state (domains, CA certificates, metadata, the signing identity with its
 * KeyObject) here; jobs name their state's generation, and the last two are kept so a job posted
 * just before a reload is answered from the settings it was asked under. Bundled on its own as
 * dist/serve-worker.cjs.
 */
import {parentPort} from 'node:worker_threads'

import type {ProfileSigner} from '../generate/build.js'
import type {CaCertificate, ProfileMetadata} from '../generate/mobileconfig.js'
import type {DomainSettings, UserSettings} from '../settings/model.js'
import type {SigningIdentity} from '../settings/signing-identity.js'
import {profileSigner} from '../sign/profile-signer.js'
import {strongEtag} from './etag.js'
import {buildProfile, type ProfileInputs} from './profile-build.js'

export interface WorkerState {
  type: 'state'
  generation: number
  domains: DomainSettings[]
  certificates: CaCertificate[]
  meta: ProfileMetadata
  identity?: SigningIdentity
}

export interface WorkerJob {
  type: 'job'
  id: number
  generation: number
  /** Index into the state's domains. */
  domain: number
  user?: UserSettings
  fileName: string
}

export type WorkerReply = {type: 'ready'} | {type: 'done'; id: number; bytes: Uint8Array; etag: string} | {type: 'failed'; id: number; error: string}

/** Structured cloning turns Buffers into Uint8Arrays; certificates are compared and hashed as Buffers. */
const buffer = (b: Uint8Array): Buffer => Buffer.from(b.buffer, b.byteOffset, b.byteLength)

interface Loaded extends ProfileInputs {
  domains: DomainSettings[]
}

const KEEP = 2
const states = new Map<number, Loaded>()

function load(message: WorkerState): void {
  const id = message.identity
  const signing = id ? profileSigner({...id, certificate: buffer(id.certificate), chain: id.chain.map(buffer)}) : undefined
  const signer: ProfileSigner | undefined = signing ? {sign: signing.sign, info: signing.info} : undefined
  states.set(message.generation, {domains: message.domains, certificates: message.certificates.map((c) => ({...c, der: buffer(c.der)})), meta: message.meta, signer})
  for (const generation of [...states.keys()].sort((a, b) => a - b).slice(0, -KEEP)) states.delete(generation)
}

function run(job: WorkerJob): WorkerReply {
  const state = states.get(job.generation)
  const domain = state?.domains[job.domain]
  if (!state || !domain) return {type: 'failed', id: job.id, error: `no settings of generation ${job.generation} here`}
  const bytes = buildProfile(state, {domain, user: job.user, fileName: job.fileName})
  return {type: 'done', id: job.id, bytes, etag: strongEtag(bytes)}
}

const port = parentPort!
port.on('message', (message: WorkerState | WorkerJob) => {
  if (message.type === 'state') {
    load(message)
    return
  }
  let reply: WorkerReply
  try {
    reply = run(message)
  } catch (error) {
    reply = {type: 'failed', id: message.id, error: error instanceof Error ? error.message : String(error)}
  }
  // The signed bytes own their memory (larger than Buffer's pool slices): handed over, not copied.
  const bytes = reply.type === 'done' ? reply.bytes : undefined
  port.postMessage(reply, bytes && bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? [bytes.buffer as ArrayBuffer] : [])
})
port.postMessage({type: 'ready'} satisfies WorkerReply)
