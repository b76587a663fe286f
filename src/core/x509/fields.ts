/**
 * Fields of a DER certificate that node:crypto's X509Certificate does not expose (or not the same
 * way on every Node version): the signature algorithm, the issuer and subject Names as encoded,
 * extensions by OID (extendedKeyUsage, subjectKeyIdentifier, the embedded SCT list), and the
 * issuer-and-serial-number a CMS signer is named by. Read with the ASN.1 reader in DER mode;
 * every function throws an Asn1Error (or Error) on malformed input.
 */
import {decodeOid} from '../asn1/oid.js'
import {OID} from '../asn1/oids.js'
import {Asn1Error, expectTag, read, readInside, type Asn1Node} from '../asn1/reader.js'
import {sequence} from '../asn1/writer.js'

/** The tbsCertificate's fields, and where the optional [0] version shifts them. */
function tbsFields(der: Uint8Array): {fields: Asn1Node[]; base: number} {
  const cert = expectTag(read(der, 0, {der: true}), 0x30, 'Certificate')
  const tbs = expectTag(cert.children[0], 0x30, 'tbsCertificate')
  const fields = tbs.children
  // [0] version is optional; then serialNumber, signature, issuer, validity, subject, …
  return {fields, base: fields[0]?.tag === 0xa0 ? 1 : 0}
}

/** The OID of the certificate's signatureAlgorithm (the outer one, which the signature uses). */
export function signatureAlgorithmOf(der: Uint8Array): string {
  // Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm AlgorithmIdentifier, signatureValue }
  const cert = read(der, 0, {der: true})
  const algId = cert.children[1]
  if (!algId) throw new Asn1Error('no signatureAlgorithm')
  const oid = algId.children[0]
  if (!oid) throw new Asn1Error('empty AlgorithmIdentifier')
  return decodeOid(oid)
}

/** The issuer and subject Name nodes of a certificate's tbsCertificate. */
export function tbsNames(der: Uint8Array): {issuer: Asn1Node; subject: Asn1Node} {
  const {fields, base} = tbsFields(der)
  const issuer = fields[base + 2]
  const subject = fields[base + 4]
  if (!issuer || !subject || issuer.tag !== 0x30 || subject.tag !== 0x30) throw new Asn1Error('malformed tbsCertificate')
  return {issuer, subject}
}

/** The issuer Name and serialNumber INTEGER of a DER certificate, as encoded in it (a CMS IssuerAndSerialNumber). */
export function issuerAndSerial(der: Uint8Array): Buffer {
  const {fields, base} = tbsFields(der)
  const serial = fields[base]
  const issuer = fields[base + 2]
  if (!serial || serial.tag !== 0x02 || !issuer || issuer.tag !== 0x30) throw new Asn1Error('malformed certificate')
  return sequence(issuer.encoding, serial.encoding)
}

function decodeString(t: Asn1Node): string {
  if (t.tag === 0x1e) {
    // BMPString: UTF-16BE.
    if (t.value.length % 2) throw new Asn1Error('BMPString of odd length')
    const swapped = Buffer.from(t.value)
    swapped.swap16()
    return swapped.toString('utf16le')
  }
  return t.tag === 0x0c ? t.value.toString('utf8') : t.value.toString('latin1')
}

/**
 * A comparison key for a Name (RFC 5280 7.1, simplified like OpenSSL's canonical form): attribute
 * OIDs with their string values case-folded and whitespace-collapsed, whatever the string type, so
 * an issuer encoded as PrintableString still matches a subject encoded as UTF8String.
 */
export function canonicalNameKey(name: Asn1Node): string {
  const parts: string[] = []
  for (const rdn of name.children) {
    const atvs = rdn.children.map((atv) => {
      const [type, value] = atv.children
      if (!type || !value) throw new Asn1Error('malformed AttributeTypeAndValue')
      const text = decodeString(value).trim().replace(/\s+/g, ' ').toLowerCase()
      return `${decodeOid(type)}=${JSON.stringify(text)}`
    })
    parts.push(atvs.sort().join('+'))
  }
  return parts.join(',')
}

/** The extensions of a certificate: OID → the extnValue OCTET STRING node (its value holds the extension's DER). */
export function certificateExtensions(der: Uint8Array): Map<string, Asn1Node> {
  const out = new Map<string, Asn1Node>()
  const {fields} = tbsFields(der)
  const wrapper = fields.find((t) => t.tag === 0xa3)
  if (!wrapper) return out
  const [list] = wrapper.children
  if (!list) return out
  for (const ext of list.children) {
    const parts = ext.children
    const oid = parts[0]
    const value = parts[parts.length - 1]
    if (!oid || !value || value.tag !== 0x04) continue
    out.set(decodeOid(oid), value)
  }
  return out
}

/**
 * The extendedKeyUsage OIDs (2.5.29.37), or undefined when the certificate has no such extension.
 * Read from the DER so it does not depend on which name (keyUsage / extKeyUsage) the running Node
 * version gives this list.
 */
export function extendedKeyUsageOf(der: Uint8Array): string[] | undefined {
  const value = certificateExtensions(der).get(OID.extKeyUsage)
  if (!value) return undefined
  return readInside(value, {der: true})
    .children.filter((t) => t.tag === 0x06)
    .map((t) => decodeOid(t))
}

/** The subjectKeyIdentifier (2.5.29.14) bytes, or undefined when the certificate has none. */
export function subjectKeyIdentifierOf(der: Uint8Array): Buffer | undefined {
  const value = certificateExtensions(der).get(OID.subjectKeyIdentifier)
  return value ? readInside(value, {der: true}).value : undefined
}

/** The embedded SCT list extension (RFC 6962 section 3.3). */
export const OID_SCT_LIST = OID.sctList

/**
 * The log IDs (base64) of the Signed Certificate Timestamps embedded in a certificate, one per SCT
 * in order; undefined when the certificate has no SCT list extension. The extension holds an
 * OCTET STRING with the TLS-encoded SignedCertificateTimestampList: a 2-byte length, then each SCT
 * with a 2-byte length, a version byte and the 32-byte log ID. Throws on a malformed list.
 */
export function embeddedSctLogIds(der: Uint8Array): string[] | undefined {
  const value = certificateExtensions(der).get(OID.sctList)
  if (!value) return undefined
  const inner = readInside(value, {der: true})
  if (inner.tag !== 0x04) throw new Error('SCT list: not an OCTET STRING')
  const list = inner.value
  const u16 = (at: number) => (list[at]! << 8) | list[at + 1]!
  if (list.length < 2) throw new Error('SCT list: truncated')
  const end = 2 + u16(0)
  if (end !== list.length) throw new Error('SCT list: length does not match')
  const ids: string[] = []
  for (let p = 2; p < end; ) {
    if (p + 2 > end) throw new Error('SCT list: truncated')
    const len = u16(p)
    const sct = p + 2
    if (sct + len > end || len < 33) throw new Error('SCT list: truncated SCT')
    ids.push(Buffer.from(list.subarray(sct + 1, sct + 33)).toString('base64'))
    p = sct + len
  }
  return ids
}
