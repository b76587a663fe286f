/**
 * Time limits of one probe: every phase (connect, greeting, each command, STARTTLS, TLS handshake)
 * gets at most `phaseTimeoutMs`, and all phases together end at the probe's deadline. When a limit
 * runs out, `onTimeout` runs (the probe destroys its sockets, which also ends the pending work) and
 * the phase rejects with a ProbeFailure of kind 'timeout' (or 'deadline' when the whole run's
 * deadline, check --deadline, came first). Timers are always cleared.
 */
import {ProbeFailure} from './failure.js'

export class PhaseClock {
  readonly phaseTimeoutMs: number
  readonly deadlineAt: number
  private readonly onTimeout: () => void

  /** True when the deadline is the whole run's (check --deadline), not this probe's own. */
  readonly runDeadline: boolean

  constructor(phaseTimeoutMs: number, deadlineMs: number, onTimeout: () => void, runDeadlineAt?: number) {
    this.phaseTimeoutMs = phaseTimeoutMs
    const own = Date.now() + deadlineMs
    this.runDeadline = runDeadlineAt !== undefined && runDeadlineAt < own
    this.deadlineAt = this.runDeadline ? runDeadlineAt! : own
    this.onTimeout = onTimeout
  }

  /** Milliseconds left before the probe's deadline. */
  remaining(): number {
    return Math.max(0, this.deadlineAt - Date.now())
  }

  /** Runs `work` bounded by the phase limit and the deadline. */
  phase<T>(name: string, work: () => Promise<T>): Promise<T> {
    const remaining = this.remaining()
    const global = remaining < this.phaseTimeoutMs
    const limit = global ? remaining : this.phaseTimeoutMs
    return new Promise<T>((resolve, reject) => {
      let settled = false
      const timer = setTimeout(() => {
        if (settled) return
        settled = true
        const failure = global
          ? this.runDeadline
            ? new ProbeFailure('deadline', name, `the run's --deadline ran out during ${name}`, {global: true})
            : new ProbeFailure('timeout', name, `the probe's overall deadline ran out during ${name}`, {global: true})
          : new ProbeFailure('timeout', name, `no answer within ${this.phaseTimeoutMs} ms during ${name}`)
        reject(failure)
        this.onTimeout()
      }, limit)
      work().then(
        (value) => {
          if (settled) return
          settled = true
          clearTimeout(timer)
          resolve(value)
        },
        (error: unknown) => {
          if (settled) return
          settled = true
          clearTimeout(timer)
          reject(error)
        },
      )
    })
  }
}
