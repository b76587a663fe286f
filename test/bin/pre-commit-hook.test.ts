// bin/pre-commit.js: which settings files the pre-commit hook lints for a set of staged files.
// (.ci/hook-install-proof runs the same through the real pre-commit framework.)
import {spawnSync} from 'node:child_process'
import {appendFileSync, cpSync, mkdtempSync, renameSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {ROOT} from '../helpers/cli.js'

const HOOK = join(ROOT, 'bin', 'pre-commit.js')
let repo: string

function hook(args: string[]) {
  const r = spawnSync(process.execPath, [HOOK, ...args], {cwd: repo, encoding: 'utf8', env: {...process.env, NO_COLOR: '1'}})
  return {code: r.status, out: r.stdout + r.stderr}
}

beforeAll(() => {
  repo = mkdtempSync(join(tmpdir(), 'mailprofile-hook-'))
  cpSync(join(ROOT, 'examples'), join(repo, 'mail'), {recursive: true})
  renameSync(join(repo, 'mail', 'provider.yaml'), join(repo, 'mail', 'mailprofile.yaml'))
  const git = (...args: string[]) => spawnSync('git', args, {cwd: repo, encoding: 'utf8'})
  git('init', '-q', '.')
  git('add', '-A')
  appendFileSync(join(repo, 'mail', 'users.csv'), 'not-an-address,Someone,\n')
})
afterAll(() => rmSync(repo, {recursive: true, force: true}))

describe('the pre-commit hook (bin/pre-commit.js)', () => {
  it('lints the tracked settings files when only a users CSV they name is staged', () => {
    const r = hook(['mail/users.csv'])
    expect(r.code, r.out).toBe(1)
    expect(r.out).toMatch(/users\.csv\n +9:1 +error +user-address-invalid/)
    const json = hook(['--json', 'mail/users.csv'])
    expect(JSON.parse(json.out.trim()).files.map((f: {file: string}) => f.file)).toEqual(['mail/mailprofile.yaml'])
  })

  it('passes lint flags through, values included, and lints the settings files given', () => {
    const r = hook(['--format', 'github', 'mail/single-domain.yaml'])
    expect(r.code, r.out).toBe(0)
    const json = hook(['--json', 'mail/single-domain.yaml'])
    expect(JSON.parse(json.out.trim()).files.map((f: {file: string}) => f.file)).toEqual(['mail/single-domain.yaml'])
  })

  it('with --settings, finds tracked settings files by another name', () => {
    expect(hook(['--settings', 'nomatch\\.yaml$', 'mail/users.csv']).code).toBe(0)
    const r = hook(['--settings', 'mail/[a-z]+\\.yaml$', 'mail/users.csv'])
    expect(r.code, r.out).toBe(1)
    expect(r.out).toMatch(/user-address-invalid/)
  })

  it('lints nothing (exit 0) when no settings file is staged or tracked', () => {
    expect(hook([]).code).toBe(0)
  })
})
