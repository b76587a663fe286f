/**
 * A reader for binary property lists (`bplist00`, Apple's CFBinaryPList format: objects, an
 * offset table and a 32-byte trailer), for profiles saved with `plutil -convert binary1` or by
 * tools that write binary plists. Gives the same result shape as the XML reader: values as the
 * `plist` package gives them, the pointers of `<real>` values and of keys written twice.
 * Bounded: every offset checked, reference cycles refused, and at most MAX_NODES values decoded
 * (shared references could otherwise expand exponentially).
 */
import {PlistSyntaxError, type PlistReadResult} from './plist-xml.js'

const MAX_NODES = 1_000_000
const MAX_DEPTH = 100
/** Seconds between the Unix epoch and Apple's reference date (2001-01-01T00:00:00Z). */
const APPLE_EPOCH = 978_307_200

const pointerSegment = (s: string) => s.replaceAll('~', '~0').replaceAll('/', '~1')

/** True for the binary plist versions this reader understands. */
export function isBinaryPlist00(bytes: Buffer): boolean {
  return bytes.length >= 8 && bytes.subarray(0, 8).toString('latin1') === 'bplist00'
}

export function readBinaryPlist(buf: Buffer): PlistReadResult {
  const fail = (message: string): never => {
    throw new PlistSyntaxError(`binary property list: ${message}`)
  }
  if (!isBinaryPlist00(buf)) fail('not a bplist00 file')
  if (buf.length < 8 + 32) fail('too short for a trailer')
  const trailer = buf.subarray(buf.length - 32)
  const offsetSize = trailer[6]!
  const refSize = trailer[7]!
  const numObjects = Number(trailer.readBigUInt64BE(8))
  const topObject = Number(trailer.readBigUInt64BE(16))
  const tableOffset = Number(trailer.readBigUInt64BE(24))
  if (offsetSize < 1 || offsetSize > 8 || refSize < 1 || refSize > 8) fail('invalid integer sizes in the trailer')
  if (numObjects < 1 || topObject >= numObjects) fail('invalid object count in the trailer')
  if (tableOffset < 8 || tableOffset + numObjects * offsetSize > buf.length - 32) fail('the offset table lies outside the file')

  const readUInt = (at: number, size: number): number => {
    if (at + size > buf.length) fail('truncated integer')
    let v = 0
    for (let i = 0; i < size; i++) v = v * 256 + buf[at + i]!
    return v
  }
  const offsetOf = (ref: number): number => {
    if (ref >= numObjects) fail(`object reference ${ref} out of range`)
    const offset = readUInt(tableOffset + ref * offsetSize, offsetSize)
    if (offset < 8 || offset >= tableOffset) fail(`object ${ref} lies outside the object area`)
    return offset
  }
  /** Count and where the content starts, for markers whose low nibble may be 0xF (count follows as an int). */
  const countAt = (at: number): {count: number; start: number} => {
    const info = buf[at]! & 0x0f
    if (info !== 0x0f) return {count: info, start: at + 1}
    const marker = buf[at + 1]
    if (marker === undefined || (marker & 0xf0) !== 0x10) fail('invalid length marker')
    const size = 1 << (marker! & 0x0f)
    if (size > 8) fail('length too large')
    return {count: readUInt(at + 2, size), start: at + 2 + size}
  }

  const reals: string[] = []
  const duplicateKeys: string[] = []
  let nodes = 0
  const active = new Set<number>()

  const read = (ref: number, pointer: string, depth: number): unknown => {
    if (++nodes > MAX_NODES) fail(`more than ${MAX_NODES} values`)
    if (depth > MAX_DEPTH) fail('nested too deeply')
    if (active.has(ref)) fail('an object contains itself')
    const at = offsetOf(ref)
    const marker = buf[at]!
    const type = marker >> 4
    const info = marker & 0x0f
    switch (type) {
      case 0x0:
        if (marker === 0x08) return false
        if (marker === 0x09) return true
        return fail(`unsupported marker 0x${marker.toString(16).padStart(2, '0')} (null or fill)`)
      case 0x1: {
        const size = 1 << info
        if (size === 8) return Number(buf.readBigInt64BE(at + 1))
        if (size === 16) return Number(buf.readBigInt64BE(at + 9))
        if (size > 8) fail('integer too large')
        return readUInt(at + 1, size)
      }
      case 0x2: {
        reals.push(pointer)
        if (info === 2) return buf.readFloatBE(at + 1)
        if (info === 3) return buf.readDoubleBE(at + 1)
        return fail('invalid real size')
      }
      case 0x3:
        if (marker !== 0x33) fail('invalid date marker')
        return new Date((buf.readDoubleBE(at + 1) + APPLE_EPOCH) * 1000)
      case 0x4: {
        const {count, start} = countAt(at)
        if (start + count > tableOffset) fail('data runs past the object area')
        return Buffer.from(buf.subarray(start, start + count))
      }
      case 0x5: {
        const {count, start} = countAt(at)
        if (start + count > tableOffset) fail('string runs past the object area')
        return buf.subarray(start, start + count).toString('latin1')
      }
      case 0x6: {
        const {count, start} = countAt(at)
        if (start + count * 2 > tableOffset) fail('string runs past the object area')
        return Buffer.from(buf.subarray(start, start + count * 2)).swap16().toString('utf16le')
      }
      case 0xa:
      case 0xd: {
        const {count, start} = countAt(at)
        const refsLength = count * refSize * (type === 0xd ? 2 : 1)
        if (start + refsLength > tableOffset) fail('collection runs past the object area')
        const refAt = (i: number) => readUInt(start + i * refSize, refSize)
        active.add(ref)
        try {
          if (type === 0xa) return Array.from({length: count}, (_, i) => read(refAt(i), `${pointer}/${i}`, depth + 1))
          const out: Record<string, unknown> = {}
          for (let i = 0; i < count; i++) {
            const key = read(refAt(i), `${pointer}/#key`, depth + 1)
            if (typeof key !== 'string') fail(`dictionary key at ${pointer || '/'} is not a string`)
            const childPointer = `${pointer}/${pointerSegment(key as string)}`
            if (Object.hasOwn(out, key as string)) duplicateKeys.push(childPointer)
            Object.defineProperty(out, key as string, {value: read(refAt(count + i), childPointer, depth + 1), enumerable: true, writable: true, configurable: true})
          }
          return out
        } finally {
          active.delete(ref)
        }
      }
      default:
        return fail(`unsupported object type 0x${type.toString(16)} (UID or set) at ${pointer || '/'}`)
    }
  }
  try {
    return {value: read(topObject, '', 0), reals, duplicateKeys}
  } catch (error) {
    if (error instanceof RangeError) fail('truncated object')
    throw error
  }
}
