/**
 * The layer rules (LAYERS in eslint.config.js, lint-rules/layers.js) can fail: the repository's own lint configuration, run on
 * files placed in src/, rejects an upward import, an import between two folders of one layer, an
 * upward `import type`, a file in no layer and an import cycle, and accepts a downward import and
 * any folder's codes.ts.
 */
import {mkdirSync, readdirSync, rmSync, writeFileSync} from 'node:fs'
import {join, relative, resolve} from 'node:path'
import {pathToFileURL} from 'node:url'
import {ESLint} from 'eslint'
import {afterAll, describe, expect, it} from 'vitest'

const root = resolve(import.meta.dirname, '..')
const eslint = new ESLint({cwd: root})
const {LAYERS} = (await import(pathToFileURL(join(root, 'eslint.config.js')).href)) as {LAYERS: string[][]}
const fixtureDir = join(root, 'src/core/x509', `lint-fixture-${process.pid}`)

afterAll(() => rmSync(fixtureDir, {recursive: true, force: true}))

async function ruleIds(code: string, file: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, {filePath: join(root, file)})
  return result!.messages.map((m) => m.ruleId ?? m.message)
}

describe('layer rules (eslint.config.js)', () => {
  it('rejects an import of a layer above', {timeout: 60_000}, async () => {
    expect(await ruleIds(`export {loadSettings} from '../settings/load.js'\n`, 'src/core/x509/upward.ts')).toEqual(['layers/downward'])
    expect(await ruleIds(`export {runCheck} from '../../check/run-check.js'\n`, 'src/core/x509/rules/upward.ts')).toEqual(['layers/downward'])
    expect(await ruleIds(`export {BaseCommand} from '../commands/base.js'\n`, 'src/render/upward.ts')).toEqual(['layers/downward'])
    expect(await ruleIds(`export {lintWorkspace} from './settings/lint.js'\n`, 'src/core/upward.ts')).toEqual(['layers/downward'])
  })

  it('rejects an upward import of types only, and an import from a folder of the same layer', {timeout: 60_000}, async () => {
    expect(await ruleIds(`export type {Settings} from '../settings/model.js'\n`, 'src/core/x509/upward.ts')).toEqual(['layers/downward'])
    expect(await ruleIds(`export {inspectProfiles} from '../inspect/index.js'\n`, 'src/core/net/sideways.ts')).toEqual(['layers/downward'])
    // A folder's codes.ts is in the bottom layer: it may not import its own folder.
    expect(await ruleIds(`export {parseCertificate} from './certificate.js'\n`, 'src/core/x509/codes.ts')).toEqual(['layers/downward'])
  })

  it('accepts an import of a layer below and any folder’s codes.ts', {timeout: 60_000}, async () => {
    expect(await ruleIds(`export {sha256Fingerprint} from '../x509/fingerprint.js'\n`, 'src/core/settings/downward.ts')).toEqual([])
    expect(await ruleIds(`export {CHECK_CODES} from '../check/codes.js'\n`, 'src/core/x509/codes-import.ts')).toEqual([])
    expect(await ruleIds(`export type {CodeInfo} from '../findings.js'\n`, 'src/core/x509/codes.ts')).toEqual([])
  })

  it('rejects an import cycle inside one folder', {timeout: 60_000}, async () => {
    mkdirSync(fixtureDir, {recursive: true})
    writeFileSync(join(fixtureDir, 'a.ts'), `import {b} from './b.js'\nexport const a = b + 1\n`)
    writeFileSync(join(fixtureDir, 'b.ts'), `import {a} from './a.js'\nexport const b = Number(a)\nexport function c(): number {\n  return 2\n}\n`)
    writeFileSync(join(fixtureDir, 'c.ts'), `import {c} from './b.js'\nexport const d = c()\n`)
    // Type-only imports count: these two need each other's types.
    writeFileSync(join(fixtureDir, 'd.ts'), `import type {E} from './e.js'\nexport type D = E | 1\n`)
    writeFileSync(join(fixtureDir, 'e.ts'), `import type {D} from './d.js'\nexport type E = {d?: D}\n`)
    const results = await eslint.lintFiles([join(fixtureDir, '*.ts')])
    const byFile = Object.fromEntries(results.map((r) => [relative(fixtureDir, r.filePath), r.messages.map((m) => m.ruleId)]))
    expect(byFile).toEqual({'a.ts': ['layers/no-cycle'], 'b.ts': ['layers/no-cycle'], 'c.ts': [], 'd.ts': ['layers/no-cycle'], 'e.ts': ['layers/no-cycle']})
    const [a] = results
    expect(a!.messages[0]!.message).toContain(`lint-fixture-${process.pid}/a.ts → src/core/x509/lint-fixture-${process.pid}/b.ts → src/core/x509/lint-fixture-${process.pid}/a.ts`)
  })

  it('rejects a file under src/ that no layer covers', {timeout: 60_000}, async () => {
    expect(await ruleIds(`export const x = 1\n`, 'src/core/unlayered/x.ts')).toEqual(['layers/downward'])
  })

  it('places every folder of src/ in a layer', () => {
    const layered = new Set(LAYERS.flat())
    const folders = [
      ...readdirSync(join(root, 'src/core'), {withFileTypes: true}).filter((e) => e.isDirectory()).map((e) => `src/core/${e.name}`),
      ...readdirSync(join(root, 'src'), {withFileTypes: true}).filter((e) => e.isDirectory() && e.name !== 'core').map((e) => `src/${e.name}`),
    ]
    expect(folders.filter((f) => !layered.has(f))).toEqual([])
    expect(layered.has('src/core/*.ts') && layered.has('src/*.ts')).toBe(true)
  })
})
