import {countFindings, formatWhere, sortFindings, type Finding} from '../core/findings.js'
import type {Report} from './report.js'
import type {Style} from './style.js'

function severityLabel(f: Finding, style: Style): string {
  const text = f.severity.padEnd(7)
  return f.severity === 'error' ? style.red(text) : f.severity === 'warning' ? style.yellow(text) : style.blue(text)
}

function groupKey(f: Finding, by: 'file' | 'endpoint'): string {
  if (by === 'endpoint' && f.endpoint) return `${f.endpoint.host}:${f.endpoint.port}${f.endpoint.protocol ? ` (${f.endpoint.protocol}, ${f.endpoint.security})` : ''}`
  if (f.source) return f.source.file
  if (f.endpoint) return `${f.endpoint.host}:${f.endpoint.port}`
  return '(general)'
}

function position(f: Finding): string {
  if (f.source?.line !== undefined) return `${f.source.line}:${f.source.column ?? 1}`
  return ''
}

/** Human-readable output: findings grouped by file (or endpoint), then a summary line. */
export function renderText(report: Report, style: Style): string {
  const out: string[] = []
  const sections = typeof report.sections === 'function' ? report.sections(style) : (report.sections ?? [])
  for (const section of sections) out.push(section)
  const groups = new Map<string, Finding[]>()
  for (const f of sortFindings(report.findings)) {
    const key = groupKey(f, report.groupBy ?? 'file')
    let list = groups.get(key)
    if (!list) groups.set(key, (list = []))
    list.push(f)
  }
  for (const [key, list] of groups) {
    out.push(style.bold(key))
    for (const f of list) {
      const pos = position(f)
      out.push(`  ${pos ? style.dim(pos.padEnd(8)) : ''}${severityLabel(f, style)} ${style.bold(f.code)}  ${f.message}`)
      if (f.fix) out.push(`  ${pos ? ' '.repeat(8) : ''}${' '.repeat(8)}${style.dim('fix:')} ${f.fix}`)
    }
    out.push('')
  }
  if (report.summary === false && report.findings.length === 0 && report.inputErrors.length === 0) return out.join('\n')
  const c = countFindings(report.findings)
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`
  const unreadable = report.inputErrors.length
  const summary = `${unreadable ? `${plural(unreadable, 'input')} could not be read, ` : ''}${plural(c.error, 'error')}, ${plural(c.warning, 'warning')}, ${c.info} info`
  if (c.error > 0 || unreadable > 0) out.push(style.red(`✖ ${summary}`))
  else if (c.warning > 0) out.push(style.yellow(`⚠ ${summary}`))
  else out.push(style.green(`✔ ${summary}`))
  return out.join('\n') + '\n'
}

/** One line for stderr describing an unusable input. */
export function renderInputProblem(p: {file?: string; line?: number; column?: number; message: string}): string {
  const where = p.file ? (p.line === undefined ? p.file : `${p.file}:${p.line}${p.column === undefined ? '' : `:${p.column}`}`) : ''
  return `mailprofile: ${where ? `${where}: ` : ''}${p.message}`
}

export {formatWhere}
