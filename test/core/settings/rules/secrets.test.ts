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

describe('findSecrets', () => {
  it('finds secret keys at any depth, inside lists too, without printing their values', () => {
    const doc = parseSource('version: 1\nextra:\n  - name: a\n    nested: {apiToken: abc123}\nsigning:\n  passphrase: hunter2\n  passphraseEnv: SIGNING_PASS\n', 'x.yaml')
    const findings = findSecrets(doc)
    expect(findings.map((f) => `${f.source?.line}:${f.source?.column} ${f.message.split(' holds')[0]}`)).toEqual(['4:14 "apiToken" in extra[0].nested', '6:3 "passphrase" in signing'])
    expect(JSON.stringify(findings)).not.toMatch(/abc123|hunter2/)
  })
})
