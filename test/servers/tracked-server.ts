/**
 * A TCP server on 127.0.0.1 (port 0) that counts connections, remembers the most that were open at
 * once, and destroys every socket on close(). The base of the fixture and hostile mail servers.
 */
import net from 'node:net'

export class TrackedServer {
  readonly host = '127.0.0.1'
  port = 0
  /** Connections accepted so far. */
  connections = 0
  /** Connections open right now. */
  active = 0
  /** The most connections that were open at the same time. */
  maxConcurrent = 0
  private readonly server: net.Server
  private readonly sockets = new Set<net.Socket>()

  constructor(onConnection: (socket: net.Socket) => void) {
    this.server = net.createServer((socket) => {
      this.connections++
      this.active++
      this.maxConcurrent = Math.max(this.maxConcurrent, this.active)
      this.sockets.add(socket)
      socket.on('error', () => {})
      socket.on('close', () => {
        this.active--
        this.sockets.delete(socket)
      })
      onConnection(socket)
    })
    this.server.maxConnections = 10_000
  }

  async listen(): Promise<this> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject)
      this.server.listen({host: this.host, port: 0, backlog: 1024}, () => resolve())
    })
    this.port = (this.server.address() as net.AddressInfo).port
    return this
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy()
    await new Promise<void>((resolve) => this.server.close(() => resolve()))
  }
}

/** A port on 127.0.0.1 that nothing listens on (bound, then released): connecting to it is refused. */
export async function refusedPort(): Promise<number> {
  const server = net.createServer()
  await new Promise<void>((resolve) => server.listen({host: '127.0.0.1', port: 0}, () => resolve()))
  const {port} = server.address() as net.AddressInfo
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}
