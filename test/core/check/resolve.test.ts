import {describe, expect, it} from 'vitest'

import {ResolveMap, parseResolve} from '../../../src/core/check/resolve.js'
import {InputError} from '../../../src/core/errors.js'

describe('parseResolve (curl --resolve HOST:PORT:ADDRESS)', () => {
  it('parses IPv4 and bracketed IPv6 addresses', () => {
    expect(parseResolve('mail.example.com:993:192.0.2.10')).toMatchObject({host: 'mail.example.com', port: 993, address: '192.0.2.10'})
    expect(parseResolve('Mail.Example.com.:465:[2001:db8::1]')).toMatchObject({host: 'mail.example.com', port: 465, address: '2001:db8::1'})
    expect(parseResolve('[2001:db8::5]:993:[::1]')).toMatchObject({host: '2001:db8::5', port: 993, address: '::1'})
    expect(parseResolve('+mail.example.com:993:127.0.0.1')).toMatchObject({host: 'mail.example.com', address: '127.0.0.1'})
  })

  it.each([
    ['mail.example.com:993', /expected HOST:PORT:ADDRESS/],
    ['mail.example.com:99999:127.0.0.1', /port must be a number/],
    ['mail.example.com:imap:127.0.0.1', /port must be a number/],
    ['mail.example.com:993:mail.other.com', /not an IP address/],
    ['mail.example.com:993:2001:db8::1', /in brackets/],
    ['mail.example.com:993:127.0.0.1,127.0.0.2', /one address/],
    [':993:127.0.0.1', /expected HOST:PORT:ADDRESS/],
  ])('rejects %s', (text, message) => {
    expect(() => parseResolve(text)).toThrow(InputError)
    expect(() => parseResolve(text)).toThrow(message)
  })
})

describe('ResolveMap', () => {
  it('sets the address on targets whose host and port match, and reports unused entries', () => {
    const map = ResolveMap.parse(['mail.example.test:993:127.0.0.1', 'smtp.example.test:465:127.0.0.2'])
    const hit = map.apply({host: 'MAIL.example.test', port: 993, protocol: 'imap', security: 'ssl'})
    expect(hit).toEqual({host: 'MAIL.example.test', port: 993, protocol: 'imap', security: 'ssl', address: '127.0.0.1'})
    const miss = map.apply({host: 'mail.example.test', port: 143, protocol: 'imap', security: 'starttls'})
    expect(miss.address).toBeUndefined()
    expect(map.unused().map((e) => e.text)).toEqual(['smtp.example.test:465:127.0.0.2'])
  })

  it('matches internationalized names after IDNA conversion, in either form and any case', () => {
    const map = ResolveMap.parse(['BÜCHER.example.test.:993:127.0.0.1', 'xn--mnchen-3ya.example.test:465:127.0.0.2'])
    expect(map.apply({host: 'xn--bcher-kva.example.test', port: 993, protocol: 'imap', security: 'ssl'}).address).toBe('127.0.0.1')
    expect(map.apply({host: 'münchen.example.test', port: 465, protocol: 'smtp', security: 'ssl'}).address).toBe('127.0.0.2')
    expect(map.unused()).toEqual([])
    expect(parseResolve('bücher.example.test:993:127.0.0.1').host).toBe('xn--bcher-kva.example.test')
  })
})
