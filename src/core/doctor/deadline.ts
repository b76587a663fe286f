/**
 * The per-address deadline of doctor (--deadline, default DEFAULT_DEADLINE_SECONDS): besides each
 * step's own --timeout, everything one address does (every client's HTTP requests, DNS queries,
 * guess probes, and the server probes afterwards) ends by then. Work still running at the deadline,
 * or asked for after it, is cut at once: its step reports result `cut` and the client gets
 * `discovery-deadline-exceeded` (nothing is known about what it would have found).
 */
export const DEFAULT_DEADLINE_SECONDS = 120

export class Deadline {
  /** Date.now() ms at which the address's time is up. */
  readonly at: number

  constructor(
    readonly seconds: number,
    start = Date.now(),
  ) {
    this.at = start + seconds * 1000
  }

  remainingMs(): number {
    return Math.max(0, this.at - Date.now())
  }

  get passed(): boolean {
    return Date.now() >= this.at
  }

  /** `work`'s value, or `cut()` when the deadline comes first (the work is left to end on its own bound). */
  race<T>(work: Promise<T>, cut: () => T): Promise<T> {
    const left = this.remainingMs()
    if (left <= 0) return Promise.resolve(cut())
    let timer: NodeJS.Timeout | undefined
    const expiry = new Promise<T>((resolve) => {
      timer = setTimeout(() => resolve(cut()), left)
    })
    return Promise.race([work, expiry]).finally(() => clearTimeout(timer))
  }

  /** The words a cut step's detail ends with. */
  get detail(): string {
    return `cut: doctor's ${this.seconds} s deadline for this address ran out`
  }
}
