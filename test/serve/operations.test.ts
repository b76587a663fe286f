// serve's operations: reload on a settings change (lint errors keep the old settings, logged and
// counted), X-Forwarded-* only from the trusted proxy, --redirect-http, graceful SIGTERM of the CLI.
import {spawn} from 'node:child_process'
import {cpSync, mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {request} from 'node:http'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

import {BIN, ROOT} from '../helpers/cli.js'
import {poxRequest, post, startTestServer} from './helpers.js'

function copyExamples(): string {
  const dir = mkdtempSync(join(tmpdir(), 'mp-serve-ops-'))
  cpSync(join(ROOT, 'examples'), dir, {recursive: true})
  return dir
}

async function waitFor<T>(what: () => Promise<T | undefined>, ms = 10_000): Promise<T> {
  const until = Date.now() + ms
  for (;;) {
    const v = await what()
    if (v !== undefined) return v
    if (Date.now() > until) throw new Error('timed out')
    await new Promise((r) => setTimeout(r, 100))
  }
}

function get(url: string, headers: Record<string, string>): Promise<{status: number; body: string; headers: Record<string, unknown>}> {
  return new Promise((done, fail) => {
    const req = request(url, {headers}, (res) => {
      let body = ''
      res.on('data', (c: Buffer) => (body += c.toString()))
      res.on('end', () => done({status: res.statusCode ?? 0, body, headers: res.headers}))
    })
    req.on('error', fail)
    req.end()
  })
}

describe('reload', () => {
  it('a changed settings file is served after the change; one with lint errors is refused, logged and counted, and the old one keeps serving', async () => {
    const dir = copyExamples()
    const file = join(dir, 'provider.yaml')
    const {handle, url, logs} = await startTestServer({file, watch: true, watchIntervalMs: 100})
    try {
      const host = async (): Promise<string> => /<Server>([^<]+)<\/Server>/.exec((await post(`${url}/autodiscover/autodiscover.xml`, poxRequest('ana.silva@example.net'))).text)![1]!
      expect(await host()).toBe('imap.example.net')
      // Asked before the change, so a cached answer of the old settings would show after it.
      const autoconfig = async (): Promise<string> => (await fetch(`${url}/mail/config-v1.1.xml?emailaddress=ana.silva%40example.net`)).text()
      expect(await autoconfig()).toContain('<hostname>imap.example.net</hostname>')
      const original = readFileSync(file, 'utf8')
      writeFileSync(file, original.replace('host: imap.example.net\n      port: 993\n      security: ssl\n    outgoing:\n      host: smtp.example.net', 'host: imap2.example.net\n      port: 993\n      security: ssl\n    outgoing:\n      host: smtp.example.net'))
      await waitFor(async () => ((await host()) === 'imap2.example.net' ? true : undefined))
      expect(await autoconfig()).toContain('<hostname>imap2.example.net</hostname>')
      // Port 993 with STARTTLS is a lint error: refused, the previous settings stay.
      writeFileSync(file, original.replace('host: imap.example.net\n      port: 993\n      security: ssl', 'host: imap3.example.net\n      port: 993\n      security: starttls'))
      await waitFor(async () => ((await handle.metrics.reloads.get()).values.some((v) => v.labels.result === 'failed') ? true : undefined))
      expect(await host()).toBe('imap2.example.net')
      expect(logs.some((l) => l.msg.startsWith('settings reload failed') && l.level === 50)).toBe(true)
      const metrics = await (await fetch(`${url}/metrics`)).text()
      expect(metrics).toMatch(/mailprofile_settings_reloads_total\{result="failed"\} [1-9]/)
      expect(metrics).toMatch(/mailprofile_settings_reloads_total\{result="ok"\} [1-9]/)
      // An explicit reload (what SIGHUP calls) of a good file works again.
      writeFileSync(file, original)
      const outcome = await handle.reload()
      expect(outcome.ok).toBe(true)
      expect(await host()).toBe('imap.example.net')
    } finally {
      await handle.close()
    }
  }, 30_000)
})

describe('proxies and redirects', () => {
  it('X-Forwarded-Host chooses the domain only from a trusted proxy', async () => {
    const untrusted = await startTestServer()
    const trusted = await startTestServer({trustProxy: ['127.0.0.1']})
    try {
      const headers = {host: 'autoconfig.example.net', 'x-forwarded-host': 'autoconfig.example.org'}
      expect((await get(`${untrusted.url}/mail/config-v1.1.xml`, headers)).body).toContain('<domain>example.net</domain>')
      expect((await get(`${trusted.url}/mail/config-v1.1.xml`, headers)).body).toContain('<domain>example.org</domain>')
    } finally {
      await untrusted.handle.close()
      await trusted.handle.close()
    }
  })

  it('--redirect-http: a plain-HTTP GET gets a 302 to the public https URL, whatever Host says', async () => {
    const {handle, url} = await startTestServer({redirectHttp: true, publicUrl: 'https://autodiscover.example.net'})
    try {
      const r = await get(`${url}/Autodiscover/Autodiscover.xml`, {host: 'evil.example'})
      expect(r.status).toBe(302)
      expect(r.headers.location).toBe('https://autodiscover.example.net/autodiscover/autodiscover.xml')
      // POST still answers (a client that skipped the redirect step).
      expect((await post(`${url}/autodiscover/autodiscover.xml`, poxRequest('ana.silva@example.net'))).status).toBe(200)
    } finally {
      await handle.close()
    }
  })
})

describe('the CLI', () => {
  it('SIGTERM finishes the request in flight, then exits 0 with one JSON document', async () => {
    const child = spawn(process.execPath, [BIN, 'serve', join(ROOT, 'examples', 'provider.yaml'), '--listen', '127.0.0.1:0', '--json'], {cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe']})
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()))
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()))
    const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)))
    const url = await waitFor(async () => /"urls":\["([^"]+)"\]/.exec(stderr)?.[1], 40_000)
    // A request whose body arrives slowly is in flight when SIGTERM comes.
    const {port} = new URL(url)
    const body = poxRequest('ana.silva@example.net')
    const inFlight = new Promise<{status: number; body: string}>((done, fail) => {
      const req = request({host: '127.0.0.1', port, path: '/autodiscover/autodiscover.xml', method: 'POST', headers: {'content-type': 'text/xml', 'content-length': String(Buffer.byteLength(body))}}, (res) => {
        let text = ''
        res.on('data', (c: Buffer) => (text += c.toString()))
        res.on('end', () => done({status: res.statusCode ?? 0, body: text}))
      })
      req.on('error', fail)
      req.write(body.slice(0, 50))
      setTimeout(() => {
        child.kill('SIGTERM')
        setTimeout(() => req.end(body.slice(50)), 300)
      }, 200)
    })
    const answer = await inFlight
    expect(answer.status).toBe(200)
    expect(answer.body).toContain('<Server>imap.example.net</Server>')
    expect(await exited).toBe(0)
    const doc = JSON.parse(stdout) as {urls: string[]; requests: number; exitCode: number}
    expect(doc.urls).toEqual([url])
    expect(doc.requests).toBe(1)
  }, 60_000)

  it('exits 1 without serving when the settings have lint errors, 2 on an unusable --listen', async () => {
    const dir = copyExamples()
    const file = join(dir, 'provider.yaml')
    writeFileSync(file, readFileSync(file, 'utf8').replace('port: 993\n      security: ssl', 'port: 993\n      security: starttls'))
    const {runCli} = await import('../helpers/cli.js')
    const bad = await runCli(['serve', file, '--listen', '127.0.0.1:0', '--json'])
    expect(bad.code).toBe(1)
    expect((JSON.parse(bad.stdout) as {urls: string[]}).urls).toEqual([])
    const usage = await runCli(['serve', join(ROOT, 'examples', 'provider.yaml'), '--listen', 'nonsense'])
    expect(usage.code).toBe(2)
    expect(usage.stderr).toContain('--listen "nonsense" is not HOST:PORT')
  }, 30_000)
})
