/** The request logger `serve` hands to the app: pino, JSON lines on stderr, written asynchronously (flush() on exit). */
import {pino, type Logger} from 'pino'

export function createServeLogger(level: string): Logger {
  return pino({level, base: {service: 'mailprofile-serve'}}, pino.destination({dest: 2, sync: false}))
}
