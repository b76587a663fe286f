import {build, parse} from 'plist'
import {describe, expect, it} from 'vitest'

import {buildPlistXml} from '../../../src/core/generate/plist-xml.js'
import {HAVE_PYTHON, missing, normalizePlistJs, plistlibParse} from './tools.js'

const VALUE = {
  a: 'line1\nline2\ttab',
  b: '  spaced  ',
  c: '',
  d: 1,
  e: 1.5,
  f: true,
  g: false,
  h: Buffer.from('hello'),
  i: new Date('2030-01-01T00:00:00Z'),
  j: [1, 'x', {k: 'v'}],
  l: {},
  m: [],
  n: `a & < > " ' ]]> 😀 שלום \u202E`,
  PayloadVersion: 1,
}

describe('buildPlistXml', () => {
  const ours = buildPlistXml(VALUE)

  it("writes what the plist package's builder writes (apart from escaping quotes, which XML allows either way)", () => {
    expect(ours.replaceAll('&quot;', '"').replaceAll('&apos;', "'")).toBe(build(VALUE as never) + '\n')
  })

  it.skipIf(missing(HAVE_PYTHON))('is read back exactly by Python plistlib and by plist', () => {
    expect(plistlibParse(Buffer.from(ours))).toEqual(normalizePlistJs(VALUE))
    expect(normalizePlistJs(parse(ours))).toEqual(normalizePlistJs(VALUE))
  })

  it('refuses what a plist cannot hold', () => {
    expect(() => buildPlistXml({x: 'a\u0008b'}, 'profile')).toThrow(/profile\.x holds U\+0008/)
    expect(() => buildPlistXml({x: Number.NaN})).toThrow(/cannot hold NaN/)
  })
})
