import {readFileSync, readdirSync} from 'node:fs'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

import {describe, expect, it} from 'vitest'

import {X509_CODES} from '../../../src/core/x509/codes.js'

const dir = fileURLToPath(new URL('../../../src/core/x509/', import.meta.url))
const testDir = fileURLToPath(new URL('./', import.meta.url))

function codesIn(folder: string, pattern: RegExp): Set<string> {
  const found = new Set<string>()
  for (const f of readdirSync(folder).filter((n) => n.endsWith('.ts') && n !== 'codes.ts')) {
    for (const m of readFileSync(join(folder, f), 'utf8').matchAll(pattern)) found.add(m[1]!)
  }
  return found
}

describe('x509 code registry', () => {
  it('registers every code the x509 source emits; findings take their severity from the registry', () => {
    const registered = new Map(X509_CODES.map((c) => [c.code, c.severity]))
    const files = readdirSync(dir, {recursive: true, encoding: 'utf8'}).filter((n) => n.endsWith('.ts') && n !== 'codes.ts')
    const source = files.map((f) => readFileSync(join(dir, f), 'utf8')).join('\n')
    const emitted = [...source.matchAll(/finding\('([a-z0-9-]+)'/g)].map((m) => m[1]!)
    expect(new Set(emitted).size).toBeGreaterThan(15)
    for (const code of emitted) expect(registered.has(code), code).toBe(true)
    expect(source).not.toMatch(/severity: '(error|warning|info)'/)
  })

  it('every registered code is kebab-case, unique, documented, and asserted by a test', () => {
    const names = X509_CODES.map((c) => c.code)
    expect(new Set(names).size).toBe(names.length)
    const tested = codesIn(testDir, /'([a-z0-9]+(?:-[a-z0-9]+)*)'/g)
    for (const c of X509_CODES) {
      expect(c.code).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/)
      expect(c.title.length && c.why.length && c.fix.length).toBeTruthy()
      expect(tested.has(c.code), `no test mentions ${c.code}`).toBe(true)
    }
  })
})
