/**
 * One plaintext or TLS stream of a probe: sends command lines and reads their replies, each
 * exchange bounded by the phase clock and the line reader's limits. Refuses to send credentials.
 */
import type {Duplex} from 'node:stream'

import type {PhaseClock} from './clock.js'
import {LineReader, type LineLimits} from './line-reader.js'

const CREDENTIAL_COMMAND = /^(?:\S+\s+)?(?:LOGIN|AUTHENTICATE)\b|^(?:AUTH|USER|PASS|APOP)\b/i

/** True for a command line that would send or start sending credentials. */
export function isCredentialCommand(line: string): boolean {
  return CREDENTIAL_COMMAND.test(line)
}

export class Channel {
  readonly reader: LineReader
  private readonly stream: Duplex
  private readonly clock: PhaseClock

  constructor(stream: Duplex, clock: PhaseClock, limits?: Partial<LineLimits>) {
    this.stream = stream
    this.clock = clock
    this.reader = new LineReader(stream, limits)
  }

  /**
   * Sends `line` (when given) and reads its reply with `read`, within one phase named `phase`.
   * Without a line, reads only (the greeting).
   */
  exchange<T>(phase: string, line: string | undefined, read: (reader: LineReader) => Promise<T>): Promise<T> {
    if (line !== undefined && isCredentialCommand(line)) throw new Error(`refusing to send credentials: ${line.split(' ')[0]}`)
    this.reader.phase = phase
    if (line !== undefined) {
      this.reader.beginResponse()
      this.stream.write(line + '\r\n')
    }
    return this.clock.phase(phase, () => read(this.reader))
  }
}
