import type {BuildReport} from '../core/app/build.js'
import {renderCheckSections} from './check-text.js'
import type {Style} from './style.js'

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`

/** `build`'s text before the findings: the live check's blocks (--check), then what was written or why nothing was. */
export function buildSections(report: BuildReport, outShown: string): (style: Style) => string[] {
  return (style) => {
    const sections = report.check ? renderCheckSections(report.check, style) : []
    if (outShown === '-') return sections
    const w = report.written
    if (!w) return [...sections, 'Nothing was written: fix the errors below and run build again.\n']
    const counts = w.byKind.map(([k, n]) => `${n} ${k}`).join(', ')
    const signed = w.byKind.some(([k]) => k === 'mobileconfig') ? `; profiles ${w.signed ? 'signed' : 'unsigned'}` : ''
    sections.push(`Wrote ${plural(w.files, 'file')} to ${outShown} (${counts}${signed}) and ${outShown}/${w.manifest}.\n`)
    const pruned = report.data.pruned
    if (pruned.length > 0) sections.push(`Removed ${plural(pruned.length, 'file')} an earlier build wrote that these settings no longer produce: ${pruned.join(', ')}.\n`)
    return sections
  }
}
