/** What every client flow of one address shares. */
import type {HttpContext} from './http.js'

export interface DoctorContext {
  http: HttpContext
  /** The address as given, lower-cased domain. */
  address: string
  localPart: string
  /** The mail domain, A-label form. */
  domain: string
  /** ISPDB base URL (ending in /), or false with --no-ispdb. */
  ispdb: string | false
  /** Mail servers are probed (guess, SRV targets) within this many ms per phase. */
  phaseTimeoutMs: number
}

export const DEFAULT_ISPDB = 'https://autoconfig.thunderbird.net/v1.1/'
