// The code registry (src/core/codes.ts) and the sources agree: every code emitted is registered,
// every registered code is emitted somewhere, and no code is registered twice.
import {readdirSync, readFileSync, statSync} from 'node:fs'
import {join, relative} from 'node:path'
import {describe, expect, it} from 'vitest'

import {CODE_GROUPS} from '../src/core/codes.js'
import {SEVERITIES} from '../src/core/findings.js'
import {ROOT} from './helpers/cli.js'

const SRC = join(ROOT, 'src')

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) return sourceFiles(path)
    return /\.ts$/.test(name) && !name.endsWith('.d.ts') ? [path] : []
  })
}

const files = sourceFiles(SRC)
const registries = files.filter((f) => /codes\.ts$/.test(f))
const emitting = files.filter((f) => !registries.includes(f))
const registered = CODE_GROUPS.flatMap((g) => g.codes.map((c) => ({...c, group: g.title})))

describe('finding codes', () => {
  it('every `code: \'…\'` literal under src/ is registered', () => {
    const known = new Set(registered.map((c) => c.code))
    const unregistered: string[] = []
    for (const file of emitting) {
      for (const m of readFileSync(file, 'utf8').matchAll(/\bcode: ['"]([a-z0-9-]+)['"]/g)) {
        if (!known.has(m[1]!)) unregistered.push(`${relative(ROOT, file)}: ${m[1]}`)
      }
    }
    expect(unregistered).toEqual([])
  })

  it('every registered code appears in the sources outside the registries', () => {
    const text = emitting.map((f) => readFileSync(f, 'utf8')).join('\n')
    const unused = registered.filter((c) => !text.includes(`'${c.code}'`) && !text.includes(`"${c.code}"`) && !text.includes(`\`${c.code}\``)).map((c) => `${c.group}: ${c.code}`)
    expect(unused).toEqual([])
  })

  it('no code is registered twice, in one group or across groups', () => {
    const seen = new Map<string, string>()
    const dupes: string[] = []
    for (const c of registered) {
      const first = seen.get(c.code)
      if (first) dupes.push(`${c.code} (${first} and ${c.group})`)
      else seen.set(c.code, c.group)
    }
    expect(dupes).toEqual([])
  })

  it('codes are kebab-case and every entry is complete', () => {
    for (const c of registered) {
      expect(c.code).toMatch(/^[a-z0-9]+(?:-[a-z0-9]+)*$/)
      expect(SEVERITIES).toContain(c.severity)
      expect(c.title.length).toBeGreaterThan(5)
      expect(c.why.length).toBeGreaterThan(10)
      expect(c.fix.length).toBeGreaterThan(5)
    }
  })

  it('the registries are files this test reads', () => {
    expect(registries.map((f) => relative(SRC, f)).sort()).toEqual(expect.arrayContaining(['core/codes.ts', 'core/settings/codes.ts']))
  })
})
