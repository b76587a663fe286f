// The code registry (src/core/codes.ts) and the sources agree: every code emitted is registered,
// every registered code is emitted somewhere, and no code is registered twice.
import {readdirSync, readFileSync, statSync} from 'node:fs'
import {dirname, join, relative, resolve} from 'node:path'
import {describe, expect, it} from 'vitest'

import {CODE_GROUPS} from '../src/core/codes.js'
import {SEVERITIES} from '../src/core/findings.js'
import {SETTINGS_CODES} from '../src/core/settings/codes.js'
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

/** The source without comments (whole comment lines and trailing `// …`), so prose about severities is not code. */
function code(file: string): string {
  return readFileSync(file, 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, (c) => c.replace(/[^\n]/g, ' '))
    .replace(/(^|\s)\/\/.*$/gm, '$1')
}

/** Each line of `text` matching `pattern`, as `file:line: text`. */
function matchingLines(file: string, text: string, pattern: RegExp): string[] {
  return text.split('\n').flatMap((line, i) => (pattern.test(line) ? [`${relative(ROOT, file)}:${i + 1}: ${line.trim()}`] : []))
}

/**
 * Codes the sources name: the first argument of a finding constructor (`finding('…'`,
 * `settingsFinding('…'`, `netFinding('…'`, …, also across a line break), a `code: '…'` property,
 * a `case '…':` of a switch on a code, and comparisons with a finding's `code`.
 */
function codesNamedIn(text: string): string[] {
  const patterns = [
    /\b[a-z][A-Za-z]*Finding\(\s*['"]([a-z0-9-]+)['"]/g,
    /\bfinding\(\s*['"]([a-z0-9-]+)['"]/g,
    /\bcode: ['"]([a-z0-9-]+)['"]/g,
    /(?<!typeof )\bcode\s*[!=]==?\s*['"]([a-z0-9-]+)['"]/g,
    /['"]([a-z0-9-]+)['"]\s*[!=]==?\s*[\w.]*\bcode\b/g,
  ]
  return patterns.flatMap((p) => [...text.matchAll(p)].map((m) => m[1]!))
}

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

  it('no call site under src/ restates a severity: findings take theirs from the registry', () => {
    // Only the registries (…/codes.ts, which hold the finding constructors) give a severity a value.
    // Allowed elsewhere: reading one (`f.severity === 'error'`) and the type (`severity: Severity`).
    const restated: string[] = []
    for (const file of emitting) {
      const text = code(file)
      restated.push(...matchingLines(file, text, /\bseverity\s*:\s*(?!Severity\b)\S|\.severity\s*=(?!=)|\bseverity\s*=(?!=)|[{,]\s*severity\s*[,}]/))
      restated.push(...matchingLines(file, text, /\[['"]severity['"]\]\s*=(?!=)/))
    }
    expect(restated).toEqual([])
  })

  it('the severity scan can fail: it sees the literals, assignments and shorthands it forbids', () => {
    const scan = /\bseverity\s*:\s*(?!Severity\b)\S|\.severity\s*=(?!=)|\bseverity\s*=(?!=)|[{,]\s*severity\s*[,}]/
    for (const bad of ["findings.push({code: 'x', severity: 'error', message})", "f.severity = 'warning'", 'return {code, severity, message}', "{...f, severity: info}"]) expect(scan.test(bad), bad).toBe(true)
    for (const fine of ["f.severity === 'error'", '  severity: Severity', "finding('x', {message})", "counts[f.severity]++"]) expect(scan.test(fine), fine).toBe(false)
  })

  it('every code the sources name is registered and documented in the README\'s codes table', () => {
    const known = new Set(registered.map((c) => c.code))
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8')
    const table = readme.slice(readme.indexOf('<!-- codes:start -->'), readme.indexOf('<!-- codes:end -->'))
    const named = new Map<string, string>()
    for (const file of emitting) for (const c of codesNamedIn(code(file))) if (!named.has(c)) named.set(c, relative(ROOT, file))
    // The scan sees each kind of use (a constructor, a property, a comparison), so an empty result means something.
    expect(named.size).toBeGreaterThan(registered.length / 2)
    expect([...named].filter(([c]) => !known.has(c)).map(([c, file]) => `${file}: ${c}`)).toEqual([])
    expect([...named.keys()].filter((c) => !table.includes(`| \`${c}\` |`))).toEqual([])
  })

  it('settings make findings from the settings registry alone, so lint never evaluates the others', () => {
    const settingsCodes = new Set(SETTINGS_CODES.map((c) => c.code))
    const wrong: string[] = []
    for (const file of emitting.filter((f) => f.startsWith(join(SRC, 'core', 'settings')))) {
      const text = code(file)
      for (const m of text.matchAll(/\bsettingsFinding\(\s*['"]([a-z0-9-]+)['"]/g)) if (!settingsCodes.has(m[1]!)) wrong.push(`${relative(ROOT, file)}: ${m[1]}`)
      // A value import of src/core/codes.ts would evaluate every area's registry (src/core/net/ among them).
      for (const m of text.matchAll(/^import (?!type\b)[^\n]*from '(\.[^']*)'/gm)) {
        if (resolve(dirname(file), m[1]!) === join(SRC, 'core', 'codes.js')) wrong.push(`${relative(ROOT, file)}: ${m[0]}`)
      }
    }
    expect(wrong).toEqual([])
  })

  it('the registries are files this test reads', () => {
    expect(registries.map((f) => relative(SRC, f)).sort()).toEqual(expect.arrayContaining(['core/codes.ts', 'core/settings/codes.ts']))
  })
})
