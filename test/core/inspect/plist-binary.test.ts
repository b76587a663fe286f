import {execFileSync} from 'node:child_process'
import {readFileSync} from 'node:fs'

import {describe, expect, it} from 'vitest'

import {readBinaryPlist} from '../../../src/core/inspect/plist-binary.js'
import {PlistSyntaxError, readXmlPlist} from '../../../src/core/inspect/plist-xml.js'

/** Python's plistlib writes the binary plist from a Python literal (the independent writer). */
function pythonBinary(literal: string): Buffer {
  const script = `import plistlib, sys, datetime\nsys.stdout.buffer.write(plistlib.dumps(${literal}, fmt=plistlib.FMT_BINARY))`
  return execFileSync('python3', ['-c', script])
}

describe('readBinaryPlist', () => {
  it('reads what plistlib writes: every type, unicode, large and negative integers, reals, dates, data, nesting', () => {
    const buf = pythonBinary(`{
      "ascii": "hello", "unicode": "Jürgen Müller & Söhne 😀 שלום", "empty": "",
      "small": 5, "big": 70000, "huge": 2**40, "negative": -3, "max64": 2**63 - 1,
      "real": 1.0, "pi": 3.14159, "yes": True, "no": False,
      "date": datetime.datetime(2030, 1, 2, 3, 4, 5), "data": b"\\x00\\x01binary",
      "long": "x" * 300, "list": [1, "two", [3.5, {"k": "v"}]], "nested": {"a": {"b": {"c": []}}}}`)
    const r = readBinaryPlist(buf)
    expect(r.value).toEqual({
      ascii: 'hello',
      unicode: 'Jürgen Müller & Söhne 😀 שלום',
      empty: '',
      small: 5,
      big: 70000,
      huge: 2 ** 40,
      negative: -3,
      max64: 2 ** 63 - 1,
      real: 1,
      pi: 3.14159,
      yes: true,
      no: false,
      date: new Date('2030-01-02T03:04:05Z'),
      data: Buffer.from('\u0000\u0001binary', 'latin1'),
      long: 'x'.repeat(300),
      list: [1, 'two', [3.5, {k: 'v'}]],
      nested: {a: {b: {c: []}}},
    })
    expect(r.reals.sort()).toEqual(['/list/2/0', '/pi', '/real'])
    expect(r.duplicateKeys).toEqual([])
  })

  it('gives the same values as the XML reader for the same profile', () => {
    const xml = readXmlPlist(readFileSync(new URL('../../fixtures/inspect/configurator-messy.mobileconfig', import.meta.url), 'utf8'))
    const converted = execFileSync('python3', ['-c', 'import plistlib,sys; sys.stdout.buffer.write(plistlib.dumps(plistlib.load(open(sys.argv[1],"rb")), fmt=plistlib.FMT_BINARY))', new URL('../../fixtures/inspect/configurator-messy.mobileconfig', import.meta.url).pathname])
    const binary = readBinaryPlist(converted)
    expect(binary.value).toEqual(xml.value)
    expect(binary.reals).toEqual(xml.reals)
  })

  it('refuses truncated, out-of-range and self-containing input', () => {
    const good = pythonBinary('{"a": [1, 2]}')
    expect(() => readBinaryPlist(good.subarray(0, 20))).toThrow(PlistSyntaxError)
    const badTrailer = Buffer.from(good)
    badTrailer.writeBigUInt64BE(999n, badTrailer.length - 32 + 8) // numObjects
    expect(() => readBinaryPlist(badTrailer)).toThrow(/offset table|object count/)
    // An array whose only element is itself: bplist00, A1 01 (array of 1 → object 0), offset table [8], trailer.
    const cyclic = Buffer.concat([Buffer.from('bplist00'), Buffer.from([0xa1, 0x00]), Buffer.from([0x08]), Buffer.alloc(6), Buffer.from([1, 1]), u64(1), u64(0), u64(10)])
    expect(() => readBinaryPlist(cyclic)).toThrow(/contains itself/)
    // Shared references nested 30 deep would expand to 2^30 values.
    const objects: Buffer[] = [Buffer.from([0x08])]
    for (let i = 1; i <= 30; i++) objects.push(Buffer.from([0xa2, i - 1, i - 1]))
    const offsets: number[] = []
    let at = 8
    for (const o of objects) {
      offsets.push(at)
      at += o.length
    }
    const bomb = Buffer.concat([Buffer.from('bplist00'), ...objects, Buffer.from(offsets.map((o) => [o >> 8, o & 0xff]).flat()), Buffer.alloc(6), Buffer.from([2, 1]), u64(objects.length), u64(objects.length - 1), u64(at)])
    expect(() => readBinaryPlist(bomb)).toThrow(/more than 1000000 values/)
  })
})

function u64(n: number): Buffer {
  const b = Buffer.alloc(8)
  b.writeBigUInt64BE(BigInt(n))
  return b
}
