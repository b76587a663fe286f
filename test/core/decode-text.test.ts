// decodeText (src/core/files.ts) validates and decodes without TextDecoder: it must accept, refuse
// and return exactly what TextDecoder('utf-8', {fatal: true}) did, BOMs included.
import fc from 'fast-check'
import {describe, expect, it} from 'vitest'

import {decodeText} from '../../src/core/files.js'

function reference(bytes: Uint8Array): string | 'refused' {
  let text: string
  try {
    text = new TextDecoder('utf-8', {fatal: true}).decode(bytes)
  } catch {
    return 'refused'
  }
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text
}

function decoded(bytes: Uint8Array): string | 'refused' {
  try {
    return decodeText(bytes, 'f.yaml')
  } catch (error) {
    expect((error as Error).message).toBe('file is not valid UTF-8 text')
    return 'refused'
  }
}

const CASES: number[][] = [
  [],
  [0xef, 0xbb, 0xbf],
  [0xef, 0xbb, 0xbf, 0x61],
  [0xef, 0xbb, 0xbf, 0xef, 0xbb, 0xbf, 0x61],
  [0xef, 0xbb, 0xbf, 0xef, 0xbb, 0xbf, 0xef, 0xbb, 0xbf],
  [0x61, 0xef, 0xbb, 0xbf],
  [0xc0, 0xaf], // overlong
  [0xe0, 0x80, 0xaf], // overlong
  [0xed, 0xa0, 0x80], // surrogate
  [0xf4, 0x90, 0x80, 0x80], // above U+10FFFF
  [0xf0, 0x9f, 0x98], // truncated
  [0xf0, 0x9f, 0x98, 0x80], // U+1F600
  [0xff],
  [0xc3, 0xa9, 0x0a],
]

describe('decodeText', () => {
  it('agrees with a fatal TextDecoder on edge cases', () => {
    for (const bytes of CASES) expect(decoded(new Uint8Array(bytes)), JSON.stringify(bytes)).toEqual(reference(new Uint8Array(bytes)))
  })

  it('agrees with a fatal TextDecoder on any bytes without NUL, and on a slice of a larger buffer', () => {
    const byte = fc.integer({min: 1, max: 255})
    const text = fc.string({unit: 'binary'}).map((s) => [...Buffer.from(s.replaceAll('\0', ''), 'utf8')])
    fc.assert(
      fc.property(fc.array(fc.oneof(byte, fc.constantFrom(0xef, 0xbb, 0xbf, 0xc3, 0xa9, 0xed, 0xf4)), {maxLength: 24}), text, (noise, valid) => {
        for (const bytes of [noise, valid, [0xef, 0xbb, 0xbf, ...valid]]) {
          const whole = new Uint8Array([0x41, ...bytes, 0x42])
          const slice = whole.subarray(1, whole.length - 1)
          expect(decoded(slice)).toEqual(reference(slice))
        }
      }),
      {numRuns: 3000},
    )
  })
})
