/**
 * A bounded line reader over a socket. Mail servers answer in CRLF-terminated lines; a hostile or
 * broken server may send endless replies, endless lines or nothing. The reader enforces, while the
 * bytes arrive (so memory stays bounded by the limits, not by what the server sends):
 * - maxLineBytes: the longest line (default 8 KiB; RFC 5321 allows 512, IMAP capability lines stay short),
 * - maxResponseBytes: the bytes of one reply, counted from beginResponse() (default 64 KiB),
 * - maxResponseLines: the lines of one multi-line reply (default 1000).
 * Breaking a limit, a close or a reset fails the reader with a ProbeFailure; timeouts are the
 * caller's job (see clock.ts).
 */
import type {Duplex} from 'node:stream'

import {excerpt} from './excerpt.js'
import {errorCodeOf, ProbeFailure} from './failure.js'

export interface LineLimits {
  maxLineBytes: number
  maxResponseBytes: number
  maxResponseLines: number
}

export const DEFAULT_LINE_LIMITS: LineLimits = {maxLineBytes: 8192, maxResponseBytes: 64 * 1024, maxResponseLines: 1000}

const DETACHED = new ProbeFailure('protocol', 'STARTTLS', 'the line reader was handed over to TLS')

export class LineReader {
  /** Name of the current phase, used in failure messages. */
  phase = 'greeting'
  private readonly limits: LineLimits
  private readonly stream: Duplex
  private partial: Buffer[] = []
  private partialLength = 0
  private readonly lines: string[] = []
  private failure?: ProbeFailure
  private waiter?: {resolve: (line: string) => void; reject: (error: ProbeFailure) => void}
  private responseBytes = 0
  private responseLines = 0
  private totalBytes = 0
  private attached = true
  /** Set when the peer closed or reset; turned into a failure on the next read. */
  private closedBy?: {code?: string}
  private readonly onData = (chunk: Buffer): void => this.receive(chunk)
  private readonly onEnd = (): void => this.closed()
  private readonly onError = (error: Error): void => this.closed(error)

  constructor(stream: Duplex, limits: Partial<LineLimits> = {}) {
    this.stream = stream
    this.limits = {...DEFAULT_LINE_LIMITS, ...limits}
    stream.on('data', this.onData)
    stream.on('end', this.onEnd)
    stream.on('close', this.onEnd)
    stream.on('error', this.onError)
  }

  /** Starts counting a new reply (call before sending each command). */
  beginResponse(): void {
    this.responseBytes = this.lines.reduce((n, l) => n + l.length + 2, 0) + this.partialLength
    this.responseLines = this.lines.length
  }

  /** The next line, without its CR LF. Rejects with a ProbeFailure once a limit breaks or the peer closes. */
  readLine(): Promise<string> {
    const line = this.lines.shift()
    if (line !== undefined) return Promise.resolve(line)
    if (this.closedBy && !this.failure) this.fail(this.closeFailure())
    if (this.failure) return Promise.reject(this.failure)
    return new Promise((resolve, reject) => {
      this.waiter = {resolve, reject}
    })
  }

  /** Lines and bytes received but not read yet (after STARTTLS this must be zero). */
  get buffered(): number {
    return this.lines.length + this.partialLength
  }

  /** Stops reading from the stream (before handing it to TLS). */
  detach(): void {
    if (!this.attached) return
    this.attached = false
    this.stream.removeListener('data', this.onData)
    this.stream.removeListener('end', this.onEnd)
    this.stream.removeListener('close', this.onEnd)
    this.stream.removeListener('error', this.onError)
    this.fail(DETACHED, false)
  }

  private receive(chunk: Buffer): void {
    if (this.failure || this.closedBy) return
    this.totalBytes += chunk.length
    this.responseBytes += chunk.length
    if (this.responseBytes > this.limits.maxResponseBytes) {
      return this.fail(
        new ProbeFailure(
          'protocol',
          this.phase,
          `the reply to ${this.phase} exceeded ${this.limits.maxResponseBytes} bytes (it began: "${excerpt(this.lines[0] ?? Buffer.concat(this.partial))}")`,
        ),
      )
    }
    let start = 0
    let nl: number
    while ((nl = chunk.indexOf(0x0a, start)) >= 0) {
      const piece = chunk.subarray(start, nl)
      const lineLength = this.partialLength + piece.length
      if (lineLength > this.limits.maxLineBytes) return this.tooLong(piece)
      let bytes = this.partialLength > 0 ? Buffer.concat([...this.partial, piece]) : piece
      this.partial = []
      this.partialLength = 0
      if (bytes.length > 0 && bytes[bytes.length - 1] === 0x0d) bytes = bytes.subarray(0, bytes.length - 1)
      this.responseLines++
      if (this.responseLines > this.limits.maxResponseLines) {
        return this.fail(
          new ProbeFailure('protocol', this.phase, `the reply to ${this.phase} went on for more than ${this.limits.maxResponseLines} lines (e.g. "${excerpt(bytes)}")`),
        )
      }
      this.push(bytes.toString('latin1'))
      start = nl + 1
    }
    if (start < chunk.length) {
      const rest = chunk.subarray(start)
      if (this.partialLength + rest.length > this.limits.maxLineBytes) return this.tooLong(rest)
      this.partialLength += rest.length
      this.partial.push(Buffer.from(rest))
    }
  }

  private tooLong(more: Buffer): void {
    const head = Buffer.concat([...this.partial, more.subarray(0, 200)]).subarray(0, 200)
    this.fail(
      new ProbeFailure('protocol', this.phase, `the server sent a line longer than ${this.limits.maxLineBytes} bytes during ${this.phase} (it began: "${excerpt(head, 60)}")`),
    )
  }

  private push(line: string): void {
    const waiter = this.waiter
    if (waiter) {
      this.waiter = undefined
      waiter.resolve(line)
    } else {
      this.lines.push(line)
    }
  }

  private closed(error?: Error): void {
    if (this.failure || this.closedBy) return
    this.closedBy = {code: errorCodeOf(error)}
    // Build the failure (an Error, with its stack) only when someone is waiting or reads later.
    if (this.waiter) this.fail(this.closeFailure())
  }

  private closeFailure(): ProbeFailure {
    const code = this.closedBy?.code
    const how = code ? `reset the connection (${code})` : 'closed the connection'
    return this.totalBytes === 0
      ? new ProbeFailure('connect', this.phase, `the server ${how} without sending anything`, {errorCode: code})
      : new ProbeFailure('protocol', this.phase, `the server ${how} in the middle of the dialog, during ${this.phase}`, {errorCode: code})
  }

  private fail(failure: ProbeFailure, drop = true): void {
    if (this.failure) return
    this.failure = failure
    if (drop) {
      this.partial = []
      this.partialLength = 0
    }
    const waiter = this.waiter
    this.waiter = undefined
    waiter?.reject(failure)
  }
}
