// The onboarding page in a real browser: Debian's chromium, headless, driven by puppeteer-core (no
// browser download). JavaScript off (the page must work without it), nothing loaded from elsewhere,
// no CSP violation, labels and contrast checked, a screenshot written to test-output/serve/, and the
// form submitted: the browser receives the profile with Apple's content type.
import {existsSync, mkdirSync, mkdtempSync, rmSync, statSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import puppeteer, {type Browser} from 'puppeteer-core'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import type {ServeHandle} from '../../src/core/serve/server.js'
import {ROOT} from '../helpers/cli.js'
import {startTestServer} from './helpers.js'

const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p))
const REQUIRED = process.env.CI === 'true' || process.env.MAILPROFILE_REQUIRE_REAL_SERVERS === '1'
if (!CHROMIUM && !REQUIRED) console.warn('test/serve/browser.test.ts: chromium is not installed; skipping the browser test (apt-get install chromium).')
const OUTPUT = join(ROOT, 'test-output', 'serve')

let handle: ServeHandle
let url: string
let browser: Browser
let profileDir: string

describe.skipIf(!CHROMIUM && !REQUIRED)('onboarding page in chromium', () => {
  beforeAll(async () => {
    if (!CHROMIUM) throw new Error('chromium is required in CI: apt-get install chromium')
    ;({handle, url} = await startTestServer())
    profileDir = mkdtempSync(join(tmpdir(), 'mp-chromium-'))
    browser = await puppeteer.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', `--user-data-dir=${profileDir}`],
    })
  }, 60_000)

  afterAll(async () => {
    await browser?.close()
    await handle?.close()
    if (profileDir) rmSync(profileDir, {recursive: true, force: true})
  })

  it('renders without JavaScript, loads nothing from elsewhere, violates no CSP, and passes the label and contrast checks', async () => {
    const page = await browser.newPage()
    await page.setJavaScriptEnabled(false)
    const requests: string[] = []
    const problems: string[] = []
    page.on('request', (r) => void requests.push(r.url()))
    page.on('console', (m) => {
      if (/Content.Security.Policy|Refused/i.test(m.text())) problems.push(m.text())
    })
    await page.setViewport({width: 1000, height: 1400})
    const response = await page.goto(`${url}/`, {waitUntil: 'load'})
    expect(response?.status()).toBe(200)
    expect(response?.headers()['content-security-policy']).toMatch(/default-src 'none'/)
    expect(requests.every((r) => r.startsWith(url))).toBe(true)
    expect(problems).toEqual([])

    const audit = await page.evaluate(`(() => {
      const lum = (c) => { const [r, g, b] = c.match(/[\\d.]+/g).slice(0, 3).map(Number).map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4 }); return 0.2126 * r + 0.7152 * g + 0.0722 * b }
      const bg = (el) => { for (let e = el; e; e = e.parentElement) { const c = getComputedStyle(e).backgroundColor; if (!/rgba\\(.*, 0\\)$/.test(c) && c !== 'transparent') return c } return 'rgb(255, 255, 255)' }
      const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05) }
      const unlabeled = [...document.querySelectorAll('input, select, textarea')].filter((i) => !(i.id && document.querySelector('label[for="' + i.id + '"]')) && !i.getAttribute('aria-label')).map((i) => i.name)
      const texts = [...document.querySelectorAll('h1, h2, h3, p, label, button, th, td')].filter((e) => e.textContent.trim())
      const low = texts.map((e) => ({tag: e.tagName, text: e.textContent.trim().slice(0, 30), ratio: ratio(getComputedStyle(e).color, bg(e))})).filter((t) => t.ratio < 4.5)
      return {unlabeled, low, title: document.title, h1: document.querySelector('h1').textContent, qr: !!document.querySelector('svg[role=img][aria-label]'), lang: document.documentElement.lang, rows: document.querySelectorAll('tbody tr').length}
    })()`) as {unlabeled: string[]; low: unknown[]; title: string; h1: string; qr: boolean; lang: string; rows: number}
    expect(audit.unlabeled).toEqual([])
    expect(audit.low).toEqual([])
    expect(audit.h1).toContain('Example Mail Provider')
    expect(audit.qr).toBe(true)
    expect(audit.lang).toBe('en')
    expect(audit.rows).toBe(6) // incoming and outgoing for each of the three domains

    mkdirSync(OUTPUT, {recursive: true})
    const shot = join(OUTPUT, 'onboarding.png')
    await page.screenshot({path: shot, fullPage: true})
    expect(statSync(shot).size).toBeGreaterThan(5000)
    await page.close()
  }, 60_000)

  it('the form downloads the profile with the right content type', async () => {
    const page = await browser.newPage()
    await page.setJavaScriptEnabled(false)
    await page.goto(`${url}/`, {waitUntil: 'load'})
    await page.type('#emailaddress', 'ana.silva@example.net')
    const profile = page.waitForResponse((r) => r.url().includes('/mobileconfig'))
    await Promise.all([profile, page.click('button[type=submit]').catch(() => {})])
    const r = await profile
    expect(r.status()).toBe(200)
    expect(r.url()).toBe(`${url}/mobileconfig?emailaddress=ana.silva%40example.net`)
    expect(r.headers()['content-type']).toBe('application/x-apple-aspen-config')
    expect(r.headers()['content-disposition']).toBe('attachment; filename="ana.silva@example.net.mobileconfig"')
    expect(r.headers()['x-content-type-options']).toBe('nosniff')
    await page.close()
  }, 60_000)

  it('escapes what the visitor typed: an address with markup is refused and never rendered as HTML', async () => {
    const page = await browser.newPage()
    await page.goto(`${url}/?emailaddress=${encodeURIComponent('"><img src=x onerror=alert(1)>@example.net')}`, {waitUntil: 'load'})
    expect(await page.$$eval('img', (els) => els.length)).toBe(0)
    expect(await page.$eval('#emailaddress', (el) => (el as HTMLInputElement).value)).toBe('')
    await page.close()
  }, 30_000)
})
