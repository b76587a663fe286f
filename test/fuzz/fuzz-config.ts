import fc from 'fast-check'

/**
 * Case counts for the fuzz suite: small under `npm test` (a few seconds in all), many more under
 * `npm run fuzz` (FUZZ_RUNS=<n>). FUZZ_SEED (and FUZZ_PATH) replay a run; a failure prints fast-check's seed and path.
 */
export const FUZZ_RUNS = Number(process.env.FUZZ_RUNS ?? 0) || 0
export const LONG = FUZZ_RUNS > 0

/** Cases for one property: `base` by default, FUZZ_RUNS when set. */
export function runs(base: number): number {
  return LONG ? FUZZ_RUNS : base
}

/** Generous per-case time bound (ms): a case slower than this is unbounded work, not noise. */
export const CASE_MS = 5_000

/** Per-test timeout that fits `cases` cases at the bound above, at least vitest's default. */
export function testTimeout(cases: number, perCaseMs = 50): number {
  return Math.max(20_000, cases * perCaseMs + 10_000)
}

export function params(base: number): fc.Parameters<unknown> {
  const seed = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED)
  const path = process.env.FUZZ_PATH
  return {numRuns: runs(base), ...(seed === undefined ? {} : {seed}), ...(path === undefined ? {} : {path}), verbose: LONG ? 1 : 0}
}

/** Prints cases per second in a long run (stdout of `npm run fuzz`). */
export function report(name: string, cases: number, startedMs: number): void {
  if (!LONG) return
  const s = (performance.now() - startedMs) / 1000
  console.log(`fuzz ${name}: ${cases} cases in ${s.toFixed(1)} s = ${(cases / s).toFixed(0)} cases/s`)
}

/** Byte-level mutations of a seed file: flips, inserts, deletes, truncation, splices of itself. */
export function mutatedBytes(seed: Buffer): fc.Arbitrary<Buffer> {
  const edit = fc.oneof(
    fc.record({kind: fc.constant('flip' as const), at: fc.nat(), byte: fc.integer({min: 0, max: 255})}),
    fc.record({kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({maxLength: 16})}),
    fc.record({kind: fc.constant('delete' as const), at: fc.nat(), len: fc.integer({min: 1, max: 64})}),
    fc.record({kind: fc.constant('truncate' as const), at: fc.nat()}),
    fc.record({kind: fc.constant('splice' as const), at: fc.nat(), from: fc.nat(), len: fc.integer({min: 1, max: 256})}),
  )
  return fc.array(edit, {minLength: 1, maxLength: 8}).map((edits) => {
    let b = Buffer.from(seed)
    for (const e of edits) {
      const at = b.length === 0 ? 0 : e.at % (b.length + 1)
      if (e.kind === 'flip' && b.length > 0) b[at % b.length] = e.byte
      else if (e.kind === 'insert') b = Buffer.concat([b.subarray(0, at), Buffer.from(e.bytes), b.subarray(at)])
      else if (e.kind === 'delete') b = Buffer.concat([b.subarray(0, at), b.subarray(at + e.len)])
      else if (e.kind === 'truncate') b = b.subarray(0, at)
      else if (e.kind === 'splice' && b.length > 0) {
        const from = e.from % b.length
        b = Buffer.concat([b.subarray(0, at), b.subarray(from, from + e.len), b.subarray(at)])
      }
    }
    return b
  })
}

/** Line-level mutations of a text seed: duplicate, drop, swap lines, replace a line's tail with a generated string. */
export function mutatedText(seed: string): fc.Arbitrary<string> {
  const lines = seed.split('\n')
  const edit = fc.record({kind: fc.constantFrom('dup', 'drop', 'swap', 'tail', 'indent'), at: fc.nat(), other: fc.nat(), text: fc.string({maxLength: 24, unit: 'binary'})})
  return fc.array(edit, {minLength: 1, maxLength: 6}).map((edits) => {
    const l = [...lines]
    for (const e of edits) {
      if (l.length === 0) break
      const i = e.at % l.length
      const j = e.other % l.length
      const li = l[i] ?? ''
      if (e.kind === 'dup') l.splice(i, 0, li)
      else if (e.kind === 'drop') l.splice(i, 1)
      else if (e.kind === 'swap') [l[i], l[j]] = [l[j] ?? '', li]
      else if (e.kind === 'tail') l[i] = li.slice(0, e.other % (li.length + 1)) + e.text
      else l[i] = ' '.repeat(e.other % 5) + li.trimStart()
    }
    return l.join('\n')
  })
}
