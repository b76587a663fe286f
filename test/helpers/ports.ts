import {createServer} from 'node:net'

/**
 * A TCP port on 127.0.0.1 that was free a moment ago (bound, then closed): for a server a test
 * starts in another process (nginx, Apache), or as a port where nothing listens.
 */
export function freePort(): Promise<number> {
  return new Promise((done) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as {port: number}).port
      s.close(() => done(port))
    })
  })
}
