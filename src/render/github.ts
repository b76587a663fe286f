import {sortFindings, type Finding} from '../core/findings.js'
import type {Report} from './report.js'

// GitHub Actions workflow commands: https://docs.github.com/actions/reference/workflow-commands-for-github-actions
const escapeData = (s: string) => s.replaceAll('%', '%25').replaceAll('\r', '%0D').replaceAll('\n', '%0A')
const escapeProperty = (s: string) => escapeData(s).replaceAll(':', '%3A').replaceAll(',', '%2C')

const commandFor: Record<Finding['severity'], string> = {error: 'error', warning: 'warning', info: 'notice'}

/** One annotation per finding (and per unusable input). */
export function renderGithub(report: Report): string {
  const lines: string[] = []
  for (const p of report.inputErrors) {
    const props = [p.file ? `file=${escapeProperty(p.file)}` : '', p.line ? `line=${p.line}` : '', p.column ? `col=${p.column}` : '', 'title=unreadable-input'].filter(Boolean)
    lines.push(`::error ${props.join(',')}::${escapeData(p.message)}`)
  }
  for (const f of sortFindings(report.findings)) {
    const props: string[] = []
    if (f.source) {
      props.push(`file=${escapeProperty(f.source.file)}`)
      if (f.source.line !== undefined) props.push(`line=${f.source.line}`)
      if (f.source.column !== undefined) props.push(`col=${f.source.column}`)
    }
    const where = f.endpoint ? `${f.endpoint.host}:${f.endpoint.port} ` : ''
    props.push(`title=${escapeProperty(`${where}${f.code}`)}`)
    const body = f.fix ? `${f.message} Fix: ${f.fix}` : f.message
    lines.push(`::${commandFor[f.severity]} ${props.join(',')}::${escapeData(body)}`)
  }
  return lines.length ? lines.join('\n') + '\n' : ''
}
