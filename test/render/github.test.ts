import {describe, expect, it} from 'vitest'

import {renderGithub} from '../../src/render/github.js'

describe('renderGithub', () => {
  it('prints one annotation per finding with file, line, col and the code as title', () => {
    const out = renderGithub({
      command: 'lint',
      inputErrors: [],
      data: {},
      findings: [
        {code: 'smtp-auth-none', severity: 'warning', message: 'a', fix: 'b', source: {file: 'x.yaml', line: 3, column: 5}},
        {code: 'security-none', severity: 'error', message: 'c', source: {file: 'x.yaml', line: 1, column: 2}},
        {code: 'host-idn', severity: 'info', message: 'd', endpoint: {host: 'mail.example.com', port: 993}},
      ],
    })
    expect(out.split('\n').filter(Boolean)).toEqual([
      '::notice title=mail.example.com%3A993 host-idn::d',
      '::error file=x.yaml,line=1,col=2,title=security-none::c',
      '::warning file=x.yaml,line=3,col=5,title=smtp-auth-none::a Fix: b',
    ])
  })

  it('escapes workflow-command metacharacters in data and properties', () => {
    const out = renderGithub({
      command: 'lint',
      inputErrors: [{file: 'a,b:c.yaml', line: 1, column: 1, message: '100%\nbroken'}],
      data: {},
      findings: [],
    })
    expect(out).toBe('::error file=a%2Cb%3Ac.yaml,line=1,col=1,title=unreadable-input::100%25%0Abroken\n')
  })
})
