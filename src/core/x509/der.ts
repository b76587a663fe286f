import {decodeOidValue} from '../asn1/oid.js'

/**
 * A minimal DER reader: just enough to pull the fields node:crypto's X509Certificate does not
 * expose on Node 20 (the signature algorithm). Bounds-checked; throws on malformed input.
 */
export interface Tlv {
  tag: number
  /** Offset of the value inside the buffer. */
  start: number
  /** Offset just past the value. */
  end: number
}

export function readTlv(buf: Uint8Array, offset: number): Tlv {
  if (offset + 2 > buf.length) throw new Error('DER: truncated')
  const tag = buf[offset]!
  let len = buf[offset + 1]!
  let p = offset + 2
  if (len & 0x80) {
    const n = len & 0x7f
    if (n === 0 || n > 4 || p + n > buf.length) throw new Error('DER: bad length')
    len = 0
    for (let i = 0; i < n; i++) len = len * 256 + buf[p + i]!
    p += n
  }
  if (p + len > buf.length) throw new Error('DER: truncated value')
  return {tag, start: p, end: p + len}
}

/** The TLVs directly inside a constructed value. */
export function children(buf: Uint8Array, parent: Tlv): Tlv[] {
  const out: Tlv[] = []
  let p = parent.start
  while (p < parent.end) {
    const t = readTlv(buf, p)
    out.push(t)
    p = t.end
  }
  return out
}

/** Decodes an OBJECT IDENTIFIER value to dotted form. */
export function decodeOid(buf: Uint8Array, t: Tlv): string {
  if (t.tag !== 0x06) throw new Error('DER: not an OID')
  return decodeOidValue(buf, t.start, t.end)
}

/** The issuer and subject Name TLVs of a certificate's tbsCertificate. */
export function tbsNames(der: Uint8Array): {issuer: Tlv; subject: Tlv} {
  const cert = readTlv(der, 0)
  const [tbs] = children(der, cert)
  if (!tbs) throw new Error('DER: no tbsCertificate')
  const fields = children(der, tbs)
  // [0] version is optional; then serialNumber, signature, issuer, validity, subject.
  const base = fields[0]?.tag === 0xa0 ? 1 : 0
  const issuer = fields[base + 2]
  const subject = fields[base + 4]
  if (!issuer || !subject || issuer.tag !== 0x30 || subject.tag !== 0x30) throw new Error('DER: malformed tbsCertificate')
  return {issuer, subject}
}

function decodeString(buf: Uint8Array, t: Tlv): string {
  const bytes = Buffer.from(buf.buffer, buf.byteOffset + t.start, t.end - t.start)
  if (t.tag === 0x1e) {
    // BMPString: UTF-16BE
    const swapped = Buffer.from(bytes)
    swapped.swap16()
    return swapped.toString('utf16le')
  }
  return t.tag === 0x0c ? bytes.toString('utf8') : bytes.toString('latin1')
}

/**
 * A comparison key for a Name (RFC 5280 7.1, simplified like OpenSSL's canonical form): attribute
 * OIDs with their string values case-folded and whitespace-collapsed, whatever the string type, so
 * an issuer encoded as PrintableString still matches a subject encoded as UTF8String.
 */
export function canonicalNameKey(buf: Uint8Array, name: Tlv): string {
  const parts: string[] = []
  for (const rdn of children(buf, name)) {
    const atvs = children(buf, rdn).map((atv) => {
      const [type, value] = children(buf, atv)
      if (!type || !value) throw new Error('DER: malformed AttributeTypeAndValue')
      const text = decodeString(buf, value).trim().replace(/\s+/g, ' ').toLowerCase()
      return `${decodeOid(buf, type)}=${JSON.stringify(text)}`
    })
    parts.push(atvs.sort().join('+'))
  }
  return parts.join(',')
}

/** The extensions of a certificate: OID → the extnValue OCTET STRING's TLV (its contents hold the extension's DER). */
export function certificateExtensions(der: Uint8Array): Map<string, Tlv> {
  const out = new Map<string, Tlv>()
  const cert = readTlv(der, 0)
  const [tbs] = children(der, cert)
  if (!tbs) return out
  const wrapper = children(der, tbs).find((t) => t.tag === 0xa3)
  if (!wrapper) return out
  const [list] = children(der, wrapper)
  if (!list) return out
  for (const ext of children(der, list)) {
    const parts = children(der, ext)
    const oid = parts[0]
    const value = parts[parts.length - 1]
    if (!oid || !value || value.tag !== 0x04) continue
    out.set(decodeOid(der, oid), value)
  }
  return out
}

/**
 * The extendedKeyUsage OIDs (2.5.29.37), or undefined when the certificate has no such extension.
 * Read from the DER so it does not depend on which name (keyUsage / extKeyUsage) the running Node
 * version gives this list.
 */
export function extendedKeyUsageOf(der: Uint8Array): string[] | undefined {
  const value = certificateExtensions(der).get('2.5.29.37')
  if (!value) return undefined
  const seq = readTlv(der, value.start)
  return children(der, seq).filter((t) => t.tag === 0x06).map((t) => decodeOid(der, t))
}

/** The embedded SCT list extension (RFC 6962 section 3.3). */
export const OID_SCT_LIST = '1.3.6.1.4.1.11129.2.4.2'

/**
 * The log IDs (base64) of the Signed Certificate Timestamps embedded in a certificate, one per SCT
 * in order; undefined when the certificate has no SCT list extension. The extension holds an
 * OCTET STRING with the TLS-encoded SignedCertificateTimestampList: a 2-byte length, then each SCT
 * with a 2-byte length, a version byte and the 32-byte log ID. Throws on a malformed list.
 */
export function embeddedSctLogIds(der: Uint8Array): string[] | undefined {
  const value = certificateExtensions(der).get(OID_SCT_LIST)
  if (!value) return undefined
  const inner = readTlv(der, value.start)
  if (inner.tag !== 0x04) throw new Error('SCT list: not an OCTET STRING')
  const u16 = (at: number) => (der[at]! << 8) | der[at + 1]!
  if (inner.end - inner.start < 2) throw new Error('SCT list: truncated')
  const end = inner.start + 2 + u16(inner.start)
  if (end !== inner.end) throw new Error('SCT list: length does not match')
  const ids: string[] = []
  for (let p = inner.start + 2; p < end; ) {
    if (p + 2 > end) throw new Error('SCT list: truncated')
    const len = u16(p)
    const sct = p + 2
    if (sct + len > end || len < 33) throw new Error('SCT list: truncated SCT')
    ids.push(Buffer.from(der.subarray(sct + 1, sct + 33)).toString('base64'))
    p = sct + len
  }
  return ids
}
