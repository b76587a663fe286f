/**
 * Bounded-concurrency runner and probeAll: at most `concurrency` probes at once, results in input
 * order. Memory stays at the results plus the probes in flight.
 */
import type {ProbeEvidence, ProbeOptions, ProbeTarget} from './evidence.js'
import {probe} from './probe.js'

/**
 * Default number of probes in flight. Probes mostly wait on the network; 64 keeps a 2-core machine
 * busy on loopback (500 endpoints well under 3 s) without opening hundreds of sockets against one
 * organization's servers at once.
 */
export const DEFAULT_CONCURRENCY = 64

/** Runs `work` over `items` with at most `concurrency` at once; results in input order. */
export async function runPool<T, R>(items: readonly T[], concurrency: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const limit = Math.max(1, Math.floor(concurrency) || 1)
  const results = new Array<R>(items.length)
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++
      results[index] = await work(items[index]!, index)
    }
  }
  await Promise.all(Array.from({length: Math.min(limit, items.length)}, worker))
  return results
}

export interface ProbeAllOptions extends ProbeOptions {
  /** Probes in flight at once. Default DEFAULT_CONCURRENCY. */
  concurrency?: number
}

/** Probes every target; the evidence comes back in the order of `targets`. */
export function probeAll(targets: readonly ProbeTarget[], options: ProbeAllOptions): Promise<ProbeEvidence[]> {
  const {concurrency = DEFAULT_CONCURRENCY, ...probeOptions} = options
  return runPool(targets, concurrency, (target) => probe(target, probeOptions))
}
