/**
 * A test hook for crash consistency: with `MAILPROFILE_TEST_KILL_AT=<point>:<n>` in the
 * environment, the process sends itself SIGKILL the n-th time (counted per thread) it passes that
 * point of the write phase: `stage` (a file written into the staging folder), `unplace` (the old
 * manifest taken out of place), `move` (a rename into place), `manifest` (the new manifest in
 * place), `prune` (a stale file removed). The tests stop a real build there, as a crash or
 * `kill -9` would, and check what is left. Unset (always, outside those tests), it does nothing.
 */
const spec = /^(stage|unplace|move|manifest|prune):(\d+)$/.exec(process.env.MAILPROFILE_TEST_KILL_AT ?? '')
const counts = new Map<string, number>()

export function killPoint(point: 'stage' | 'unplace' | 'move' | 'manifest' | 'prune'): void {
  if (!spec || spec[1] !== point) return
  const n = (counts.get(point) ?? 0) + 1
  counts.set(point, n)
  if (n >= Number(spec[2])) process.kill(process.pid, 'SIGKILL')
}
