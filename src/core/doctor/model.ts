/** The shapes doctor reports (the JSON document's `clients[]`; documented in the README). */
import type {Finding} from '../findings.js'
import type {Authentication, Protocol, Security} from '../mail/protocol.js'

export type ClientName = 'thunderbird' | 'outlook' | 'apple' | 'srv'
export const CLIENT_NAMES: readonly ClientName[] = ['thunderbird', 'outlook', 'apple', 'srv']
/** The clients `--client` takes, in the order its help lists them. */
export const DOCTOR_CLIENTS: readonly ClientName[] = ['outlook', 'thunderbird', 'apple', 'srv']
export const CLIENT_TITLES: Record<ClientName, string> = {thunderbird: 'Thunderbird', outlook: 'Outlook', apple: 'Apple Mail (iPhone, iPad, Mac)', srv: 'RFC 6186 SRV records'}

/** `cut`: the address's deadline (--deadline) ended the step, or came before it started. */
export type StepResult = 'found' | 'not-found' | 'failed' | 'redirect' | 'skipped' | 'info' | 'cut'

/** One thing a client did, in order. */
export interface Step {
  /** What it is, e.g. "autoconfig (HTTPS)", "Autodiscover POX", "MX", "SRV". */
  name: string
  /** GET/POST for HTTP steps; the DNS type for lookups; "probe" for connection tests. */
  method: string
  /** The URL or the DNS name queried. */
  target: string
  /** HTTP status when there was one. */
  status?: number
  result: StepResult
  /** Where a 3xx pointed. */
  redirect?: string
  /** The certificate verdict of an HTTPS step. */
  certificate?: {accepted: boolean; codes: string[]; summary: string}
  durationMs: number
  /** One line: what happened (error, records found, why skipped). */
  detail: string
}

export interface FoundServer {
  role: 'incoming' | 'outgoing'
  protocol: Protocol
  host: string
  port: number
  security: Security
  /** As published (placeholders not expanded) and expanded for the address. */
  username?: string
  authentication?: Authentication
  /** Autodiscover only: whether <SPA> was off (false), on (true) or missing (undefined). */
  spa?: boolean
}

export interface FoundConfig {
  /** URL or DNS name it came from. */
  source: string
  format: 'autoconfig' | 'autodiscover-pox' | 'srv' | 'guess' | 'settings'
  servers: FoundServer[]
}

export interface ClientReport {
  client: ClientName
  steps: Step[]
  /** Index in steps of the step the client stops at (the winning source), absent when none. */
  stoppedAt?: number
  /** The configuration the client ends with (absent when it finds none). */
  config?: FoundConfig
  /** One plain sentence: what this client will do. */
  sentence: string
  findings: Finding[]
}
