import {PassThrough} from 'node:stream'

import {describe, expect, it} from 'vitest'

import {Channel, isCredentialCommand} from '../../../src/core/net/channel.js'
import {PhaseClock} from '../../../src/core/net/clock.js'

describe('Channel', () => {
  it('refuses to send anything that carries credentials', () => {
    const stream = new PassThrough()
    const written: string[] = []
    stream.on('data', (c: Buffer) => written.push(c.toString()))
    const channel = new Channel(stream, new PhaseClock(1000, 1000, () => {}))
    for (const line of ['a1 LOGIN user pass', 'a1 AUTHENTICATE PLAIN', 'AUTH PLAIN dXNlcg==', 'USER bob', 'PASS secret', 'APOP bob 123']) {
      expect(isCredentialCommand(line)).toBe(true)
      expect(() => channel.exchange('x', line, async () => 1)).toThrow(/refusing to send credentials/)
    }
    for (const line of ['a1 CAPABILITY', 'CAPA', 'EHLO mailprofile.invalid', 'STARTTLS', 'STLS', 'QUIT', 'a9 LOGOUT']) expect(isCredentialCommand(line)).toBe(false)
    expect(written).toEqual([])
  })
})
