import type {SourceLocation} from './findings.js'

/**
 * Input that cannot be used at all: a missing or unreadable file, a syntax error,
 * a usage mistake. Commands turn it into one clear line on stderr and exit status 2.
 */
export class InputError extends Error {
  readonly location?: SourceLocation

  constructor(message: string, location?: SourceLocation) {
    super(message)
    this.name = 'InputError'
    this.location = location
  }

  /** `file:line:col: message`, or just the message. */
  describe(): string {
    const loc = this.location
    if (!loc) return this.message
    const where = loc.line === undefined ? loc.file : loc.column === undefined ? `${loc.file}:${loc.line}` : `${loc.file}:${loc.line}:${loc.column}`
    return `${where}: ${this.message}`
  }
}
