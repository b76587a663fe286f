import {describe, expect, it} from 'vitest'

import {analyzeAddress, analyzeName, isIpv6} from '../../../src/core/settings/names.js'

describe('analyzeName', () => {
  it('accepts ordinary host names and lower-cases them', () => {
    expect(analyzeName('IMAP.Example.COM')).toMatchObject({ascii: 'imap.example.com', idn: false, singleLabel: false})
    expect(analyzeName('IMAP.Example.COM').problem).toBeUndefined()
  })

  it.each([
    ['imap.example.com:993', 'port'],
    ['imaps://imap.example.com', 'url'],
    ['imap example.com', 'whitespace'],
    ['imap..example.com', 'empty-label'],
    ['.example.com', 'empty-label'],
    ['-imap.example.com', 'bad-label'],
    ['imap_1.example.com', 'bad-label'],
    [`${'a'.repeat(64)}.example.com`, 'label-too-long'],
    [`${'abcdefghi.'.repeat(26)}com`, 'too-long'],
    ['1.2.3.999', 'numeric-tld'],
    ['', 'empty'],
  ])('refuses %j (%s)', (name, kind) => {
    expect(analyzeName(name).problem?.kind).toBe(kind)
  })

  it('normalizes IDNs to punycode (A-labels)', () => {
    expect(analyzeName('mail.münchen.de')).toMatchObject({idn: true, ascii: 'mail.xn--mnchen-3ya.de'})
    expect(analyzeName('xn--mnchen-3ya.de')).toMatchObject({idn: false, ascii: 'xn--mnchen-3ya.de'})
  })

  it('recognizes IP literals', () => {
    expect(analyzeName('192.0.2.1').ip).toBe('ipv4')
    expect(analyzeName('2001:db8::25').ip).toBe('ipv6')
    expect(analyzeName('[2001:db8::25]').ip).toBe('ipv6')
    expect(analyzeName('::ffff:192.0.2.1').ip).toBe('ipv6')
    expect(isIpv6('1:2:3:4:5:6:7:8:9')).toBe(false)
    expect(isIpv6('2001:db8:::1')).toBe(false)
    expect(analyzeName('256.0.2.1').ip).toBeUndefined()
  })

  it('notes a trailing dot and single labels', () => {
    expect(analyzeName('mail.example.com.')).toMatchObject({trailingDot: true, ascii: 'mail.example.com'})
    expect(analyzeName('mail.example.com.').problem).toBeUndefined()
    expect(analyzeName('mailhost').singleLabel).toBe(true)
  })
})

describe('analyzeAddress', () => {
  it.each(['jane@example.com', 'jane.doe+mail@example.com', "o'brien@example.ie", 'jörg@bücher.example'])('accepts %s', (a) => {
    expect(analyzeAddress(a).problem).toBeUndefined()
  })

  it.each(['jane', '@example.com', 'jane@', 'jane..doe@example.com', '.jane@example.com', 'jane doe@example.com', 'jane@localhost', 'jane@example.com.', 'jane@192.0.2.1', `${'x'.repeat(65)}@example.com`])('refuses %j', (a) => {
    expect(analyzeAddress(a).problem).toBeDefined()
  })

  it('compares addresses case-insensitively, with the domain in A-labels', () => {
    expect(analyzeAddress('Jane@Bücher.Example').key).toBe(analyzeAddress('jane@xn--bcher-kva.example').key)
  })
})
