/**
 * The shared corpus of real profiles, Autodiscover and autoconfig files (`../shared/corpus/` next to
 * the repository, read in place, never copied): MAILPROFILE_CORPUS when set, else `../shared/corpus`
 * next to this checkout, else next to the repository's main checkout (a git worktree's common dir).
 * Undefined when absent: tests that need it skip and say so.
 */
import {execFileSync} from 'node:child_process'
import {existsSync} from 'node:fs'
import {dirname, resolve} from 'node:path'

import {ROOT} from './cli.js'

function gitCommonRoot(): string | undefined {
  try {
    const common = execFileSync('git', ['rev-parse', '--path-format=absolute', '--git-common-dir'], {cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore']}).trim()
    return common ? dirname(common) : undefined
  } catch {
    return undefined
  }
}

export function corpusDir(): string | undefined {
  const candidates = [process.env.MAILPROFILE_CORPUS, resolve(ROOT, '..', 'shared', 'corpus')]
  const common = gitCommonRoot()
  if (common) candidates.push(resolve(common, '..', 'shared', 'corpus'))
  return candidates.find((c): c is string => typeof c === 'string' && c !== '' && existsSync(c))
}
