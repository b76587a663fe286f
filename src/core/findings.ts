/**
 * Findings: what every command reports. A finding has a stable kebab-case `code`
 * (documented in the README, never renamed), a severity, a message that says what
 * the user will see, a fix, and where it comes from (a source position or an endpoint).
 */
export type Severity = 'error' | 'warning' | 'info'

export const SEVERITIES: readonly Severity[] = ['error', 'warning', 'info']

/** A position in an input file. `line` and `column` are 1-based. */
export interface SourceLocation {
  file: string
  line?: number
  column?: number
  /** JSON pointer of the value inside the settings document, when known. */
  pointer?: string
}

/** A network endpoint a finding is about. */
export interface EndpointRef {
  host: string
  port: number
  protocol?: string
  security?: string
  /** The address actually connected to, when it differs from the host (see --resolve). */
  address?: string
}

export interface Finding {
  code: string
  severity: Severity
  /** What the user will see and why; one or two sentences. */
  message: string
  /** How to fix it. */
  fix?: string
  source?: SourceLocation
  endpoint?: EndpointRef
}

/** One entry in the registry of codes (see src/core/codes.ts). */
export interface CodeInfo {
  code: string
  severity: Severity
  /** One line: what the finding means. */
  title: string
  /** Why it matters (what users or devices experience). */
  why: string
  /** The usual fix. */
  fix: string
}

export interface FindingCounts {
  error: number
  warning: number
  info: number
}

export function countFindings(findings: readonly Finding[]): FindingCounts {
  const counts: FindingCounts = {error: 0, warning: 0, info: 0}
  for (const f of findings) counts[f.severity]++
  return counts
}

/** Exit status convention shared by every command: 0 clean, 1 error-level findings, 2 usage or unreadable input. */
export const EXIT_OK = 0
export const EXIT_FINDINGS = 1
export const EXIT_USAGE = 2

export function exitCodeFor(findings: readonly Finding[], options: {strict?: boolean} = {}): number {
  const counts = countFindings(findings)
  if (counts.error > 0) return EXIT_FINDINGS
  if (options.strict && counts.warning > 0) return EXIT_FINDINGS
  return EXIT_OK
}

const severityRank: Record<Severity, number> = {error: 0, warning: 1, info: 2}

/** Stable order: by file, line, column, then severity, then code. */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  return [...findings].sort((a, b) => {
    const fa = a.source?.file ?? ''
    const fb = b.source?.file ?? ''
    if (fa !== fb) return fa < fb ? -1 : 1
    const la = a.source?.line ?? 0
    const lb = b.source?.line ?? 0
    if (la !== lb) return la - lb
    const ca = a.source?.column ?? 0
    const cb = b.source?.column ?? 0
    if (ca !== cb) return ca - cb
    const ea = a.endpoint ? `${a.endpoint.host}:${a.endpoint.port}` : ''
    const eb = b.endpoint ? `${b.endpoint.host}:${b.endpoint.port}` : ''
    if (ea !== eb) return ea < eb ? -1 : 1
    if (a.severity !== b.severity) return severityRank[a.severity] - severityRank[b.severity]
    return a.code < b.code ? -1 : a.code > b.code ? 1 : 0
  })
}

/** Formats a position in an input file: `file`, `file:line` or `file:line:col`. */
export function formatSource({file, line, column}: SourceLocation): string {
  if (line === undefined) return file
  return column === undefined ? `${file}:${line}` : `${file}:${line}:${column}`
}

/** Formats where a finding comes from: `file:line:col` or `host:port`. */
export function formatWhere(f: Finding): string {
  if (f.source) return formatSource(f.source)
  if (f.endpoint) return `${f.endpoint.host}:${f.endpoint.port}`
  return ''
}

/** What a call site says about one finding; severity and the default fix come from the registry. */
export interface FindingDetails {
  message: string
  /** Overrides the registry's default fix when this case needs a more precise one. */
  fix?: string
  source?: SourceLocation
  endpoint?: EndpointRef
}
