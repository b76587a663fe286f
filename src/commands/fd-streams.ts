/**
 * stdout and stderr written with write(2) on descriptors 1 and 2 instead of through process.stdout
 * and process.stderr, for the lean start-up path (src/lean-cli.ts), where nothing has written to
 * either before the report. For a pipe (how a pipeline or a test runs the CLI), Node makes those
 * streams as net.Sockets, which loads net and the stream modules: about 8 ms of a 48 ms
 * `node -e 0` (measured with bench/lint.bench.js's way of starting processes). The colour check
 * asks whether the descriptor is a terminal only when the environment leaves it open (style.ts),
 * and isTerminal answers that from fstat for anything but a character device.
 *
 * A write to a descriptor left non-blocking by whoever shares it can take part of the text and
 * then fail with EAGAIN: the rest, and everything after it, then goes through Node's stream, which
 * waits for the reader. A reader that went away (EPIPE: `mailprofile lint … | head -1`) ends the
 * output to that descriptor quietly; the exit status is still the report's.
 */
import {fstatSync, statSync, writeSync} from 'node:fs'

/** What emitReport writes a report to: process.stdout/process.stderr, or fdStream(1)/fdStream(2). */
export interface OutputStream {
  write(text: string | Uint8Array): unknown
  readonly isTTY?: boolean
}

/**
 * Whether descriptor `fd` is a terminal, as tty.isatty says: only a character device can be one, so
 * a pipe, a file, a socket or /dev/null (the same device) is answered from fstat, without loading
 * node:tty, which loads node:net (about 1 ms of a lint started by a git hook or CI, where the
 * output is a pipe or a file, or by a script that sends it to /dev/null).
 */
export function isTerminal(fd: number): boolean {
  try {
    const stat = fstatSync(fd)
    if (!stat.isCharacterDevice() || stat.rdev === devNull()) return false
  } catch {
    return false
  }
  return process.getBuiltinModule('node:tty').isatty(fd)
}

/** The device number of /dev/null, undefined where there is none (Windows). */
function devNull(): number | undefined {
  try {
    return statSync('/dev/null').rdev
  } catch {
    return undefined
  }
}

/** A writer of descriptor 1 or 2 with write(2) (see the module comment). */
export function fdStream(fd: 1 | 2): OutputStream {
  let mode: 'fd' | 'stream' | 'closed' = 'fd'
  const stream = (): NodeJS.WriteStream => (fd === 1 ? process.stdout : process.stderr)
  return {
    write(text: string | Uint8Array): void {
      if (mode === 'closed') return
      if (mode === 'stream') {
        stream().write(text)
        return
      }
      const bytes = typeof text === 'string' ? Buffer.from(text, 'utf8') : text
      let done = 0
      try {
        while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done)
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code
        if (code === 'EPIPE') mode = 'closed'
        else if (code === 'EAGAIN') {
          mode = 'stream'
          stream().write(bytes.subarray(done))
        } else throw error
      }
    },
    get isTTY(): boolean {
      if (mode === 'stream') return Boolean(stream().isTTY)
      return isTerminal(fd)
    },
  }
}
