import {readFileSync} from 'node:fs'
import {fileURLToPath} from 'node:url'

import {describe, expect, it} from 'vitest'

import {CmsError, verifyCms} from '../../../src/core/sign/verify.js'
import {certificatesFromBytes, pemBodies} from '../../../src/core/x509/pem.js'

const store = JSON.parse(readFileSync(fileURLToPath(new URL('../../../data/apple-trust-store/trust-store.json', import.meta.url)), 'utf8')) as {roots: Array<{der: string}>}
const pem = (label: string, der: Buffer) => `-----BEGIN ${label}-----\n${der.toString('base64').replace(/(.{64})/g, '$1\n')}\n-----END ${label}-----\n`

/** CPU milliseconds of `f` (a generous bound for linear work, far below what quadratic work costs). */
function cpuMs(f: () => void): number {
  const start = process.cpuUsage()
  f()
  const used = process.cpuUsage(start)
  return (used.user + used.system) / 1000
}

describe('PEM unwrapping', () => {
  it('reads every certificate of a bundle, in order, skipping other blocks and text between them', () => {
    const ders = store.roots.slice(0, 3).map((r) => Buffer.from(r.der, 'base64'))
    const bundle = `subject=whatever\n${pem('CERTIFICATE', ders[0]!)}${pem('PRIVATE KEY', Buffer.from('not a key'))}junk\r\n${pem('CERTIFICATE', ders[1]!)}${pem('CERTIFICATE', ders[2]!)}`
    expect(certificatesFromBytes(Buffer.from(bundle))).toEqual(ders)
    // A BEGIN without its END: the blocks before it still count, nothing after.
    expect(certificatesFromBytes(Buffer.from(`${pem('CERTIFICATE', ders[0]!)}-----BEGIN CERTIFICATE-----\nMIIB`))).toEqual([ders[0]])
    expect(pemBodies('-----BEGIN PKCS7-----\nQUJD\n-----END CMS-----', ['PKCS7', 'CMS'])).toEqual(['\nQUJD\n'])
    expect(pemBodies('x -----BEGIN CMS-----A-----END CMS----- -----BEGIN PKCS7-----B-----END PKCS7-----', ['PKCS7', 'CMS'])).toEqual(['A', 'B'])
    expect(pemBodies('-----BEGIN CMS-----A-----END CMS-----B', ['CMS'], 1)).toEqual(['A'])
    // A label is the whole run of label characters: CERTIFICATE is not CERTIFICATE REQUEST or X509 CERTIFICATE.
    expect(pemBodies('-----BEGIN CERTIFICATE REQUEST-----R-----END CERTIFICATE REQUEST----- -----BEGIN X509 CERTIFICATE-----X-----END X509 CERTIFICATE-----', ['CERTIFICATE'])).toEqual([])
  })

  it("with 'any', takes blocks of every label (upper-case letters, digits, spaces), up to the first END of any label", () => {
    expect(pemBodies('x-----BEGIN X509 CERTIFICATE-----A-----END X509 CERTIFICATE-----', 'any')).toEqual(['A'])
    expect(pemBodies('-----BEGIN A-----1-----BEGIN B-----2-----END B----------BEGIN C-----3-----END C-----', 'any')).toEqual(['1-----BEGIN B-----2', '3'])
    // Not markers: an empty or lower-case label, or a marker without its closing dashes.
    expect(pemBodies('-----BEGIN -----a-----END -----', 'any')).toEqual([])
    expect(pemBodies('-----BEGIN cert-----a-----END cert-----', 'any')).toEqual([])
    expect(pemBodies('-----BEGIN CERT---- -----BEGIN CERT-----b-----END CERT', 'any')).toEqual([])
    expect(pemBodies('-----BEGIN A-----1-----END A----- -----BEGIN B-----2-----END B-----', 'any', 1)).toEqual(['1'])
  })

  // Issue 11 item 9: 20,000 "-----BEGIN PKCS7-----" lines took 20 s with a lazy regular expression.
  it('is linear: 50,000 BEGIN lines without an END, as a CMS file and as a certificate bundle, in well under a second', () => {
    for (const label of ['PKCS7', 'CERTIFICATE']) {
      const hostile = Buffer.from(`-----BEGIN ${label}-----\n`.repeat(50_000))
      if (label === 'PKCS7') expect(cpuMs(() => expect(() => verifyCms(hostile)).toThrow(CmsError))).toBeLessThan(1000)
      else expect(cpuMs(() => expect(certificatesFromBytes(hostile)).toEqual([]))).toBeLessThan(1000)
    }
    // Many complete blocks of another label interleaved with none of this one: still linear.
    const many = '-----BEGIN CMS-----QQ==-----END CMS-----\n'.repeat(50_000)
    expect(cpuMs(() => expect(pemBodies(many, ['PKCS7', 'CMS'])).toHaveLength(50_000))).toBeLessThan(1000)
  })
})
