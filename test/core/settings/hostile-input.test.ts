import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, describe, expect, it} from 'vitest'

import {parseSource} from '../../../src/core/settings/document.js'
import {lintSettingsFile} from '../../../src/core/settings/lint.js'

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
