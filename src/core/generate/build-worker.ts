/**
 * Worker thread entry for a parallel `build` (parallel-build.ts): builds the per-user outputs of one
 * share of the users, signing with its own copy of the signing identity, and posts them back.
 * Bundled on its own as dist/build-worker.cjs.
 */
import {parentPort, workerData} from 'node:worker_threads'

import type {Settings} from '../settings/model.js'
import {buildOutputs, type BuildOptions} from './build.js'
import {signerFor} from './build-file.js'
import {stageFile} from './write.js'

export interface BuildWorkerData {
  settings: Settings
  only?: BuildOptions['only']
  extraCertificates?: Array<{der: Uint8Array; source: string}>
  /** Whether to sign (the main thread decided; the worker loads the same identity). */
  sign: boolean
  /** Write the files into this output folder's staging folder (write.ts stageFile) instead of posting their bytes. */
  stageIn?: string
  fsync?: boolean
}

async function main(data: BuildWorkerData): Promise<void> {
  const signer = data.sign ? await signerFor(data.settings, process.env) : undefined
  const extraCertificates = data.extraCertificates?.map((c) => ({der: Buffer.from(c.der), source: c.source}))
  const result = buildOutputs(data.settings, {only: data.only, users: true, signer, extraCertificates})
  const files = result.files.filter((f) => f.user !== null)
  if (data.stageIn && !result.findings.some((f) => f.severity === 'error')) {
    const stageIn = data.stageIn
    const staged = files.map(({bytes, ...entry}) => ({...entry, staged: stageFile(stageIn, entry.path, bytes, {fsync: data.fsync})}))
    parentPort!.postMessage({files: staged, findings: result.findings})
  } else {
    parentPort!.postMessage({files, findings: result.findings})
  }
}

main(workerData as BuildWorkerData).catch((error: unknown) => {
  parentPort!.postMessage({error: error instanceof Error ? error.message : String(error)})
})
