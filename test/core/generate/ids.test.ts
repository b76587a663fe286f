import {execFileSync} from 'node:child_process'

import {describe, expect, it} from 'vitest'

import {MAILPROFILE_NAMESPACE, NAMESPACE_DNS, NAMESPACE_URL, domainProfileIds, payloadUuid, safeLabel, userProfileIds, uuidV5} from '../../../src/core/generate/ids.js'
import {HAVE_PYTHON, missing} from './tools.js'

describe('uuidV5', () => {
  it('matches the RFC 9562 test vector (Appendix A.4: www.example.com in the DNS namespace)', () => {
    expect(uuidV5('www.example.com', NAMESPACE_DNS)).toBe('2ed6657d-e927-568b-95e1-2665a8aea6a2')
  })

  it('sets version 5 and the RFC variant', () => {
    const u = uuidV5('com.example.mail.profile', MAILPROFILE_NAMESPACE)
    expect(u[14]).toBe('5')
    expect(['8', '9', 'a', 'b']).toContain(u[19])
  })

  it.skipIf(missing(HAVE_PYTHON))("agrees with Python's uuid.uuid5 for mailprofile's namespace and for Unicode names", () => {
    const names = ['https://github.com/mailprofile/mailprofile', 'com.example.mail.user.zoë.account.imap', 'a & b']
    const ours = [uuidV5(names[0]!, NAMESPACE_URL), ...names.slice(1).map((n) => uuidV5(n, MAILPROFILE_NAMESPACE))]
    const script = `import uuid,sys,json
names=json.loads(sys.argv[1])
print(json.dumps([str(uuid.uuid5(uuid.NAMESPACE_URL, names[0]))]+[str(uuid.uuid5(uuid.UUID(sys.argv[2]), n)) for n in names[1:]]))`
    const theirs = JSON.parse(execFileSync('python3', ['-c', script, JSON.stringify(names), MAILPROFILE_NAMESPACE], {encoding: 'utf8'}))
    expect(ours).toEqual(theirs)
    // The namespace constant is what the comment says it is.
    expect(MAILPROFILE_NAMESPACE).toBe(theirs[0])
  })

  it.skipIf(missing(HAVE_PYTHON))("payloadUuid is Python's uuid.uuid5 in upper case, for many names (ASCII, Unicode, long)", () => {
    const names = Array.from({length: 300}, (_, i) => {
      const pieces = ['com.example.mail', '.user.', 'zoë', '😀', 'a-b', String(i), 'ü'.repeat(i % 7), 'x'.repeat((i * 37) % 700)]
      return pieces.slice(0, 2 + (i % pieces.length)).join(i % 3 === 0 ? '.' : '')
    })
    const ours = names.map((n) => payloadUuid(n))
    const script = `import uuid,sys,json
names=json.load(sys.stdin)
print(json.dumps([str(uuid.uuid5(uuid.UUID(sys.argv[1]), n)).upper() for n in names]))`
    const theirs = JSON.parse(execFileSync('python3', ['-c', script, MAILPROFILE_NAMESPACE], {input: JSON.stringify(names), encoding: 'utf8'}))
    expect(ours).toEqual(theirs)
    expect(names.map((n) => uuidV5(n, MAILPROFILE_NAMESPACE).toUpperCase())).toEqual(theirs)
  })

  it('payloadUuid is upper-case and stable', () => {
    expect(payloadUuid('com.example.mail.profile')).toBe(payloadUuid('com.example.mail.profile'))
    expect(payloadUuid('com.example.mail.profile')).toMatch(/^[0-9A-F]{8}-[0-9A-F]{4}-5[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}$/)
    expect(payloadUuid('com.example.mail.profile')).not.toBe(payloadUuid('com.example.mail.profile.account.imap'))
  })
})

describe('identifiers', () => {
  it('are reverse-DNS and distinct per payload', () => {
    const d = domainProfileIds('com.example.mail.com.example')
    const u = userProfileIds('com.example.mail.com.example', 'alice@example.com')
    expect(d.profile).toBe('com.example.mail.com.example.profile')
    expect(d.account('imap')).toBe('com.example.mail.com.example.profile.account.imap')
    expect(u.profile).toBe('com.example.mail.com.example.user.alice')
    expect(u.certificate('ab'.repeat(32))).toBe('com.example.mail.com.example.user.alice.ca.abababababababab')
    expect(new Set([d.profile, d.account('imap'), u.profile, u.account('imap')]).size).toBe(4)
  })

  it('escape local parts into labels without collisions', () => {
    expect(safeLabel('alice')).toBe('alice')
    const variants = ['a.b', 'a-b', 'A.b', 'a+b', 'a_b', 'a b', 'zoë', 'zoe']
    const labels = variants.map(safeLabel)
    expect(new Set(labels).size).toBe(variants.length)
    for (const l of labels) expect(l).toMatch(/^[a-z0-9-]+$/)
    expect(safeLabel('a-b')).toBe('a-b')
    expect(safeLabel('a.b')).toMatch(/^a-b-[0-9a-f]{8}$/)
  })
})
