import {describe, expect, it} from 'vitest'

import {exitCodeFor, formatWhere, sortFindings, type Finding} from '../../src/core/findings.js'

const f = (severity: Finding['severity'], extra: Partial<Finding> = {}): Finding => ({code: 'x', severity, message: 'm', ...extra})

describe('exitCodeFor', () => {
  it('is 0 without errors, 1 with errors, and counts warnings only when strict', () => {
    expect(exitCodeFor([])).toBe(0)
    expect(exitCodeFor([f('warning'), f('info')])).toBe(0)
    expect(exitCodeFor([f('warning')], {strict: true})).toBe(1)
    expect(exitCodeFor([f('info')], {strict: true})).toBe(0)
    expect(exitCodeFor([f('error')])).toBe(1)
  })
})

describe('formatWhere and sortFindings', () => {
  it('formats file:line:col and host:port', () => {
    expect(formatWhere(f('error', {source: {file: 'a.yaml', line: 3, column: 7}}))).toBe('a.yaml:3:7')
    expect(formatWhere(f('error', {endpoint: {host: 'h', port: 993}}))).toBe('h:993')
  })
  it('orders by file, line, column, then severity', () => {
    const sorted = sortFindings([
      f('info', {code: 'c', source: {file: 'a', line: 2, column: 1}}),
      f('warning', {code: 'b', source: {file: 'a', line: 1, column: 1}}),
      f('error', {code: 'a', source: {file: 'a', line: 1, column: 1}}),
    ])
    expect(sorted.map((x) => x.code)).toEqual(['a', 'b', 'c'])
  })
})
