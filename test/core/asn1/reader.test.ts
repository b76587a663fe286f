import {existsSync, readdirSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

import forge from 'node-forge'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {decodeOid, encodeOidValue} from '../../../src/core/asn1/oid.js'
import {Asn1Error, MAX_DEPTH, octets, read, readAll, readInside, type Asn1Node} from '../../../src/core/asn1/reader.js'
import {makeSigningPki, openssl, requireOpenssl, type SigningPki} from '../../helpers/signing-fixtures.js'

const root = fileURLToPath(new URL('../../../', import.meta.url))
const store = JSON.parse(readFileSync(join(root, 'data/apple-trust-store/trust-store.json'), 'utf8')) as {roots: Array<{der: string}>}
const CORPUS = '/work/shared/corpus/mobileconfig'
/** The signed profiles of the shared corpus (real ones from other tools), when it is present. */
const corpusSigned = existsSync(CORPUS)
  ? readdirSync(CORPUS)
      .map((f) => ({name: f, der: readFileSync(join(CORPUS, f))}))
      .filter((f) => f.der[0] === 0x30)
  : []

/** Every element in document order: offset, depth, header length, value length (-1: indefinite), tag. */
function ours(buf: Buffer): string[] {
  const out: string[] = []
  const visit = (n: Asn1Node, depth: number) => {
    const indefinite = buf[n.offset + 1] === 0x80 && n.constructed
    out.push(`${n.offset}:d=${depth} hl=${n.start - n.offset} l=${indefinite ? 'inf' : n.end - n.start} ${n.constructed ? 'cons' : 'prim'} ${n.tag}`)
    for (const c of n.children) visit(c, depth + 1)
  }
  visit(readAll(read(buf)), 0)
  return out
}

/**
 * The same list as `openssl asn1parse` sees it (end-of-contents markers left out; printable
 * OCTET STRING contents continue on lines of their own). Some tools leave bytes after the
 * signature: only the first element is parsed, as by us.
 */
function opensslTree(buf: Buffer): string[] {
  const text = openssl(['asn1parse', '-inform', 'DER', '-length', String(read(buf).next)], {input: buf}).toString()
  return text
    .split('\n')
    .filter((l) => /^\s*\d+:d=\d+/.test(l) && !/prim:\s*EOC/.test(l))
    .map((l) => {
      const m = /^\s*(\d+):d=(\d+)\s+hl=(\d+)\s+l=\s*(\d+|inf)\s+(prim|cons):/.exec(l)
      if (!m) throw new Error(`unexpected asn1parse line: ${l}`)
      const [, offset, depth, hl, len, form] = m
      return `${offset}:d=${depth} hl=${hl} l=${len} ${form} ${buf[Number(offset)]}`
    })
}

/** node-forge's asn1 tree, as (tag, children or value hex); OIDs decoded by forge. */
function forgeShape(node: forge.asn1.Asn1): unknown {
  const tag = node.tagClass | (node.constructed ? 0x20 : 0) | node.type
  if (Array.isArray(node.value)) return {tag, children: node.value.map(forgeShape)}
  return {tag, value: node.type === forge.asn1.Type.OID && node.tagClass === 0 ? forge.asn1.derToOid(node.value) : Buffer.from(node.value, 'binary').toString('hex')}
}

function ourShape(n: Asn1Node): unknown {
  if (n.constructed) return {tag: n.tag, children: n.children.map(ourShape)}
  return {tag: n.tag, value: n.tag === 0x06 ? decodeOid(n) : n.value.toString('hex')}
}

/** forge's options object (its typings only know the older `strict` boolean). */
const FORGE_OPTIONS = {strict: true, decodeBitStrings: false, parseAllBytes: false} as unknown as boolean
const fromForge = (buf: Buffer) => forgeShape(forge.asn1.fromDer(forge.util.createBuffer(buf.toString('binary')), FORGE_OPTIONS))

describe('ASN.1 reader against node-forge and openssl asn1parse', () => {
  const enabled = requireOpenssl()
  let pki: SigningPki
  const samples: Array<{name: string; der: Buffer}> = []
  beforeAll(() => {
    if (!enabled) return
    pki = makeSigningPki({keyType: 'ec'})
    const content = join(pki.dir, 'content.xml')
    writeFileSync(content, readFileSync(join(root, 'profiles/provider/example.org/example.org.mobileconfig')))
    samples.push({name: 'golden signed profile (ours, DER)', der: readFileSync(join(root, 'profiles/provider/example.org/example.org.mobileconfig'))})
    for (const [tool, extra] of [
      ['cms', ['-stream']],
      ['smime', ['-stream']],
      ['smime', []],
    ] as const) {
      const der = openssl([tool, '-sign', '-nodetach', '-binary', ...extra, '-outform', 'DER', '-in', content, '-signer', pki.signerCert, '-inkey', pki.signerKey, '-certfile', pki.intermediateCert])
      samples.push({name: `openssl ${tool} -sign ${extra.join(' ')} (BER)`, der})
    }
  })
  afterAll(() => pki?.cleanup())

  it.runIf(enabled)('reads every Apple root certificate as node-forge does, and a sample as openssl does', () => {
    expect(store.roots.length).toBeGreaterThan(100)
    for (const [i, entry] of store.roots.entries()) {
      const der = Buffer.from(entry.der, 'base64')
      expect(ourShape(read(der, 0, {der: true}))).toEqual(fromForge(der))
      if (i % 10 === 0) expect(ours(der)).toEqual(opensslTree(der))
    }
  })

  it.runIf(enabled)('reads CMS signatures, DER and BER (indefinite lengths, constructed OCTET STRINGs), as both do', () => {
    expect(samples).toHaveLength(4)
    for (const {name, der} of samples) {
      expect(ours(der), name).toEqual(opensslTree(der))
      expect(ourShape(read(der)), name).toEqual(fromForge(der))
    }
    // openssl cms -stream really wrote the content as a constructed, indefinite-length OCTET STRING.
    expect(ours(samples[1]!.der).some((l) => / l=inf cons 36$/.test(l))).toBe(true)
  })

  it.runIf(corpusSigned.length > 0)('reads the signed profiles of the corpus (other tools) as both do', () => {
    for (const {name, der} of corpusSigned) {
      if (enabled) expect(ours(der), name).toEqual(opensslTree(der))
      expect(ourShape(read(der)), name).toEqual(fromForge(der))
    }
  })
})

describe('ASN.1 reader on hostile input', () => {
  const fails = (bytes: number[], pattern: RegExp, options = {}) => expect(() => readAll(read(Buffer.from(bytes), 0, options))).toThrow(pattern)

  it('refuses truncated elements, children past their parent, and over-long lengths', () => {
    fails([0x30], /truncated/)
    fails([0x30, 0x82, 0x10, 0x00, 0x01], /truncated value/)
    fails([0x30, 0x84], /truncated length/)
    fails([0x04, 0x85, 1, 0, 0, 0, 0], /length too large/)
    // A SEQUENCE of 3 bytes whose child claims 5.
    fails([0x30, 0x03, 0x04, 0x05, 0x00, 0x00, 0x00, 0x00, 0x00], /truncated value/)
    fails([0x1f, 0x81, 0x00], /multi-byte tags/)
  })

  it('allows indefinite lengths only on constructed values, and not in DER mode', () => {
    fails([0x04, 0x80, 0x00, 0x00], /indefinite length on a primitive/)
    fails([0x30, 0x80, 0x02, 0x01, 0x01], /missing end-of-contents/)
    fails([0x30, 0x80, 0x00, 0x00], /indefinite length in DER/, {der: true})
    const node = read(Buffer.from([0x30, 0x80, 0x02, 0x01, 0x07, 0x00, 0x00, 0xff]))
    expect([node.start, node.end, node.next, node.children.length]).toEqual([2, 5, 7, 1])
  })

  it('bounds nesting, definite and indefinite', () => {
    const deep = (n: number, header: number[], trailer: number[]) => {
      let b: number[] = [0x05, 0x00]
      for (let i = 0; i < n; i++) b = header[1] === 0x80 ? [...header, ...b, ...trailer] : [0x30, 0x82, b.length >> 8, b.length & 0xff, ...b]
      return b
    }
    expect(() => readAll(read(Buffer.from(deep(MAX_DEPTH, [0x30, 0x80], [0, 0]))))).not.toThrow()
    fails(deep(MAX_DEPTH + 1, [0x30, 0x80], [0, 0]), /nesting too deep/)
    fails(deep(MAX_DEPTH + 1, [0x30, 0x00], []), /nesting too deep/)
    // 100,000 levels of indefinite nesting: refused at the bound, not by the stack.
    const huge = Buffer.alloc(200_000)
    for (let i = 0; i < 100_000; i++) huge.set([0x30, 0x80], i * 2)
    expect(() => read(huge)).toThrow(Asn1Error)
  })

  it('concatenates the segments of a constructed OCTET STRING (nested too), and refuses other types inside', () => {
    const ber = Buffer.from([0x24, 0x80, 0x04, 0x02, 0x61, 0x62, 0x24, 0x80, 0x04, 0x01, 0x63, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00])
    expect(octets(read(ber)).toString()).toBe('abc')
    expect(() => octets(read(Buffer.from([0x24, 0x03, 0x02, 0x01, 0x00])))).toThrow(/holds something else/)
  })

  it('reads inside a primitive value without reaching past it', () => {
    const wrapped = Buffer.from([0x04, 0x03, 0x02, 0x01, 0x05, 0xff, 0xff])
    expect(readInside(read(wrapped)).value).toEqual(Buffer.from([5]))
    expect(() => readInside(read(Buffer.from([0x04, 0x02, 0x02, 0x01, 0x05])))).toThrow(/truncated/)
  })
})

describe('OBJECT IDENTIFIERs', () => {
  it('round-trip and agree with node-forge, including 128-bit arcs (2.25 UUID OIDs)', () => {
    for (const dotted of ['1.2.840.113549.1.7.2', '2.5.29.37.0', '2.999.3', '0.9.2342.19200300.100.1.1', '2.25.329800735698586629295641978511506172918', '1.3.6.1.4.1.11129.2.4.2']) {
      const value = encodeOidValue(dotted)
      const node = read(Buffer.concat([Buffer.from([0x06, value.length]), value]))
      expect(decodeOid(node)).toBe(dotted)
      if (!dotted.startsWith('2.25.')) expect(forge.asn1.derToOid(forge.util.createBuffer(value.toString('binary')))).toBe(dotted)
    }
    expect(() => encodeOidValue('1')).toThrow()
    expect(() => encodeOidValue('3.1')).toThrow()
    expect(() => encodeOidValue('1.40')).toThrow()
  })
})
