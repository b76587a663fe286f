// The README's generated sections (settings reference, finding codes) must match their sources.
import {execFileSync, spawnSync} from 'node:child_process'
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'

import {allCodes} from '../src/core/codes.js'
import {ROOT} from './helpers/cli.js'

const SCRIPT = join(ROOT, 'scripts', 'docs.js')
const runDocs = (args: string[]) => spawnSync(process.execPath, [SCRIPT, ...args], {cwd: ROOT, encoding: 'utf8'})

describe('README generated sections', () => {
  it('are up to date (run `npm run docs` when this fails)', () => {
    const r = runDocs(['--check'])
    expect(r.stderr).toBe('')
    expect(r.status).toBe(0)
  })

  it('list every finding code and every settings key', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8')
    const codes = readme.slice(readme.indexOf('<!-- codes:start -->'), readme.indexOf('<!-- codes:end -->'))
    for (const c of allCodes()) expect(codes).toContain(`| \`${c.code}\` | ${c.severity} |`)
    const settings = readme.slice(readme.indexOf('<!-- settings:start -->'), readme.indexOf('<!-- settings:end -->'))
    const schema = JSON.parse(readFileSync(join(ROOT, 'schemas', 'mailprofile.schema.json'), 'utf8')) as Record<string, unknown>
    const keys = new Set<string>()
    const collect = (node: unknown) => {
      if (!node || typeof node !== 'object') return
      const props = (node as {properties?: Record<string, unknown>}).properties
      if (props) for (const k of Object.keys(props)) if (k !== '$schema') keys.add(k)
      for (const v of Object.values(node)) collect(v)
    }
    collect(schema)
    expect(keys.size).toBeGreaterThan(20)
    for (const k of keys) expect(settings).toContain(`| \`${k}\` |`)
  })

  it('--check fails on a stale README and npm run docs repairs it, touching only the marked sections', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mailprofile-docs-'))
    try {
      // What the README looks like generated (whether or not the repository's copy is current).
      const copy = join(dir, 'README.md')
      writeFileSync(copy, readFileSync(join(ROOT, 'README.md'), 'utf8'))
      execFileSync(process.execPath, [SCRIPT, '--readme', copy], {cwd: ROOT})
      const current = readFileSync(copy, 'utf8')
      expect(runDocs(['--check', '--readme', copy]).status).toBe(0)
      // Drop one code row and add a line outside the markers: --check fails, docs repairs only the row.
      const stale = current.replace(/(<!-- codes:start -->[\s\S]*?)\| `[a-z0-9-]+` \|[^\n]*\n/, '$1')
      expect(stale).not.toBe(current)
      writeFileSync(copy, stale + '\nA line the lead wrote.\n')
      expect(runDocs(['--check', '--readme', copy]).status).toBe(1)
      execFileSync(process.execPath, [SCRIPT, '--readme', copy], {cwd: ROOT})
      expect(readFileSync(copy, 'utf8')).toBe(current + '\nA line the lead wrote.\n')
    } finally {
      rmSync(dir, {recursive: true, force: true})
    }
  })
})
