import {PassThrough} from 'node:stream'

import {describe, expect, it} from 'vitest'

import {ProbeFailure} from '../../../src/core/net/failure.js'
import {LineReader} from '../../../src/core/net/line-reader.js'

function setup(limits = {}) {
  const stream = new PassThrough()
  return {stream, reader: new LineReader(stream, limits)}
}

describe('LineReader', () => {
  it('splits CRLF and bare LF lines across chunk boundaries', async () => {
    const {stream, reader} = setup()
    stream.write('* OK he')
    stream.write('llo\r\n+OK two\nthree\r')
    stream.write('\n')
    expect(await reader.readLine()).toBe('* OK hello')
    expect(await reader.readLine()).toBe('+OK two')
    expect(await reader.readLine()).toBe('three')
    expect(reader.buffered).toBe(0)
  })

  it('waits for a line that has not arrived yet', async () => {
    const {stream, reader} = setup()
    const pending = reader.readLine()
    setTimeout(() => stream.write('220 ready\r\n'), 10)
    expect(await pending).toBe('220 ready')
  })

  it('fails on a line longer than maxLineBytes, without buffering the rest', async () => {
    const {stream, reader} = setup({maxLineBytes: 16})
    stream.write('x'.repeat(10))
    stream.write('y'.repeat(10))
    await expect(reader.readLine()).rejects.toMatchObject({kind: 'protocol', message: expect.stringContaining('longer than 16 bytes')})
    // a long line that does end in LF is refused too
    const second = setup({maxLineBytes: 16})
    second.stream.write('z'.repeat(40) + '\r\n')
    await expect(second.reader.readLine()).rejects.toBeInstanceOf(ProbeFailure)
  })

  it('fails when one reply exceeds maxResponseBytes or maxResponseLines; beginResponse resets the count', async () => {
    const bytes = setup({maxResponseBytes: 100})
    bytes.reader.phase = 'EHLO'
    bytes.stream.write('250-aaaaaaaaaaaaaaaaaaaaaaaa\r\n'.repeat(5))
    await expect(bytes.reader.readLine()).rejects.toMatchObject({message: expect.stringMatching(/reply to EHLO exceeded 100 bytes/)})

    const lines = setup({maxResponseLines: 3})
    lines.stream.write('a\r\nb\r\nc\r\n')
    for (const l of ['a', 'b', 'c']) expect(await lines.reader.readLine()).toBe(l)
    lines.reader.beginResponse()
    lines.stream.write('d\r\ne\r\nf\r\n')
    expect(await lines.reader.readLine()).toBe('d')
    lines.stream.write('g\r\n')
    for (const l of ['e', 'f']) expect(await lines.reader.readLine()).toBe(l)
    await expect(lines.reader.readLine()).rejects.toMatchObject({message: expect.stringMatching(/more than 3 lines/)})
  })

  it('a close before any byte is a connect failure; a close mid-dialog is a protocol failure', async () => {
    const silent = setup()
    silent.stream.end()
    silent.stream.resume()
    await expect(silent.reader.readLine()).rejects.toMatchObject({kind: 'connect'})

    const talky = setup()
    talky.reader.phase = 'CAPA'
    talky.stream.write('+OK\r\n')
    expect(await talky.reader.readLine()).toBe('+OK')
    const next = talky.reader.readLine()
    talky.stream.destroy()
    await expect(next).rejects.toMatchObject({kind: 'protocol', message: expect.stringMatching(/in the middle of the dialog, during CAPA/)})
  })

  it('detach stops reading and reports what was left unread', async () => {
    const {stream, reader} = setup()
    stream.write('a1 OK begin TLS\r\nINJECTED\r\n')
    expect(await reader.readLine()).toBe('a1 OK begin TLS')
    reader.detach()
    expect(reader.buffered).toBeGreaterThan(0)
    expect(stream.listenerCount('data')).toBe(0)
  })
})
