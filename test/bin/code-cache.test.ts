// bin/cli-loader.js: under a Node with no fitting code cache, the first run makes one at exit and
// later runs load it (MAILPROFILE_CODE_CACHE_DIR points the cache folder for the test).
import {spawnSync} from 'node:child_process'
import {mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync} from 'node:fs'
import {createHash} from 'node:crypto'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {ROOT} from '../helpers/cli.js'

const RUN = join(ROOT, 'bin', 'run.js')
const EXAMPLE = join(ROOT, 'examples', 'single-domain.yaml')
let dir: string

function cli(cacheDir: string, args = ['lint', EXAMPLE]) {
  const r = spawnSync(process.execPath, [RUN, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: {...process.env, NO_COLOR: '1', MAILPROFILE_CODE_CACHE_DIR: cacheDir, MAILPROFILE_DEBUG_CODE_CACHE: '1'},
  })
  return {code: r.status, stdout: r.stdout, stderr: r.stderr}
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'mailprofile-code-cache-'))
})
afterEach(() => rmSync(dir, {recursive: true, force: true}))

describe('run-time code cache', () => {
  it('makes a cache on the first run under this Node and uses it, without rewriting, on the second', () => {
    const sha = createHash('sha256').update(readFileSync(join(ROOT, 'dist', 'cli.cjs'))).digest('hex')
    const file = join(dir, `${process.versions.v8}-${process.arch}-${sha}.cache`)
    const first = cli(dir)
    expect(first.code, first.stderr).toBe(0)
    expect(first.stderr).toContain('none fits; making one at exit')
    expect(first.stderr).toContain(`wrote ${file}`)
    expect(readdirSync(dir)).toEqual([file.slice(dir.length + 1)])
    const second = cli(dir)
    expect(second.code, second.stderr).toBe(0)
    expect(second.stderr).toContain(`used ${file}`)
    expect(second.stderr).not.toContain('wrote')
    expect(second.stdout).toBe(first.stdout)
  })

  it('remakes a cache V8 rejects', () => {
    cli(dir)
    const [name] = readdirSync(dir)
    writeFileSync(join(dir, name!), 'not a code cache')
    const r = cli(dir)
    expect(r.code, r.stderr).toBe(0)
    expect(r.stderr).toContain('rejected')
    expect(r.stderr).toContain('wrote')
    expect(cli(dir).stderr).toContain(`used ${join(dir, name!)}`)
  })

  it('never fails the command when the cache cannot be written', () => {
    const notADir = join(dir, 'file')
    writeFileSync(notADir, '')
    const r = cli(join(notADir, 'sub'), ['lint', '--json', EXAMPLE])
    expect(r.code, r.stderr).toBe(0)
    expect(r.stderr).toContain('could not write a cache')
    expect(JSON.parse(r.stdout)).toHaveProperty('files')
  })
})
