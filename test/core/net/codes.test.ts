import {readdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

import {NET_CODES} from '../../../src/core/net/codes.js'

describe('net codes', () => {
  it('are kebab-case, unique, fully described', () => {
    const seen = new Set<string>()
    for (const c of NET_CODES) {
      expect(c.code).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/)
      expect(seen.has(c.code)).toBe(false)
      seen.add(c.code)
      for (const field of [c.title, c.why, c.fix]) expect(field.length).toBeGreaterThan(10)
    }
  })

  it('every code the net layer emits is registered, and every registered code is emitted', () => {
    const dir = join(import.meta.dirname, '../../../src/core/net')
    const source = readdirSync(dir)
      .filter((f) => f.endsWith('.ts') && f !== 'codes.ts')
      .map((f) => readFileSync(join(dir, f), 'utf8'))
      .join('\n')
    const emitted = new Set([...source.matchAll(/(?:netFinding|\bfinding)\(\s*'([a-z0-9-]+)'/g)].map((m) => m[1]!))
    const registered = new Set(NET_CODES.map((c) => c.code))
    for (const code of emitted) expect(registered.has(code), code).toBe(true)
    for (const code of registered) expect(emitted.has(code), code).toBe(true)
  })
})
