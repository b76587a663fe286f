/**
 * Hostile servers: each misbehaves in one way a probe must survive within its time and size bounds.
 * All listen on 127.0.0.1 (random port) and count connections (see TrackedServer).
 */
import type net from 'node:net'

import {TrackedServer} from './tracked-server.js'

/** Accepts the connection and never says anything (nor closes); reads and discards what it gets. */
export async function startSilentServer(): Promise<TrackedServer> {
  // resume(): keep reading so the client's close is noticed (and counted) at once.
  return new TrackedServer((socket) => socket.resume()).listen()
}

/** Writes `chunk` again and again while the peer reads, up to `maxBytes`, then stops writing. */
function flood(socket: net.Socket, chunk: string, maxBytes: number): void {
  const data = Buffer.from(chunk.repeat(Math.max(1, Math.floor(16384 / chunk.length))), 'latin1')
  let sent = 0
  const pump = (): void => {
    while (!socket.destroyed && sent < maxBytes) {
      sent += data.length
      if (!socket.write(data)) {
        socket.once('drain', pump)
        return
      }
    }
  }
  pump()
}

/**
 * Sends `greeting` (e.g. '220-' or '* OK ready\r\n') and then `line` forever (up to maxBytes, 64 MiB by
 * default): an endless multi-line reply. With `afterFirstCommand` the flood starts as the answer to
 * the first command line the client sends.
 */
export async function startEndlessReplyServer(options: {
  greeting: string
  line: string
  afterFirstCommand?: boolean
  maxBytes?: number
}): Promise<TrackedServer> {
  const maxBytes = options.maxBytes ?? 64 * 1024 * 1024
  return new TrackedServer((socket) => {
    socket.write(options.greeting)
    if (!options.afterFirstCommand) return flood(socket, options.line, maxBytes)
    let seen = ''
    const onData = (chunk: Buffer): void => {
      seen += chunk.toString('latin1')
      if (seen.includes('\n')) {
        socket.removeListener('data', onData)
        flood(socket, options.line, maxBytes)
      }
    }
    socket.on('data', onData)
  }).listen()
}

/** Sends `prefix` followed by `bytes` of 'A' and no line end (default 1 MiB), then waits. */
export async function startHugeLineServer(options: {prefix: string; bytes?: number}): Promise<TrackedServer> {
  const bytes = options.bytes ?? 1024 * 1024
  return new TrackedServer((socket) => {
    socket.write(options.prefix)
    flood(socket, 'A'.repeat(1024), bytes)
  }).listen()
}

/**
 * Waits for the client's first bytes (the TLS ClientHello), optionally answers with a truncated TLS
 * record header, then closes the connection: a TLS handshake cut off in the middle.
 */
export async function startHandshakeCloserServer(options: {sendPartialRecord?: boolean} = {}): Promise<TrackedServer> {
  return new TrackedServer((socket) => {
    socket.once('data', () => {
      // A handshake record header announcing 256 bytes, followed by only 4 of them.
      if (options.sendPartialRecord) socket.write(Buffer.from([0x16, 0x03, 0x03, 0x01, 0x00, 0x02, 0x00, 0x00, 0xfc]))
      setImmediate(() => socket.destroy())
    })
  }).listen()
}

/**
 * Sends a plaintext greeting, answers every command line with `reply` (default: nothing) and closes
 * right after the n-th command line (default 1): a connection dropped mid-dialog.
 */
export async function startDropAfterCommandServer(options: {
  greeting: string
  reply?: string
  closeAfter?: number
}): Promise<TrackedServer> {
  return new TrackedServer((socket) => {
    socket.write(options.greeting)
    let lines = 0
    socket.on('data', (chunk: Buffer) => {
      for (const ch of chunk.toString('latin1')) {
        if (ch !== '\n') continue
        lines++
        if (options.reply) socket.write(options.reply)
        if (lines >= (options.closeAfter ?? 1)) {
          socket.destroy()
          return
        }
      }
    })
  }).listen()
}

/** Accepts the connection and closes it at once, without a word (like a tcpwrappers or fail2ban reject). */
export async function startSlamServer(): Promise<TrackedServer> {
  return new TrackedServer((socket) => socket.end()).listen()
}

/**
 * Waits for the client's first bytes (the TLS ClientHello) and answers with a fatal TLS alert
 * record (e.g. 70 protocol_version, 40 handshake_failure), then closes: what a server whose TLS
 * stack refuses the hello sends. OpenSSL on the client parses it as it would any server's alert.
 */
export async function startAlertServer(options: {alert: number}): Promise<TrackedServer> {
  return new TrackedServer((socket) => {
    socket.once('data', () => {
      socket.end(Buffer.from([0x15, 0x03, 0x03, 0x00, 0x02, 0x02, options.alert]))
    })
  }).listen()
}
