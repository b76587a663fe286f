// serve's profile worker threads (threads ≥ 2): the same bytes as `build` under concurrency, a
// reload that reaches the workers, signatures and cache hits counted once, a bounded queue (503
// with Retry-After), and a shutdown that finishes the builds in flight. Real HTTP on 127.0.0.1.
import {cpSync, mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {request} from 'node:http'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

import {buildFromSettingsFile} from '../../src/core/generate/build-file.js'
import {ROOT} from '../helpers/cli.js'
import {PROVIDER, startTestServer} from './helpers.js'

/** build's per-user profiles of a settings file, by address, and its generic ones, by domain. */
async function builtProfiles(file: string): Promise<{users: Map<string, Buffer>; domains: Map<string, Buffer>}> {
  const result = await buildFromSettingsFile(file, {env: {}})
  const users = new Map<string, Buffer>()
  const domains = new Map<string, Buffer>()
  for (const f of result.files) {
    if (!('bytes' in f) || !f.path.endsWith('.mobileconfig')) continue
    const user = /\/users\/(.+)\.mobileconfig$/.exec(f.path)?.[1]
    if (user) users.set(user, f.bytes)
    else domains.set(f.path.split('/')[0]!, f.bytes)
  }
  return {users, domains}
}

async function download(url: string, address: string): Promise<{status: number; body: Buffer; headers: Headers}> {
  const r = await fetch(`${url}/mobileconfig?emailaddress=${encodeURIComponent(address)}`)
  return {status: r.status, body: Buffer.from(await r.arrayBuffer()), headers: r.headers}
}

const count = async (metric: {get(): Promise<{values: Array<{value: number}>}>}): Promise<number> => (await metric.get()).values[0]?.value ?? 0

function getWithHost(url: string, host: string): Promise<Buffer> {
  return new Promise((done, fail) => {
    const req = request(url, {headers: {host}}, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => done(Buffer.concat(chunks)))
    })
    req.on('error', fail)
    req.end()
  })
}

async function waitFor(what: () => Promise<boolean>, ms = 20_000): Promise<void> {
  const until = Date.now() + ms
  while (!(await what())) {
    if (Date.now() > until) throw new Error('timed out')
    await new Promise((r) => setTimeout(r, 5))
  }
}

function copyExamples(): string {
  const dir = mkdtempSync(join(tmpdir(), 'mp-serve-threads-'))
  cpSync(join(ROOT, 'examples'), dir, {recursive: true})
  return dir
}

describe('profile worker threads', () => {
  it('serve byte-identical profiles to build for every user, many at once, with every request signing', async () => {
    const built = await builtProfiles(PROVIDER)
    expect(built.users.size).toBeGreaterThanOrEqual(5)
    const {handle, url, logs} = await startTestServer({threads: 2, limits: {cacheBytes: 0}})
    try {
      expect(handle.threads).toBe(2)
      const addresses = [...built.users.keys()]
      const answers = await Promise.all([...addresses, ...addresses, ...addresses].map(async (a) => ({a, r: await download(url, a)})))
      for (const {a, r} of answers) {
        expect(r.status, a).toBe(200)
        expect(r.headers.get('content-type')).toBe('application/x-apple-aspen-config')
        expect(r.body.equals(built.users.get(a)!), a).toBe(true)
      }
      const generic = await Promise.all(['example.org', 'example.net', 'example.org'].map(async (host) => ({host, body: await getWithHost(`${url}/mobileconfig`, host)})))
      for (const {host, body} of generic) expect(body.equals(built.domains.get(host)!), host).toBe(true)
      // Built by the workers, not by the event loop's fallback.
      expect(logs.filter((l) => l.msg.startsWith('profile worker failed'))).toEqual([])
    } finally {
      await handle.close()
    }
  }, 60_000)

  it('count one signature per profile built, and a hit for each download spared one (cached or joining a build in flight)', async () => {
    const {handle, url} = await startTestServer({threads: 2})
    try {
      const addresses = Array.from({length: 12}, (_, i) => `template.user${i}@example.net`)
      const answers = await Promise.all([...addresses, ...addresses].map((a) => download(url, a)))
      expect(answers.every((r) => r.status === 200)).toBe(true)
      for (const a of addresses) {
        const again = await download(url, a)
        const first = answers[addresses.indexOf(a)]!
        expect(again.body.equals(first.body)).toBe(true)
        expect(again.headers.get('etag')).toBe(first.headers.get('etag'))
      }
      expect(await count(handle.metrics.signatures)).toBe(12)
      expect(await count(handle.metrics.cacheMisses)).toBe(12)
      expect(await count(handle.metrics.cacheHits)).toBe(24)
      const text = await (await fetch(`${url}/metrics`)).text()
      expect(text).toMatch(/^mailprofile_profile_signatures_total 12$/m)
      expect(text).toMatch(/^mailprofile_profile_queue 0$/m)
    } finally {
      await handle.close()
    }
  }, 60_000)

  it('a reload reaches the workers: the next downloads are build\'s bytes of the new settings; a refused reload changes nothing', async () => {
    const dir = copyExamples()
    const file = join(dir, 'provider.yaml')
    const before = await builtProfiles(file)
    const {handle, url, logs} = await startTestServer({file, threads: 2, limits: {cacheBytes: 0}})
    try {
      const users = ['ana.silva@example.net', 'chloe.martin@example.org', 'eun-ji.park@mail.example.edu']
      for (const a of users) expect((await download(url, a)).body.equals(before.users.get(a)!), a).toBe(true)
      const original = readFileSync(file, 'utf8')
      writeFileSync(file, original.replace('displayName: Example Mail\n', 'displayName: Example Mail Renamed\n'))
      const after = await builtProfiles(file)
      expect(after.users.get(users[0]!)!.equals(before.users.get(users[0]!)!)).toBe(false)
      expect((await handle.reload()).ok).toBe(true)
      const answers = await Promise.all([...users, ...users].map(async (a) => ({a, r: await download(url, a)})))
      for (const {a, r} of answers) expect(r.body.equals(after.users.get(a)!), a).toBe(true)
      // Port 993 with STARTTLS is a lint error: refused on the main thread, the workers keep the settings they had.
      writeFileSync(file, original.replace('port: 993\n      security: ssl', 'port: 993\n      security: starttls'))
      expect((await handle.reload()).ok).toBe(false)
      for (const a of users) expect((await download(url, a)).body.equals(after.users.get(a)!), a).toBe(true)
      // Built by the workers from the settings posted to them, not by the event loop's fallback.
      expect(logs.filter((l) => l.msg.startsWith('profile worker failed'))).toEqual([])
    } finally {
      await handle.close()
    }
  }, 60_000)

  it('a flood gets a bounded answer: beyond the queue limit 503 with Retry-After, the rest the profile, and then it serves again', async () => {
    const {handle, url} = await startTestServer({threads: 2, limits: {cacheBytes: 0, profileQueue: 2}})
    try {
      const answers = await Promise.all(Array.from({length: 200}, (_, i) => download(url, `flood${i}@example.net`)))
      const statuses = new Set(answers.map((r) => r.status))
      expect([...statuses].sort()).toEqual([200, 503])
      for (const r of answers.filter((x) => x.status === 503)) {
        expect(r.headers.get('retry-after')).toBe('1')
        expect(JSON.parse(r.body.toString()) as {error: string}).toEqual({error: 'Too many profiles are being built; retry in a second.'})
      }
      const refused = answers.filter((r) => r.status === 503).length
      expect(await count(handle.metrics.profileBusy)).toBe(refused)
      expect(await count(handle.metrics.signatures)).toBe(200 - refused)
      expect((await download(url, 'after.flood@example.net')).status).toBe(200)
    } finally {
      await handle.close()
    }
  }, 60_000)

  it('close() lets the builds in flight finish, then stops the workers', async () => {
    const {handle, url} = await startTestServer({threads: 2, limits: {cacheBytes: 0}})
    let closed: Promise<void> | undefined
    let answers: Array<{status: number; body: Buffer}>
    try {
      const inFlight = Array.from({length: 40}, (_, i) => download(url, `closing${i}@example.net`))
      // Once every request has reached the route (each a cache miss handed to a worker), most still building: close now.
      await waitFor(async () => (await count(handle.metrics.cacheMisses)) === 40)
      closed = handle.close()
      answers = await Promise.all(inFlight)
    } finally {
      await (closed ?? handle.close())
    }
    expect(answers.every((r) => r.status === 200 && r.body.length > 1000)).toBe(true)
    expect(handle.threads).toBe(0)
  }, 60_000)

  it('a worker that dies is replaced, and the downloads it had are built on the event loop (the same bytes)', async () => {
    const built = await builtProfiles(PROVIDER)
    // A worker that starts as the real one does and dies at its first job.
    const file = join(mkdtempSync(join(tmpdir(), 'mp-serve-worker-')), 'dying-worker.cjs')
    writeFileSync(file, "const {parentPort} = require('node:worker_threads'); parentPort.on('message', (m) => { if (m.type === 'job') process.exit(3) }); parentPort.postMessage({type: 'ready'})\n")
    const {handle, url, logs} = await startTestServer({threads: 2, workerFile: file, limits: {cacheBytes: 0}})
    try {
      expect(handle.threads).toBe(2)
      const answers = await Promise.all(['ana.silva@example.net', 'chloe.martin@example.org', 'ana.silva@example.net'].map(async (a) => ({a, r: await download(url, a)})))
      for (const {a, r} of answers) {
        expect(r.status, a).toBe(200)
        expect(r.body.equals(built.users.get(a)!), a).toBe(true)
      }
      expect(logs.some((l) => l.msg.startsWith('profile worker failed; building on the event loop'))).toBe(true)
      expect(logs.some((l) => l.msg.startsWith('a profile worker thread stopped'))).toBe(true)
      await waitFor(async () => handle.threads === 2)
    } finally {
      await handle.close()
    }
  }, 60_000)

  it('while every worker is being replaced, downloads are built on the event loop, not refused', async () => {
    const built = await builtProfiles(PROVIDER)
    // Workers that die at their first job; their replacements take two seconds to say ready.
    const dir = mkdtempSync(join(tmpdir(), 'mp-serve-worker-'))
    const file = join(dir, 'slow-replacement.cjs')
    writeFileSync(
      file,
      `const {parentPort} = require('node:worker_threads'); const fs = require('node:fs'); const mark = ${JSON.stringify(join(dir, 'started'))}
const replacement = fs.readdirSync(${JSON.stringify(dir)}).includes('first-two-started'); if (!replacement) fs.appendFileSync(mark, 'x')
if (fs.readFileSync(mark, 'utf8').length >= 2) fs.writeFileSync(${JSON.stringify(join(dir, 'first-two-started'))}, '')
parentPort.on('message', (m) => { if (m.type === 'job') process.exit(3) })
setTimeout(() => parentPort.postMessage({type: 'ready'}), replacement ? 2000 : 0)
`,
    )
    const {handle, url} = await startTestServer({threads: 2, workerFile: file, limits: {cacheBytes: 0}})
    try {
      expect(handle.threads).toBe(2)
      // One download for each worker (a job goes to the worker with the fewest in flight): both die.
      const first = await Promise.all(['ana.silva@example.net', 'ben.okafor@example.net'].map((a) => download(url, a)))
      expect(first.map((r) => r.status)).toEqual([200, 200])
      expect(handle.threads).toBe(0)
      const r = await download(url, 'chloe.martin@example.org')
      expect(r.status).toBe(200)
      expect(r.body.equals(built.users.get('chloe.martin@example.org')!)).toBe(true)
      await waitFor(async () => handle.threads === 2)
    } finally {
      await handle.close()
    }
  }, 60_000)

  it('a worker that always dies soon after it starts is replaced with a growing wait, not in a busy loop, and downloads still work', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mp-serve-worker-'))
    const starts = join(dir, 'starts')
    const file = join(dir, 'short-lived.cjs')
    writeFileSync(
      file,
      `const {parentPort} = require('node:worker_threads'); require('node:fs').appendFileSync(${JSON.stringify(starts)}, 'x')
parentPort.postMessage({type: 'ready'}); setTimeout(() => process.exit(3), 20)
`,
    )
    const {handle, url, logs} = await startTestServer({threads: 2, workerFile: file, limits: {cacheBytes: 0}})
    try {
      await new Promise((r) => setTimeout(r, 2000))
      // Without a back-off each of the two slots starts a worker every ~50 ms: dozens in 2 s.
      const started = readFileSync(starts, 'utf8').length
      expect(started).toBeGreaterThanOrEqual(4)
      expect(started).toBeLessThanOrEqual(16)
      expect(logs.filter((l) => l.msg.startsWith('a profile worker thread stopped')).length).toBeGreaterThanOrEqual(2)
      expect((await download(url, 'ana.silva@example.net')).status).toBe(200)
    } finally {
      await handle.close()
    }
    // Closing cancels the pending replacements: no worker starts afterwards.
    const afterClose = readFileSync(starts, 'utf8').length
    await new Promise((r) => setTimeout(r, 1500))
    expect(readFileSync(starts, 'utf8').length).toBe(afterClose)
  }, 60_000)

  it('the event loop builds them when the workers cannot start (and says so in the log)', async () => {
    const {handle, url, logs} = await startTestServer({threads: 2, workerFile: join(ROOT, 'no-such-worker.cjs')})
    try {
      expect(handle.threads).toBe(0)
      expect(logs.some((l) => l.msg.startsWith('the profile worker threads could not start'))).toBe(true)
      expect((await download(url, 'ana.silva@example.net')).status).toBe(200)
    } finally {
      await handle.close()
    }
  }, 60_000)
})
