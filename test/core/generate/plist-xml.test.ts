import fc from 'fast-check'
import {XMLBuilder} from 'fast-xml-parser'
import {build, parse} from 'plist'
import {describe, expect, it} from 'vitest'

import {buildPlistXml, fillPlistBytes, fillPlistTemplate, PLIST_ENTRY_SLOT, PLIST_SLOT, plistByteTemplate, plistTemplate} from '../../../src/core/generate/plist-xml.js'
import {findXmlInvalidCharacter} from '../../../src/core/generate/xml-text.js'
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

/** The writer used before (fast-xml-parser's XMLBuilder on a tree of nodes): the oracle for the bytes. */
function xmlBuilderPlist(value: unknown): string {
  const text = (tag: string, v: string) => ({[tag]: [{'#text': v}]})
  const toNode = (v: unknown): Record<string, unknown> => {
    if (typeof v === 'string') return text('string', v)
    if (typeof v === 'boolean') return v ? {true: []} : {false: []}
    if (typeof v === 'number') return text(Number.isInteger(v) ? 'integer' : 'real', String(v))
    if (v instanceof Uint8Array) return text('data', Buffer.from(v).toString('base64'))
    if (v instanceof Date) return text('date', v.toISOString().replace(/\.\d{3}Z$/, 'Z'))
    if (Array.isArray(v)) return {array: v.map(toNode)}
    const children: Array<Record<string, unknown>> = []
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) if (x !== undefined && x !== null) children.push(text('key', k), toNode(x))
    return {dict: children}
  }
  const builder = new XMLBuilder({preserveOrder: true, format: true, indentBy: '  ', suppressEmptyNode: true, ignoreAttributes: false, attributeNamePrefix: '@_'})
  const body = builder.build([{plist: [toNode(value)], ':@': {'@_version': '1.0'}}]) as string
  const header = '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">\n'
  return header + (body.startsWith('\n') ? body.slice(1) : body) + (body.endsWith('\n') ? '' : '\n')
}

// XML text: any code points XML 1.0 can carry, with the characters that need entities made likely.
const xmlChar = fc.oneof(fc.constantFrom('&', '<', '>', '"', "'", ' ', '\n', '\t', '\r', ']]>', '😀', 'é', '\u202E', '/>', '</'), fc.string({unit: 'binary', maxLength: 3}).filter((s) => findXmlInvalidCharacter(s) === undefined))
const xmlString = fc.array(xmlChar, {maxLength: 8}).map((parts) => parts.join(''))
const leaf = fc.oneof(
  xmlString,
  fc.boolean(),
  fc.integer(),
  fc.double({noNaN: true, noDefaultInfinity: true}),
  fc.uint8Array({maxLength: 40}).map((b) => Buffer.from(b)),
  fc.integer({min: 0, max: 4102444800}).map((s) => new Date(s * 1000)),
)
const tree = fc.letrec((tie) => ({
  value: fc.oneof({depthSize: 'small'}, leaf, tie('array'), tie('dict')),
  array: fc.array(tie('value'), {maxLength: 4}),
  dict: fc.dictionary(xmlString, fc.oneof(tie('value'), fc.constant(undefined)), {maxKeys: 5}),
})).value

describe('buildPlistXml against the XMLBuilder writer it replaced', () => {
  it('writes the same bytes for any tree', () => {
    fc.assert(
      fc.property(tree, (value) => {
        expect(buildPlistXml(value)).toBe(xmlBuilderPlist(value))
      }),
      {numRuns: 500},
    )
  })

  it('fills a template to the bytes of the whole tree', () => {
    fc.assert(
      fc.property(tree, tree, tree, (a, b, c) => {
        const template = plistTemplate({fixed: a, hole: PLIST_SLOT, list: [b, PLIST_SLOT]})
        expect(fillPlistTemplate(template, [b, c])).toBe(buildPlistXml({fixed: a, hole: b, list: [b, c]}))
      }),
      {numRuns: 300},
    )
  })

  it('fills a byte template (value and entry holes) to the UTF-8 bytes of the whole tree', () => {
    const maybe = fc.option(tree, {nil: undefined})
    fc.assert(
      fc.property(tree, tree, maybe, tree, maybe, (a, b, c, d, e) => {
        const template = plistByteTemplate({a0: a, b1: PLIST_SLOT, c2: PLIST_ENTRY_SLOT, d3: {x: PLIST_ENTRY_SLOT, y: [PLIST_SLOT]}})
        const expected = buildPlistXml({a0: a, b1: b, c2: c, d3: {x: e, y: [d]}})
        expect(fillPlistBytes(template, [b, c, e, d]).equals(Buffer.from(expected, 'utf8'))).toBe(true)
      }),
      {numRuns: 300},
    )
    expect(() => plistTemplate({a: PLIST_ENTRY_SLOT})).toThrow(/byte template/)
    expect(() => fillPlistBytes(plistByteTemplate({a: PLIST_ENTRY_SLOT}), ['x\u0001'])).toThrow()
  })

  it('refuses to fill a hole with what a plist cannot hold, and names the first bad string of a tree as before', () => {
    const template = plistTemplate({a: PLIST_SLOT})
    expect(() => fillPlistTemplate(template, ['x\u0001'])).toThrow()
    expect(() => buildPlistXml({a: Number.NaN, b: 'x\u0001'}, 'profile')).toThrow(/profile\.b holds U\+0001/)
    expect(() => buildPlistXml({'k\u0002': undefined}, 'profile')).toThrow(/profile key holds U\+0002/)
    expect(() => buildPlistXml({a: [1, Symbol('s')]}, 'profile')).toThrow(/profile\.a\[1\]: a plist cannot hold symbol/)
  })
})
