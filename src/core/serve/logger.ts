/** The request logger `serve` hands to the app: pino, JSON lines on stderr, buffered (flush() on exit). */
import {pino, type Logger} from 'pino'

export function createServeLogger(level: string): Logger {
  return pino({level, base: {service: 'mailprofile-serve'}}, pino.destination({dest: 2, sync: false, minLength: 4096}))
}
