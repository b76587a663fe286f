import {execFileSync} from 'node:child_process'
import {readdirSync, readFileSync} from 'node:fs'

import {describe, expect, it} from 'vitest'

import {PlistSyntaxError, readXmlPlist} from '../../../src/core/inspect/plist-xml.js'

const FIXTURES = new URL('../../fixtures/inspect/', import.meta.url)

/** Python's plistlib as the independent reader: values as JSON (data as {data: base64}, dates as {date: iso}). */
function plistlib(path: string): unknown {
  const script = `
import json, plistlib, sys, base64, datetime
def conv(v):
    if isinstance(v, bytes): return {"data": base64.b64encode(v).decode()}
    if isinstance(v, datetime.datetime): return {"date": v.strftime("%Y-%m-%dT%H:%M:%SZ")}
    if isinstance(v, dict): return {k: conv(x) for k, x in v.items()}
    if isinstance(v, list): return [conv(x) for x in v]
    return v
print(json.dumps(conv(plistlib.load(open(sys.argv[1], "rb")))))
`
  return JSON.parse(execFileSync('python3', ['-c', script, path]).toString())
}

function asJson(v: unknown): unknown {
  if (v instanceof Uint8Array) return {data: Buffer.from(v).toString('base64')}
  if (v instanceof Date) return {date: v.toISOString().replace(/\.\d{3}Z$/, 'Z')}
  if (Array.isArray(v)) return v.map(asJson)
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, asJson(x)]))
  return v
}

describe('readXmlPlist', () => {
  const xmlFixtures = readdirSync(FIXTURES).filter((f) => f.endsWith('.mobileconfig') && !['binary.mobileconfig', 'bplist16.mobileconfig', 'malformed.mobileconfig'].includes(f))

  it.each(xmlFixtures)('reads %s exactly as Python plistlib does', (name) => {
    const path = new URL(name, FIXTURES).pathname
    const ours = readXmlPlist(readFileSync(path, 'utf8'))
    expect(asJson(ours.value)).toEqual(plistlib(path))
  })

  it('keeps what a lenient reader loses: <real> positions and duplicate keys', () => {
    const r = readXmlPlist('<plist version="1.0"><dict><key>a</key><real>1</real><key>b</key><array><real>2.5</real><integer>3</integer></array><key>a</key><real>4.0</real><key>x/y</key><integer>-7</integer></dict></plist>')
    expect(r.value).toEqual({a: 4, b: [2.5, 3], 'x/y': -7})
    expect(r.reals).toEqual(['/a', '/b/0', '/a'])
    expect(r.duplicateKeys).toEqual(['/a'])
  })

  it('decodes entities and character references once, keeps whitespace and CDATA', () => {
    const r = readXmlPlist('<plist><dict><key>k &amp; v</key><string>  &lt;&#233;&#x1F600;&amp;lt; <![CDATA[<raw&amp;>]]></string><key>e</key><string/></dict></plist>')
    expect(r.value).toEqual({'k & v': '  <é😀&lt; <raw&amp;>', e: ''})
  })

  it('gives a key named __proto__ no special meaning', () => {
    const r = readXmlPlist('<plist><dict><key>__proto__</key><dict><key>polluted</key><true/></dict></dict></plist>')
    expect(Object.keys(r.value as object)).toEqual(['__proto__'])
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })

  it.each([
    ['<plist><dict><key>a</key><integer>abc</integer></dict></plist>', /not a whole number/],
    ['<plist><dict><key>a</key></dict></plist>', /has no value/],
    ['<plist><dict><string>x</string></dict></plist>', /where a <key> belongs/],
    ['<plist><dict><key>a</key><foo/></dict></plist>', /not a property list element/],
    ['<plist><dict><key>a</key><string>x</dict></plist>', /closing tag/],
    ['<plist><string>&nbsp;</string></plist>', /unknown entity &nbsp;/],
    ['<!DOCTYPE plist [<!ENTITY a "aaaa">]><plist><string>&a;</string></plist>', /declares XML entities/],
    ['<plist><date>yesterday</date></plist>', /not an ISO 8601/],
    ['<plist><data>***</data></plist>', /not base64/],
    ['<plist><true/><false/></plist>', /exactly one value/],
    ['<dict/>', /root element is not <plist>/],
    [`<plist>${'<array>'.repeat(20_000)}${'</array>'.repeat(20_000)}</plist>`, /nested|deep/i],
  ])('refuses %s', (xml, message) => {
    expect(() => readXmlPlist(xml)).toThrow(PlistSyntaxError)
    expect(() => readXmlPlist(xml)).toThrow(message)
  })

  it('reports the line and column of XML syntax errors', () => {
    try {
      readXmlPlist('<plist>\n<dict>\n  <key>a</key><string>x</dict>\n</plist>')
      expect.unreachable()
    } catch (error) {
      expect((error as PlistSyntaxError).line).toBe(3)
    }
  })
})
