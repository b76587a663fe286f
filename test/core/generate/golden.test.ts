// profiles/ holds what `build` gives for examples/: regenerating must not change a byte.
import {spawnSync} from 'node:child_process'
import {existsSync, mkdtempSync, readdirSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

import {ROOT} from '../../helpers/cli.js'

describe('golden outputs (profiles/)', () => {
  it('exist for every example', () => {
    const examples = readdirSync(join(ROOT, 'examples')).filter((f) => /\.(ya?ml|json)$/.test(f))
    expect(examples.length).toBeGreaterThan(0)
    for (const e of examples) expect(existsSync(join(ROOT, 'profiles', e.replace(/\.(ya?ml|json)$/, ''), 'manifest.json'))).toBe(true)
  })

  it('are byte-identical to a fresh regeneration', async () => {
    const {compareTrees} = (await import(join(ROOT, 'scripts', 'regenerate-profiles.js'))) as {compareTrees: (a: string, b: string) => string[]}
    const out = join(mkdtempSync(join(tmpdir(), 'mp-golden-')), 'profiles')
    const r = spawnSync(process.execPath, [join(ROOT, 'scripts', 'regenerate-profiles.js'), '--out', out], {cwd: ROOT, encoding: 'utf8'})
    expect(r.stderr).toBe('')
    expect(r.status).toBe(0)
    expect(compareTrees(join(ROOT, 'profiles'), out)).toEqual([])
  })
})
