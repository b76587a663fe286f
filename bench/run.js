#!/usr/bin/env node
// `npm run bench`: runs every bench/*.bench.js in turn, each in its own process (so one's memory
// does not count against another's), and prints their figures. Pass names to run a subset:
// `npm run bench -- lint`.
import {spawnSync} from 'node:child_process'
import {readdirSync} from 'node:fs'
import {fileURLToPath} from 'node:url'

const dir = fileURLToPath(new URL('.', import.meta.url))
const wanted = process.argv.slice(2)
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.js'))
  .filter((f) => wanted.length === 0 || wanted.some((w) => f.includes(w)))
  .sort()
let failed = 0
for (const f of files) {
  console.log(`\n=== ${f}`)
  const r = spawnSync(process.execPath, ['--expose-gc', `${dir}${f}`], {stdio: 'inherit'})
  if (r.status !== 0) {
    failed++
    console.log(`!!! ${f} exited with ${r.status ?? r.signal}`)
  }
}
process.exitCode = failed ? 1 : 0
