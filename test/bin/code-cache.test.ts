// bin/cli-loader.js: under a Node with no fitting code cache for a command, the first run makes one
// at exit and later runs load it (MAILPROFILE_CODE_CACHE_DIR points the cache folder for the test).
// `lint FILE` runs from the lean bundle (dist/lint.cjs), whose cache is named after that bundle.
import {spawnSync} from 'node:child_process'
import {existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync} from 'node:fs'
import {createHash} from 'node:crypto'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {pathToFileURL} from 'node:url'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {ROOT} from '../helpers/cli.js'

const RUN = join(ROOT, 'bin', 'run.js')
const EXAMPLE = join(ROOT, 'examples', 'single-domain.yaml')
const LOADER = pathToFileURL(join(ROOT, 'bin', 'cli-loader.js')).href
let dir: string

/** The caches in a folder, without the bundles' digest memos (written once a bundle is 2 s old). */
const caches = (folder: string) => readdirSync(folder).filter((f) => !f.endsWith('.sha256'))

function cli(cacheDir: string, args = ['lint', EXAMPLE], nodeOptions = '') {
  const r = spawnSync(process.execPath, [RUN, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: {...process.env, NO_COLOR: '1', NODE_OPTIONS: nodeOptions, MAILPROFILE_CODE_CACHE_DIR: cacheDir, MAILPROFILE_DEBUG_CODE_CACHE: '1'},
  })
  return {code: r.status, stdout: r.stdout, stderr: r.stderr}
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'mailprofile-code-cache-'))
})
afterEach(() => rmSync(dir, {recursive: true, force: true}))

describe('run-time code cache', () => {
  it('makes a cache on the first run under this Node and uses it, without rewriting, on the second', () => {
    const sha = createHash('sha256').update(readFileSync(join(ROOT, 'dist', 'lint.cjs'))).digest('hex')
    const file = join(dir, `${process.versions.v8}-${process.arch}-${sha}-lint.cache`)
    const first = cli(dir)
    expect(first.code, first.stderr).toBe(0)
    expect(first.stderr).toContain('none fits; making one at exit')
    expect(first.stderr).toContain(`wrote ${file}`)
    expect(caches(dir)).toEqual([file.slice(dir.length + 1)])
    const second = cli(dir)
    expect(second.code, second.stderr).toBe(0)
    expect(second.stderr).toContain(`used ${file}`)
    expect(second.stderr).not.toContain('wrote')
    expect(second.stdout).toBe(first.stdout)
  })

  it('keeps one cache per command, so each holds the functions its command runs', () => {
    const sha = (bundle: string) => createHash('sha256').update(readFileSync(join(ROOT, 'dist', bundle))).digest('hex')
    const name = (command: string, bundle = 'cli.cjs') => `${process.versions.v8}-${process.arch}-${sha(bundle)}-${command}.cache`
    expect(cli(dir).stderr).toContain(`wrote ${join(dir, name('lint', 'lint.cjs'))}`)
    // lint --help is the full CLI's: its own cache for lint.
    expect(cli(dir, ['lint', '--help']).stderr).toContain(`wrote ${join(dir, name('lint'))}`)
    // inspect FILE runs from its lean bundle (dist/inspect.cjs), inspect --help from the full CLI: a cache each.
    const inspect = cli(dir, ['inspect', join(ROOT, 'profiles', 'single-domain', 'example.com', 'example.com.mobileconfig')])
    expect(inspect.code, inspect.stderr).toBe(0)
    expect(inspect.stderr).toContain('none fits; making one at exit')
    expect(inspect.stderr).toContain(`wrote ${join(dir, name('inspect', 'inspect.cjs'))}`)
    expect(cli(dir, ['inspect', '--help']).stderr).toContain(`wrote ${join(dir, name('inspect'))}`)
    // Anything that is not a command (a typo, --version) shares one cache; it never names a file after the typo.
    const typo = cli(dir, ['biuld'])
    expect(typo.stderr).toContain(`wrote ${join(dir, name('cli'))}`)
    expect(cli(dir, ['--version']).stderr).toContain(`used ${join(dir, name('cli'))}`)
    expect(cli(dir).stderr).toContain(`used ${join(dir, name('lint', 'lint.cjs'))}`)
    expect(caches(dir).sort()).toEqual([name('cli'), name('inspect'), name('inspect', 'inspect.cjs'), name('lint'), name('lint', 'lint.cjs')].sort())
  })

  it('keeps a cache per set of Node flags, so runs that alternate flags never reject and rewrite each other\'s', () => {
    const flagged = '--max-old-space-size=4096'
    const firsts = [cli(dir), cli(dir, ['lint', EXAMPLE], flagged)]
    for (const first of firsts) {
      expect(first.code, first.stderr).toBe(0)
      expect(first.stderr).toContain('making one at exit')
    }
    for (const options of ['', flagged, '', flagged]) {
      const again = cli(dir, ['lint', EXAMPLE], options)
      expect(again.code, again.stderr).toBe(0)
      expect(again.stderr).toMatch(/used /)
      expect(again.stderr).not.toMatch(/rejected|wrote/)
    }
    // The flag-less cache keeps the plain name, which the build's caches in dist/code-cache have.
    expect(caches(dir).filter((f) => !f.includes('-v8tag.'))).toHaveLength(1)
  })

  it('remakes a cache V8 rejects', () => {
    cli(dir)
    const [name] = caches(dir)
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

  it('writes through a fresh, exclusively created temporary file beside the cache: never through a planted link, nothing left on failure', async () => {
    const {saveCache} = (await import(pathToFileURL(join(ROOT, 'bin', 'cli-loader.js')).href)) as {saveCache: (script: {createCachedData(): Buffer}, name: string, dirs: string[]) => string | undefined}
    const script = {createCachedData: () => Buffer.from('cache bytes')}
    const victim = join(dir, 'victim')
    writeFileSync(victim, 'keep')
    const cacheDir = join(dir, 'cache')
    mkdirSync(cacheDir)
    // The name an earlier version wrote through (name.pid.tmp, opened with 'w'): a link planted there.
    symlinkSync(victim, join(cacheDir, `x.cache.${process.pid}.tmp`))
    expect(saveCache(script, 'x.cache', [cacheDir])).toBe(join(cacheDir, 'x.cache'))
    expect(readFileSync(victim, 'utf8')).toBe('keep')
    expect(readFileSync(join(cacheDir, 'x.cache'), 'utf8')).toBe('cache bytes')
    expect(lstatSync(join(cacheDir, `x.cache.${process.pid}.tmp`)).isSymbolicLink()).toBe(true)
    expect(readdirSync(cacheDir).sort()).toEqual(['x.cache', `x.cache.${process.pid}.tmp`])
    // The rename fails (a non-empty folder has the name): the temporary file is removed, the next folder is tried.
    const taken = join(dir, 'taken')
    mkdirSync(join(taken, 'y.cache'), {recursive: true})
    writeFileSync(join(taken, 'y.cache', 'keep'), '')
    expect(saveCache(script, 'y.cache', [taken, cacheDir])).toBe(join(cacheDir, 'y.cache'))
    expect(readdirSync(taken)).toEqual(['y.cache'])
  })

  it("takes a bundle's digest from a memo of its file's identity, and never once the file has changed, even to the same length and times", async () => {
    type Stat = ReturnType<typeof statSync>
    const {readBundle, bundleDigest} = (await import(LOADER)) as {
      readBundle: (file: string, nowNs?: bigint) => {bytes: Buffer; sha: string}
      bundleDigest: (file: string, bytes: Buffer, before: Stat, after: Stat, nowNs?: bigint) => string
    }
    const sha = (text: string) => createHash('sha256').update(text).digest('hex')
    const memos = join(dir, 'memos')
    const file = join(dir, 'bundle.cjs')
    const settled = () => BigInt(Date.now() + 3000) * 1_000_000n
    process.env.MAILPROFILE_CODE_CACHE_DIR = memos
    try {
      writeFileSync(file, 'one')
      // Just written: hashed, and no memo (a second write within the same clock tick could leave every time as it is).
      expect(readBundle(file).sha).toBe(sha('one'))
      expect(existsSync(memos)).toBe(false)
      // Changed while it was read (another fstat after the read): hashed, no memo, however old it is.
      const before = statSync(file, {bigint: true})
      expect(bundleDigest(file, readFileSync(file), before, {...before, ctimeNs: before.ctimeNs + 1n} as Stat, settled())).toBe(sha('one'))
      expect(existsSync(memos)).toBe(false)
      // Settled (its status-change time more than 2 s before now): hashed once more, and the digest recorded.
      expect(readBundle(file, settled()).sha).toBe(sha('one'))
      const [memo] = readdirSync(memos)
      expect(memo).toMatch(/^bundle\.cjs-\d+-\d+\.sha256$/)
      // From then on the memo is read, not the bytes hashed: one edited to another digest is believed...
      const [identity] = readFileSync(join(memos, memo!), 'latin1').split('\n')
      writeFileSync(join(memos, memo!), `${identity}\n${'0'.repeat(64)}\n`)
      expect(readBundle(file).sha).toBe('0'.repeat(64))
      // ...until the file changes: same length, its times set back to the nanosecond; only its status-change time moved.
      const reference = join(dir, 'times')
      writeFileSync(reference, '')
      expect(spawnSync('touch', ['-r', file, reference]).status).toBe(0)
      writeFileSync(file, 'two')
      expect(spawnSync('touch', ['-r', reference, file]).status).toBe(0)
      const after = statSync(file, {bigint: true})
      expect([after.size, after.mtimeNs, after.ino]).toEqual([before.size, before.mtimeNs, before.ino])
      expect(readBundle(file).sha).toBe(sha('two'))
    } finally {
      delete process.env.MAILPROFILE_CODE_CACHE_DIR
    }
  })
})
