import {describe, expect, it} from 'vitest'

import {renderJson} from '../../src/render/json.js'

describe('renderJson', () => {
  it('prints one document with the documented top-level fields, findings sorted by position', () => {
    const text = renderJson(
      {
        command: 'lint',
        inputErrors: [],
        data: {files: [{file: 'x.yaml', ok: true, findings: 2}]},
        findings: [
          {code: 'b', severity: 'warning', message: 'm', source: {file: 'x.yaml', line: 9, column: 1}},
          {code: 'a', severity: 'error', message: 'm', source: {file: 'x.yaml', line: 2, column: 1}},
        ],
      },
      {version: '1.2.3', exitCode: 1},
    )
    const doc = JSON.parse(text)
    expect(Object.keys(doc)).toEqual(['schemaVersion', 'tool', 'version', 'command', 'exitCode', 'summary', 'findings', 'inputErrors', 'files'])
    expect(doc.summary).toEqual({error: 1, warning: 1, info: 0})
    expect(doc.findings.map((f: {code: string}) => f.code)).toEqual(['a', 'b'])
    expect(text.endsWith('\n')).toBe(true)
  })
})
