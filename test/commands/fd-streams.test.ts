/**
 * isTerminal (fd-streams.ts) against Node's own tty.isatty, on real descriptors of every kind a
 * report is written to: a file, /dev/null (a character device that is no terminal), a pipe, a
 * pseudo-terminal and a closed descriptor.
 */
import {spawn} from 'node:child_process'
import {closeSync, mkdtempSync, openSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {isatty} from 'node:tty'

import {describe, expect, it} from 'vitest'

import {isTerminal} from '../../src/commands/fd-streams.js'

describe('isTerminal', () => {
  it('says what tty.isatty says for a file, /dev/null, a pipe, a pseudo-terminal and a closed descriptor', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mailprofile-tty-'))
    const fds: Array<[string, number]> = []
    try {
      fds.push(['file', openSync(join(dir, 'out.txt'), 'w')])
      fds.push(['/dev/null', openSync('/dev/null', 'w')])
      // A pseudo-terminal's master side is a terminal by isatty(3) on Linux.
      fds.push(['pseudo-terminal', openSync('/dev/ptmx', 'r+')])
      const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 2000)'], {stdio: ['pipe', 'pipe', 'ignore']})
      const pipeFd = (child.stdout as unknown as {_handle: {fd: number}})._handle.fd
      expect(pipeFd).toBeGreaterThan(2)
      fds.push(['pipe', pipeFd])
      const verdicts = fds.map(([name, fd]) => [name, isTerminal(fd), isatty(fd)])
      for (const [name, ours, node] of verdicts) expect(ours, String(name)).toBe(node)
      // Both answers occur, so the comparison can fail either way.
      expect(verdicts.map(([name, ours]) => `${String(name)}: ${String(ours)}`)).toEqual(['file: false', '/dev/null: false', 'pseudo-terminal: true', 'pipe: false'])
      child.kill()
      await new Promise((resolve) => child.once('exit', resolve))
      const closed = openSync('/dev/null', 'r')
      closeSync(closed)
      expect(isTerminal(closed)).toBe(isatty(closed))
    } finally {
      for (const [name, fd] of fds) if (name !== 'pipe') closeSync(fd)
      rmSync(dir, {recursive: true, force: true})
    }
  })
})
