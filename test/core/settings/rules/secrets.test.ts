import fc from 'fast-check'
import {describe, expect, it} from 'vitest'

import {parseSource} from '../../../../src/core/settings/document.js'
import {findSecrets, isSecretKey} from '../../../../src/core/settings/rules/secrets.js'

describe('isSecretKey', () => {
  it.each(['password', 'Password', 'passwd', 'pass', 'pwd', 'secret', 'clientSecret', 'smtpPassword', 'user_pass', 'passphrase', 'token', 'apiKey', 'api-key', 'SMTP_PASSWORD'])('%s is a secret', (key) => {
    expect(isSecretKey(key)).toBe(true)
  })

  it.each(['passphraseEnv', 'PASSWORD_ENV', 'passport', 'bypass', 'compass', 'host', 'port', 'username', 'login', 'authentication', 'pins', 'key', 'certificate'])('%s is not', (key) => {
    expect(isSecretKey(key)).toBe(false)
  })
})

describe('isSecretKey against its regular expressions alone', () => {
  // The quick test for the parts of secret words must never let a key past that the expressions match.
  const SECRET_WORD = /(?:^|[^a-z])(?:pass(?:word|wd|phrase)?|pwd|secret|token|api[-_]?key|private[-_]?key[-_]?(?:pem|data))(?:$|[^a-z])/i
  const byExpressions = (key: string) => !/env$/i.test(key) && SECRET_WORD.test(key.replace(/([a-z0-9])([A-Z])/g, '$1_$2'))
  it('gives the same answer for keys made of secret words, their neighbours and separators', () => {
    const part = fc.constantFrom('pass', 'Pass', 'PASS', 'word', 'Word', 'wd', 'phrase', 'pwd', 'Secret', 'token', 'TOKEN', 'api', 'Api', 'key', 'Key', 'KEY', 'private', 'Private', 'pem', 'data', 'env', 'Env', 'smtp', 'user', 'x', '_', '-', '2', '.', ' ')
    fc.assert(
      fc.property(fc.array(part, {maxLength: 6}), (parts) => {
        const key = parts.join('')
        expect(isSecretKey(key), key).toBe(byExpressions(key))
      }),
      {numRuns: 20_000},
    )
  })
})

describe('findSecrets', () => {
  it('finds secret keys at any depth, inside lists too, without printing their values', () => {
    const doc = parseSource('version: 1\nextra:\n  - name: a\n    nested: {apiToken: abc123}\nsigning:\n  passphrase: hunter2\n  passphraseEnv: SIGNING_PASS\n', 'x.yaml')
    const findings = findSecrets(doc)
    expect(findings.map((f) => `${f.source?.line}:${f.source?.column} ${f.message.split(' holds')[0]}`)).toEqual(['4:14 "apiToken" in extra[0].nested', '6:3 "passphrase" in signing'])
    expect(JSON.stringify(findings)).not.toMatch(/abc123|hunter2/)
  })
})
