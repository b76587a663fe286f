import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, describe, expect, it} from 'vitest'

import {parseSource} from '../../../src/core/settings/document.js'
import {lintSettingsFile} from '../../../src/core/settings/lint.js'
import {parseUsersCsv} from '../../../src/core/settings/users-csv.js'

const dir = mkdtempSync(join(tmpdir(), 'mailprofile-hostile-'))
afterAll(() => rmSync(dir, {recursive: true, force: true}))

function write(name: string, content: string | Buffer): string {
  const file = join(dir, name)
  writeFileSync(file, content)
  return file
}

describe('hostile settings input gets an input error, not a crash', () => {
  it('a self-referencing alias (a: &a [*a]) is refused at the alias, before any rule walks it', async () => {
    const text = 'version: 1\norganization: X\na: &a [*a]\ndomains: []\n'
    expect(() => parseSource(text, 'cyclic.yaml')).toThrow(expect.objectContaining({name: 'InputError', location: expect.objectContaining({line: 3, column: 8})}))
    const file = write('mailprofile.yaml', text)
    await expect(lintSettingsFile(file, {warnDays: 30, now: new Date(), env: {}})).rejects.toThrow(/alias refers to the value it is inside of/)
  })

  it('a cycle through a nested anchor is refused too; an alias to an earlier value is fine', () => {
    expect(() => parseSource('a: &a\n  b: &b\n    c: *a\n', 'nested.yaml')).toThrow(/alias refers/)
    expect(parseSource('a: &a [1]\nb: *a\n', 'ok.yaml').data).toEqual({a: [1], b: [1]})
  })
})

describe('input-sized arrays are never spread into call arguments', () => {
  it('150,000 users in a CSV, each in an undeclared domain (150,000 findings), lint without a stack overflow', async () => {
    const settings = readFileSync(new URL('../../../examples/single-domain.yaml', import.meta.url), 'utf8')
    const count = 150_000
    const rows = ['address,name']
    for (let i = 0; i < count; i++) rows.push(`u${i}@elsewhere.invalid,User ${i}`)
    write('many-users.csv', rows.join('\n') + '\n')
    const file = write('many-users.yaml', `${settings}\nusersFile: many-users.csv\n`)
    const result = await lintSettingsFile(file, {warnDays: 30, now: new Date(), env: {}})
    expect(result.settings?.users.length).toBeGreaterThanOrEqual(count)
    expect(result.findings.length).toBeGreaterThanOrEqual(count)
  }, 120_000)
})

describe('parsing and the schema pass are linear in the input', () => {
  const base = readFileSync(new URL('../../../examples/single-domain.yaml', import.meta.url), 'utf8')

  it('20,000 unknown keys: one finding each, in seconds (36 s before)', async () => {
    let extra = ''
    for (let i = 0; i < 20_000; i++) extra += `unknown${i}: 1\n`
    const file = write('unknown-keys.yaml', `${base}\n${extra}`)
    const started = performance.now()
    const result = await lintSettingsFile(file, {warnDays: 30, now: new Date(), env: {}})
    expect(result.findings.filter((f) => f.code === 'unknown-key')).toHaveLength(20_000)
    expect(performance.now() - started).toBeLessThan(20_000)
  }, 60_000)

  it('2 MB of [ is "nested too deeply" before the parser recurses (32 s and 1.2 GB before)', () => {
    const started = performance.now()
    expect(() => parseSource('['.repeat(2_000_000), 'deep.yaml')).toThrow(expect.objectContaining({message: expect.stringMatching(/nested too deeply/), location: expect.objectContaining({line: 1, column: 257})}))
    expect(performance.now() - started).toBeLessThan(5_000)
    // Brackets in quoted text and comments do not count; 256 levels are fine.
    expect(parseSource(`a: "${'['.repeat(300)}"\nb: '${'{'.repeat(300)}'\n# ${'['.repeat(300)}\nc: ${'['.repeat(256)}${']'.repeat(256)}\n`, 'ok.yaml').data).toMatchObject({a: '['.repeat(300)})
  })

  it('a duplicate key is still reported where it repeats', () => {
    expect(() => parseSource('a: 1\nb:\n  c: 1\n  c: 2\na: 3\n', 'dup.yaml')).toThrow(expect.objectContaining({message: expect.stringMatching(/duplicate key "c"/), location: expect.objectContaining({line: 4, column: 3})}))
    expect(parseSource('a: 1\n"1": 2\n1: 3\n', 'distinct.yaml').data).toBeTruthy()
  })

  it('a key of several MB in JSON gets its unknown-key finding in seconds (58 s before)', async () => {
    const key = 'k'.repeat(4_000_000)
    const json = JSON.stringify({...(parseSource(base, 'base.yaml').data as object), [key]: 1})
    const file = write('big-key.json', json)
    const started = performance.now()
    const result = await lintSettingsFile(file, {warnDays: 30, now: new Date(), env: {}})
    expect(result.findings.map((f) => f.code)).toContain('unknown-key')
    expect(performance.now() - started).toBeLessThan(20_000)
  }, 60_000)
})

describe('CSV errors never quote the file', () => {
  it('an invalid quote in a field names the line and the kind of error, not the field', () => {
    for (const text of ['address,name\nx"DB_PASSWORD=hunter2",y\n', 'address,name\n"a"DB_PASSWORD=hunter2,y\n', 'address\n"DB_PASSWORD=hunter2\n']) {
      let thrown: unknown
      try {
        parseUsersCsv(text, 'users.csv')
      } catch (error) {
        thrown = error
      }
      expect(thrown).toMatchObject({name: 'InputError', location: {file: 'users.csv', line: 2}})
      expect((thrown as Error).message).toMatch(/^CSV syntax error: /)
      expect((thrown as Error).message).not.toMatch(/hunter2|DB_PASSWORD/)
    }
  })
})

describe('the users file message', () => {
  it('a missing users file reads as one sentence', async () => {
    const settings = readFileSync(new URL('../../../examples/single-domain.yaml', import.meta.url), 'utf8')
    const file = write('missing-users.yaml', `${settings}\nusersFile: staff.csv\n`)
    const result = await lintSettingsFile(file, {warnDays: 30, now: new Date(), env: {}})
    expect(result.findings.find((f) => f.code === 'users-file-unreadable')?.message).toBe('The users file "staff.csv" was not found.')
  })
})
