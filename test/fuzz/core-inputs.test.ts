import {execFileSync} from 'node:child_process'
import {cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

import fc from 'fast-check'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {parse} from 'yaml'

import {Asn1Error} from '../../src/core/asn1/reader.js'
import {codeInfo} from '../../src/core/codes.js'
import {InputError} from '../../src/core/errors.js'
import type {Finding} from '../../src/core/findings.js'
import {readBinaryPlist} from '../../src/core/inspect/plist-binary.js'
import {PlistSyntaxError, readXmlPlist} from '../../src/core/inspect/plist-xml.js'
import {lintSettingsFile} from '../../src/core/settings/lint.js'
import {parseUsersCsv} from '../../src/core/settings/users-csv.js'
import {CmsError, verifyCms} from '../../src/core/sign/verify.js'
import {certificatesFromBytes} from '../../src/core/x509/pem.js'
import {CASE_MS, mutatedBytes, mutatedText, params, report, runs, testTimeout} from './fuzz-config.js'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const EXAMPLES = join(ROOT, 'examples')
const YAML_SEEDS = readdirSync(EXAMPLES).filter((f) => f.endsWith('.yaml')).map((f) => readFileSync(join(EXAMPLES, f), 'utf8'))
const PROFILES = execFileSync('find', [join(ROOT, 'profiles'), '-name', '*.mobileconfig'], {encoding: 'utf8'}).trim().split('\n').sort()
const XML_PLISTS = PROFILES.map((p) => readFileSync(p)).filter((b) => b[0] === 0x3c)
const SIGNED = PROFILES.map((p) => readFileSync(p)).filter((b) => b[0] === 0x30)
const NOW = new Date('2026-12-01T00:00:00Z')

/** Only the project's typed errors for unusable input may escape; anything else is a crash. */
function expectTypedError(error: unknown, allowed: ReadonlyArray<new (...a: never[]) => Error>): void {
  if (allowed.some((E) => error instanceof E)) return
  throw error
}

function expectRegisteredFindings(findings: readonly Finding[]): void {
  for (const f of findings) {
    const info = codeInfo(f.code) // throws for an unregistered code
    expect(f.severity).toBe(info.severity)
    expect(typeof f.message).toBe('string')
  }
}

function timed<T>(fn: () => T): T {
  const t = performance.now()
  const result = fn()
  const ms = performance.now() - t
  if (ms > CASE_MS) throw new Error(`one case took ${ms.toFixed(0)} ms (bound ${CASE_MS} ms)`)
  return result
}

async function timedAsync<T>(fn: () => Promise<T>): Promise<T> {
  const t = performance.now()
  const result = await fn()
  const ms = performance.now() - t
  if (ms > CASE_MS) throw new Error(`one case took ${ms.toFixed(0)} ms (bound ${CASE_MS} ms)`)
  return result
}

let dir: string
beforeAll(() => {
  // The examples' CA, signing files and users CSV next to the mutated settings, so rules that read them run.
  dir = mkdtempSync(join(tmpdir(), 'mailprofile-fuzz-'))
  cpSync(EXAMPLES, dir, {recursive: true})
})
afterAll(() => rmSync(dir, {recursive: true, force: true}))

async function lintText(text: string | Buffer, name: string): Promise<void> {
  const file = join(dir, name)
  writeFileSync(file, text)
  try {
    const result = await timedAsync(() => lintSettingsFile(file, {warnDays: 30, now: NOW, env: {}}))
    expectRegisteredFindings(result.findings)
  } catch (error) {
    expectTypedError(error, [InputError])
  }
}

/** A parsed example with one value somewhere replaced by a generated JSON value (structure-aware). */
function structurallyMutated(): fc.Arbitrary<unknown> {
  return fc.tuple(fc.constantFrom(...YAML_SEEDS.map((s) => parse(s) as unknown)), fc.array(fc.tuple(fc.nat(), fc.jsonValue({maxDepth: 3})), {minLength: 1, maxLength: 4})).map(([seed, edits]) => {
    const doc = structuredClone(seed)
    for (const [pick, value] of edits) {
      const holders: Array<Record<string, unknown> | unknown[]> = []
      const walk = (v: unknown): void => {
        if (v && typeof v === 'object') {
          holders.push(v as Record<string, unknown>)
          for (const c of Object.values(v)) walk(c)
        }
      }
      walk(doc)
      const h = holders[pick % holders.length]
      const key = h ? Object.keys(h)[pick % Math.max(1, Object.keys(h).length)] : undefined
      if (h && key !== undefined) (h as Record<string, unknown>)[key] = value
    }
    return doc
  })
}

describe('fuzz: settings files through the lint core', () => {
  const n = runs(60)
  it('mutated YAML examples: findings with registered codes or an InputError', {timeout: testTimeout(n)}, async () => {
    const t = performance.now()
    await fc.assert(fc.asyncProperty(fc.constantFrom(...YAML_SEEDS).chain((s) => mutatedText(s)), (text) => lintText(text, 'settings.yaml')), params(60))
    report('settings YAML (line mutations)', n, t)
  })

  it('byte-mutated YAML examples', {timeout: testTimeout(n)}, async () => {
    const t = performance.now()
    await fc.assert(fc.asyncProperty(fc.constantFrom(...YAML_SEEDS).chain((s) => mutatedBytes(Buffer.from(s))), (bytes) => lintText(bytes, 'settings.yaml')), params(60))
    report('settings YAML (byte mutations)', n, t)
  })

  it('examples as JSON with generated values swapped in', {timeout: testTimeout(n)}, async () => {
    const t = performance.now()
    await fc.assert(fc.asyncProperty(structurallyMutated(), (doc) => lintText(JSON.stringify(doc, null, 2), 'settings.json')), params(60))
    report('settings JSON (structural)', n, t)
  })

  it('byte-mutated JSON', {timeout: testTimeout(n)}, async () => {
    const t = performance.now()
    const seeds = YAML_SEEDS.map((s) => Buffer.from(JSON.stringify(parse(s), null, 2)))
    await fc.assert(fc.asyncProperty(fc.constantFrom(...seeds).chain((s) => mutatedBytes(s)), (bytes) => lintText(bytes, 'settings.json')), params(60))
    report('settings JSON (byte mutations)', n, t)
  })
})

/** Edits that keep the document valid but give the rules something to find (authentication none, port 25, an IP address, …). */
const SEMANTIC_EDITS: ReadonlyArray<(server: Record<string, unknown>) => void> = [
  (s) => (s.authentication = 'none'),
  (s) => (s.security = 'none'),
  (s) => (s.port = 25),
  (s) => (s.port = 995),
  (s) => (s.host = '192.0.2.7'),
  (s) => (s.host = 'mail'),
  (s) => (s.host = 'mail.example.com.'),
  (s) => (s.username = '%EMAILADRESS%'),
]

/** Edits that break a part's schema: an unknown key, a missing required key, or a generated value for one of its keys. */
function schemaBreak(): fc.Arbitrary<(holder: Record<string, unknown>) => void> {
  return fc.oneof(
    fc.constantFrom<(h: Record<string, unknown>) => void>(
      (h) => (h.hots = 'x'),
      (h) => delete h.host,
      (h) => delete h.domain,
      (h) => delete h.incoming,
      (h) => (h.port = 'nine'),
      (h) => (h.security = 'tls'),
    ),
    fc.tuple(fc.nat(), fc.jsonValue({maxDepth: 2})).map(([pick, value]) => (h: Record<string, unknown>) => {
      const keys = Object.keys(h)
      if (keys.length > 0) h[keys[pick % keys.length]!] = value
    }),
  )
}

const SEEDS_WITH_DOMAINS = YAML_SEEDS.map((s) => parse(s) as {domains: Array<Record<string, Record<string, unknown>>>})
/** Findings that compare one domain with the others (or users with domains): a skipped domain may change them. */
const CROSS_PART = new Set(['identifier-duplicate', 'domain-duplicate', 'profile-identifier-collision', 'user-domain-unknown'])

describe('fuzz: rules on the well-formed parts of a file that fails the schema', () => {
  const n = runs(60)
  it('never crash, and report on every unbroken domain exactly what they report when the file is valid', {timeout: testTimeout(n * 2)}, async () => {
    const t = performance.now()
    const perDomain = (findings: readonly Finding[], skip: ReadonlySet<number>): string[] =>
      findings
        .filter((f) => !CROSS_PART.has(f.code))
        .flatMap((f) => {
          const m = /^\/domains\/(\d+)(?:\/|$)/.exec(f.source?.pointer ?? '')
          return m && !skip.has(Number(m[1])) ? [`${f.code} ${f.source?.pointer}`] : []
        })
        .sort()
    const lintDoc = async (doc: unknown, name: string): Promise<Finding[]> => {
      const file = join(dir, name)
      writeFileSync(file, JSON.stringify(doc, null, 2))
      const result = await timedAsync(() => lintSettingsFile(file, {warnDays: 30, now: NOW, env: {}}))
      expectRegisteredFindings(result.findings)
      return result.findings
    }
    const arbitrary = fc.tuple(
      fc.constantFrom(...SEEDS_WITH_DOMAINS.keys()),
      fc.array(fc.tuple(fc.nat(), fc.constantFrom('incoming', 'outgoing'), fc.nat({max: SEMANTIC_EDITS.length - 1})), {maxLength: 6}),
      fc.array(fc.tuple(fc.nat(), fc.constantFrom('domain', 'incoming', 'outgoing'), schemaBreak()), {minLength: 1, maxLength: 3}),
    )
    await fc.assert(
      fc.asyncProperty(arbitrary, async ([seedIndex, semantic, breaks]) => {
        const valid = structuredClone(SEEDS_WITH_DOMAINS[seedIndex]!)
        for (const [d, side, e] of semantic) SEMANTIC_EDITS[e]!(valid.domains[d % valid.domains.length]![side]!)
        const validFindings = await lintDoc(valid, 'valid.json')
        expect(validFindings.filter((f) => ['unknown-key', 'missing-key', 'wrong-type', 'invalid-value'].includes(f.code))).toEqual([])

        const broken = structuredClone(valid) as unknown as {domains: Array<Record<string, unknown>>; [key: string]: unknown}
        broken.typoAtTheTop = true // the file always fails the schema
        const touched = new Set<number>()
        for (const [d, part, edit] of breaks) {
          const i = d % broken.domains.length
          touched.add(i)
          const holder = part === 'domain' ? broken.domains[i] : broken.domains[i]![part]
          if (holder && typeof holder === 'object' && !Array.isArray(holder)) edit(holder as Record<string, unknown>)
        }
        const brokenFindings = await lintDoc(broken, 'broken.json')
        expect(brokenFindings.some((f) => f.code === 'unknown-key')).toBe(true)
        expect(perDomain(brokenFindings, touched)).toEqual(perDomain(validFindings, touched))
        for (const f of brokenFindings) if (f.source?.line !== undefined) expect(f.source.line).toBeGreaterThan(0)
      }),
      params(60),
    )
    report('settings with malformed parts', n, t)
  })
})

describe('fuzz: users CSV', () => {
  const seed = readFileSync(join(EXAMPLES, 'users.csv'), 'utf8')
  const n = runs(150)
  it('mutated and generated CSVs: findings with registered codes or an InputError', {timeout: testTimeout(n)}, () => {
    const t = performance.now()
    const csv = fc.oneof(mutatedText(seed), mutatedBytes(Buffer.from(seed)).map((b) => b.toString('utf8')), fc.string({maxLength: 300, unit: 'binary'}).map((s) => `${seed.split('\n')[0]}\n${s}`))
    fc.assert(
      fc.property(csv, (text) => {
        try {
          expectRegisteredFindings(timed(() => parseUsersCsv(text, 'users.csv')).findings)
        } catch (error) {
          expectTypedError(error, [InputError])
        }
      }),
      params(150),
    )
    report('users CSV', n, t)
  })
})

describe('fuzz: profiles through inspect readers', () => {
  const n = runs(150)
  it('mutated XML plists (golden profiles): a value or a PlistSyntaxError', {timeout: testTimeout(n)}, () => {
    const t = performance.now()
    fc.assert(
      fc.property(fc.constantFrom(...XML_PLISTS).chain((b) => mutatedBytes(b)), (bytes) => {
        try {
          timed(() => readXmlPlist(bytes.toString('utf8')))
        } catch (error) {
          expectTypedError(error, [PlistSyntaxError, InputError])
        }
      }),
      params(150),
    )
    report('XML plist', n, t)
  })

  it('mutated binary plists (golden profiles converted by python3 plistlib): a value or a PlistSyntaxError', {timeout: testTimeout(n)}, () => {
    const seeds = XML_PLISTS.slice(0, 3).map((b) =>
      execFileSync('python3', ['-c', 'import plistlib,sys; sys.stdout.buffer.write(plistlib.dumps(plistlib.loads(sys.stdin.buffer.read()), fmt=plistlib.FMT_BINARY))'], {input: b}),
    )
    for (const s of seeds) expect(() => readBinaryPlist(s)).not.toThrow()
    const t = performance.now()
    fc.assert(
      fc.property(fc.constantFrom(...seeds).chain((b) => mutatedBytes(b)), (bytes) => {
        try {
          timed(() => readBinaryPlist(bytes))
        } catch (error) {
          expectTypedError(error, [PlistSyntaxError, InputError])
        }
      }),
      params(150),
    )
    report('binary plist', n, t)
  })
})

describe('fuzz: CMS and PEM wrappers', () => {
  const n = runs(150)
  it('mutated signed profiles (DER, PEM, base64): a verification or a CmsError', {timeout: testTimeout(n)}, () => {
    for (const s of SIGNED) expect(() => verifyCms(s)).not.toThrow()
    const wrap = (der: Buffer, how: number): Buffer => {
      if (how === 1) return Buffer.from(`-----BEGIN PKCS7-----\n${der.toString('base64').replace(/.{64}/g, '$&\n')}\n-----END PKCS7-----\n`)
      if (how === 2) return Buffer.from(der.toString('base64'))
      return der
    }
    const t = performance.now()
    fc.assert(
      fc.property(fc.constantFrom(...SIGNED.slice(0, 4)).chain((b) => mutatedBytes(b)), fc.integer({min: 0, max: 2}), fc.boolean(), (der, how, mutateWrapper) => {
        const input = wrap(der, how)
        const bytes = mutateWrapper ? Buffer.concat([input.subarray(0, input.length >> 1), Buffer.from('\n-----BEGIN CMS-----\n'), input.subarray(input.length >> 1)]) : input
        try {
          timed(() => verifyCms(bytes))
        } catch (error) {
          expectTypedError(error, [CmsError, Asn1Error, InputError])
        }
      }),
      params(150),
    )
    report('CMS', n, t)
  })

  it('mutated PEM certificate bundles: a list of DER certificates, never an exception', {timeout: testTimeout(n)}, () => {
    const seeds = ['ca/example-root-ca.pem', 'signing/chain.pem', 'signing/signing-cert.pem'].map((f) => readFileSync(join(EXAMPLES, f)))
    const t = performance.now()
    fc.assert(
      fc.property(fc.constantFrom(...seeds).chain((b) => mutatedBytes(b)), (bytes) => {
        const certs = timed(() => certificatesFromBytes(bytes))
        expect(Array.isArray(certs)).toBe(true)
      }),
      params(150),
    )
    report('PEM bundles', n, t)
  })
})
