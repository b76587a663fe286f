import {describe, expect, it} from 'vitest'

import {read} from '../../../src/core/asn1/reader.js'
import {integer, oid, octetString, setOf, sequence, tlv, unsignedInteger} from '../../../src/core/asn1/writer.js'

const hex = (b: Buffer) => b.toString('hex')

describe('DER writer', () => {
  it('encodes OIDs (X.690 §8.19), including large arcs', () => {
    expect(hex(oid('1.2.840.113549.1.7.2'))).toBe('06092a864886f70d010702')
    expect(hex(oid('2.16.840.1.101.3.4.2.1'))).toBe('0609608648016503040201')
    expect(hex(oid('2.999.3'))).toBe('0603883703')
    expect(() => oid('1')).toThrow()
    expect(() => oid('1.x')).toThrow()
  })

  it('encodes minimal non-negative INTEGERs', () => {
    expect(hex(integer(0))).toBe('020100')
    expect(hex(integer(1))).toBe('020101')
    expect(hex(integer(127))).toBe('02017f')
    expect(hex(integer(128))).toBe('02020080')
    expect(hex(integer(256))).toBe('02020100')
    expect(() => integer(-1)).toThrow()
  })

  it('uses the shortest length form', () => {
    expect(hex(octetString(Buffer.alloc(127)).subarray(0, 2))).toBe('047f')
    expect(hex(octetString(Buffer.alloc(128)).subarray(0, 3))).toBe('048180')
    expect(hex(octetString(Buffer.alloc(256)).subarray(0, 4))).toBe('04820100')
    expect(hex(octetString(Buffer.alloc(70000)).subarray(0, 5))).toBe('0483011170')
    const big = sequence(octetString(Buffer.alloc(70000, 7)))
    const node = read(big, 0)
    expect(node.next).toBe(big.length)
    expect(node.children[0]!.end - node.children[0]!.start).toBe(70000)
  })

  it('sorts SET OF by encoding', () => {
    const a = tlv(0x04, Buffer.from([2]))
    const b = tlv(0x02, Buffer.from([9]))
    const c = tlv(0x04, Buffer.from([1]))
    expect(hex(setOf(a, b, c))).toBe('3109' + '020109' + '040101' + '040102')
  })

  it('encodes unsigned INTEGERs from big-endian bytes (ECDSA r and s): minimal, a 0 before a set top bit', () => {
    expect(hex(unsignedInteger(Buffer.from([0, 0, 1])))).toBe('020101')
    expect(hex(unsignedInteger(Buffer.from([0x80])))).toBe('02020080')
    expect(hex(unsignedInteger(Buffer.from([0, 0xff, 0])))).toBe('020300ff00')
    expect(hex(unsignedInteger(Buffer.from([0, 0])))).toBe('020100')
    expect(hex(unsignedInteger(Buffer.alloc(0)))).toBe('020100')
  })
})
