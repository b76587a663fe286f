#!/usr/bin/env node
// ECDSA at the limit (issue 14 item 4): the deterministic RFC 6979 signer that makes EC-signed
// profiles byte-identical (src/core/sign/ecdsa-deterministic.ts), against node's native, randomized
// crypto.sign on the same P-256 key and the same messages (the ~100-byte signed attributes a CMS
// signature covers), in one run, alternating rounds so that the shared machine's load hits both
// alike. Prints signatures per CPU-second (user + system of this process) for each and their ratio
// (goal: ≥ 40 %), and P-384/P-521 for information. Every signature is checked with crypto.verify
// on a sample. Exits 1 when the P-256 goal is missed.
import {Buffer} from 'node:buffer'
import {generateKeyPairSync, sign, verify} from 'node:crypto'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const {createDeterministicEcdsaSigner} = await import(join(root, 'dist', 'bench-lib.js'))
const GOAL = 0.4
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5)
const PER_ROUND = Number(process.env.BENCH_SIGNATURES ?? 3000)

const messages = Array.from({length: 64}, (_, i) => Buffer.alloc(100, i))

/** Signatures per CPU-second of `f` over PER_ROUND messages. */
function rate(f) {
  const start = process.cpuUsage()
  for (let i = 0; i < PER_ROUND; i++) f(messages[i % messages.length])
  const used = process.cpuUsage(start)
  return PER_ROUND / ((used.user + used.system) / 1e6)
}

let failed = false
for (const namedCurve of ['P-256', 'P-384', 'P-521']) {
  const {privateKey, publicKey} = generateKeyPairSync('ec', {namedCurve})
  const deterministic = createDeterministicEcdsaSigner(privateKey)
  const native = (m) => sign('sha256', m, {key: privateKey, dsaEncoding: 'der'})
  for (const m of messages) {
    if (!verify('sha256', m, {key: publicKey, dsaEncoding: 'der'}, deterministic(m))) throw new Error(`${namedCurve}: a deterministic signature does not verify`)
    if (!deterministic(m).equals(deterministic(m))) throw new Error(`${namedCurve}: not deterministic`)
  }
  rate(deterministic) // warm-up
  rate(native)
  const ours = []
  const theirs = []
  for (let r = 0; r < ROUNDS; r++) {
    ours.push(rate(deterministic))
    theirs.push(rate(native))
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
  const ratio = median(ours) / median(theirs)
  const goal = namedCurve === 'P-256' ? ` (goal ≥ ${GOAL * 100} %) ${ratio >= GOAL ? 'ok' : 'MISSED'}` : ''
  console.log(`${namedCurve}: deterministic RFC 6979 ${median(ours).toFixed(0)} sig/CPU-s, native crypto.sign ${median(theirs).toFixed(0)} sig/CPU-s: ${(ratio * 100).toFixed(1)} %${goal}`)
  if (namedCurve === 'P-256' && ratio < GOAL) failed = true
}
process.exitCode = failed ? 1 : 0
