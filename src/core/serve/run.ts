/**
 * `serve` from start to stop in one call, for the command: start (server.ts), hand the running
 * server to `onReady` (the command wires SIGHUP to `reload()` there), serve until `stop` aborts,
 * close gracefully, and return what happened as findings and data for the report.
 */
import {availableParallelism} from 'node:os'

import type {Finding} from '../findings.js'
import {startServe, type ServeHandle, type ServeOptions} from './server.js'

export interface ServeRunResult {
  findings: Finding[]
  /** Set when the settings could not be served at all (error-level findings). */
  refused?: string
  urls: string[]
  publicUrl?: string
  /** Requests answered over the whole run. */
  requests: number
  reloads: {ok: number; failed: number}
}

/** As startServe, but `threads` defaults to the machine's cores (availableParallelism). */
export async function runServe(options: ServeOptions & {stop: AbortSignal; onReady?: (handle: ServeHandle) => void}): Promise<ServeRunResult> {
  const started = await startServe({...options, threads: options.threads ?? availableParallelism()})
  if (!started.ok) return {findings: started.findings, refused: started.message, urls: [], requests: 0, reloads: {ok: 0, failed: 0}}
  const {handle} = started
  options.onReady?.(handle)
  if (!options.stop.aborted) await new Promise<void>((done) => options.stop.addEventListener('abort', () => done(), {once: true}))
  await handle.close()
  const requests = (await handle.metrics.requests.get()).values.reduce((n, v) => n + v.value, 0)
  const reloads = (await handle.metrics.reloads.get()).values
  const count = (result: string): number => reloads.find((v) => v.labels.result === result)?.value ?? 0
  return {findings: started.findings, urls: handle.urls, publicUrl: handle.publicUrl, requests, reloads: {ok: count('ok'), failed: count('failed')}}
}
