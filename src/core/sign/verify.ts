/**
 * Reads a CMS SignedData (RFC 5652) — DER or BER (indefinite lengths, constructed OCTET STRINGs,
 * as streaming signers write them), or PEM/base64-wrapped — and checks it with node:crypto:
 * the messageDigest attribute against the content, the signature against the signer's
 * certificate, and links the signer to its issuers among the certificates carried. Whether the
 * chain ends at a trusted root is the caller's question (inspect asks Apple's trust store).
 */
import {createHash, verify as cryptoVerify} from 'node:crypto'

import {decodeOid} from '../asn1/oid.js'
import {ALGORITHMS, OID} from '../asn1/oids.js'
import {Asn1Error, expectTag, octets, read, readAll, type Asn1Node} from '../asn1/reader.js'
import {isIssuedBy, parseCertificate, type ParsedCertificate} from '../x509/certificate.js'
import {issuerAndSerial, subjectKeyIdentifierOf} from '../x509/fields.js'
import {pemBodies} from '../x509/pem.js'

export class CmsError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'CmsError'
  }
}

export interface CmsSignerResult {
  /** The signer's certificate, when the certificate set holds it. */
  certificate?: ParsedCertificate
  /** Issuers of the signer found among the carried certificates, nearest first. */
  chain: ParsedCertificate[]
  /** The signature verifies with the signer certificate's public key. */
  signatureValid: boolean
  /** The messageDigest attribute equals the content's digest (true when there are no signed attributes). */
  digestValid: boolean
  digestAlgorithm: string
  signatureAlgorithm: string
  signingTime?: Date
  /** Why a check could not be made or failed, in words. */
  problem?: string
}

export interface CmsVerification {
  /** The encapsulated content (empty when detached). */
  content: Buffer
  contentType: string
  detached: boolean
  signers: CmsSignerResult[]
  /** Every certificate carried in the SignedData, in order (unparseable ones left out). */
  certificates: ParsedCertificate[]
}

/** True when the bytes look like a CMS/PKCS#7 structure (DER/BER, PEM or base64) rather than a plist. */
export function looksLikeCms(bytes: Buffer): boolean {
  if (bytes[0] === 0x30) return true
  const head = bytes.subarray(0, 64).toString('latin1')
  return /-----BEGIN (PKCS7|CMS)-----/.test(head) || /^MI[A-Za-z0-9+/]/.test(head.trimStart())
}

/** DER bytes from DER, PEM (PKCS7/CMS) or bare base64. */
export function cmsBytes(bytes: Buffer): Buffer {
  if (bytes[0] === 0x30) return bytes
  const text = bytes.toString('latin1')
  // Linear in the input (x509/pem.ts), whatever the file holds.
  const [pem] = pemBodies(text, ['PKCS7', 'CMS'], 1)
  const body = (pem ?? text).replace(/\s+/g, '')
  if (!/^[A-Za-z0-9+/]+=*$/.test(body)) throw new CmsError('neither DER nor base64')
  return Buffer.from(body, 'base64')
}

const MAX_CERTIFICATES = 64

const UTC_TIME = /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?Z$/
const GENERALIZED_TIME = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?Z$/

function decodeTime(node: Asn1Node): Date | undefined {
  const text = node.value.toString('latin1')
  const m = (node.tag === 0x17 ? UTC_TIME : GENERALIZED_TIME).exec(text)
  if (!m) return undefined
  let year = Number(m[1])
  if (node.tag === 0x17) year += year < 50 ? 2000 : 1900
  return new Date(Date.UTC(year, Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6] ?? 0)))
}

function algorithmOid(node: Asn1Node | undefined, what: string): string {
  const seq = expectTag(node, 0x30, what)
  return decodeOid(expectTag(seq.children[0], 0x06, what))
}

/** An OCTET STRING, primitive or (BER) constructed from segments. */
function expectOctetString(node: Asn1Node | undefined, what: string): Asn1Node {
  if (!node || (node.tag !== 0x04 && node.tag !== 0x24)) throw new Asn1Error(`expected ${what}`)
  return node
}

/** Signature algorithms whose hash node:crypto computes and whose key it can verify with. */
function signatureAlgorithm(oid: string): {key: 'rsa' | 'ec'; hash?: string} | undefined {
  const a = ALGORITHMS[oid]
  if (!a || a.kind === 'digest' || (a.key !== 'rsa' && a.key !== 'ec') || (a.hash && !a.nodeHash)) return undefined
  return {key: a.key, hash: a.nodeHash}
}

function chainOf(signer: ParsedCertificate, certificates: ParsedCertificate[]): ParsedCertificate[] {
  const chain: ParsedCertificate[] = []
  let current = signer
  const used = new Set<ParsedCertificate>([signer])
  while (!current.info.selfSigned) {
    const issuer = certificates.find((c) => !used.has(c) && isIssuedBy(current, c))
    if (!issuer) break
    chain.push(issuer)
    used.add(issuer)
    current = issuer
  }
  return chain
}

/** Parses and verifies a CMS SignedData. Throws CmsError when the bytes are not one. */
export function verifyCms(input: Buffer): CmsVerification {
  const buf = cmsBytes(input)
  try {
    return parseSignedData(buf)
  } catch (error) {
    if (error instanceof Asn1Error) throw new CmsError(`malformed CMS structure (${error.message})`)
    throw error
  }
}

function parseSignedData(buf: Buffer): CmsVerification {
  // Read the whole structure first: a malformed element anywhere is a malformed CMS.
  const contentInfo = expectTag(readAll(read(buf, 0)), 0x30, 'ContentInfo')
  const type = decodeOid(expectTag(contentInfo.children[0], 0x06, 'ContentInfo.contentType'))
  if (type !== OID.signedData) throw new CmsError(`a CMS ${type} structure, not SignedData`)
  const signedData = expectTag(expectTag(contentInfo.children[1], 0xa0, 'ContentInfo.content').children[0], 0x30, 'SignedData')
  const [, , encap, ...rest] = signedData.children
  const encapsulated = expectTag(encap, 0x30, 'EncapsulatedContentInfo')
  const contentType = decodeOid(expectTag(encapsulated.children[0], 0x06, 'eContentType'))
  const eContent = encapsulated.children[1]
  const detached = !eContent
  // Streaming signers (openssl cms/smime -sign -stream) write the content as a constructed,
  // indefinite-length OCTET STRING of segments; octets() concatenates them.
  const content = eContent ? Buffer.from(octets(expectOctetString(expectTag(eContent, 0xa0, 'eContent').children[0], 'eContent OCTET STRING'))) : Buffer.alloc(0)

  const certificates: Array<{der: Buffer; parsed: ParsedCertificate}> = []
  const certSet = rest.find((n) => n.tag === 0xa0)
  // A signed profile carries its signer and a few CAs; chain building is quadratic, so bound it.
  if ((certSet?.children.length ?? 0) > MAX_CERTIFICATES) throw new CmsError(`the signature carries ${certSet!.children.length} certificates (more than ${MAX_CERTIFICATES})`)
  for (const node of certSet?.children ?? []) {
    if (node.tag !== 0x30) continue // other certificate formats (attribute certificates, …)
    const der = Buffer.from(node.encoding)
    try {
      certificates.push({der, parsed: parseCertificate(der)})
    } catch {
      // An unparseable certificate cannot be a signer; it is left out.
    }
  }
  const signerInfos = expectTag(rest[rest.length - 1], 0x31, 'SignerInfos')
  const parsedCerts = certificates.map((c) => c.parsed)
  const signers = signerInfos.children.map((si) => verifySigner(si, content, contentType, certificates, parsedCerts, detached))
  if (signers.length === 0) throw new CmsError('SignedData without any signer')
  return {content, contentType, detached, signers, certificates: parsedCerts}
}

function verifySigner(
  node: Asn1Node,
  content: Buffer,
  contentType: string,
  certificates: Array<{der: Buffer; parsed: ParsedCertificate}>,
  parsedCerts: ParsedCertificate[],
  detached: boolean,
): CmsSignerResult {
  const si = expectTag(node, 0x30, 'SignerInfo')
  const [, sid, digestAlg, ...more] = si.children
  const hasAttributes = more[0]?.tag === 0xa0
  const signedAttrs = hasAttributes ? more[0] : undefined
  const [signatureAlg, signatureNode] = hasAttributes ? more.slice(1) : more
  const digestOid = algorithmOid(digestAlg, 'digestAlgorithm')
  const signatureOid = algorithmOid(signatureAlg, 'signatureAlgorithm')
  const signature = octets(expectOctetString(signatureNode, 'signature'))
  const result: CmsSignerResult = {chain: [], signatureValid: false, digestValid: false, digestAlgorithm: digestOid, signatureAlgorithm: signatureOid}

  // The signer's certificate: by issuer and serial number, or by subject key identifier.
  if (sid?.tag === 0x30) {
    const wanted = sid.encoding
    result.certificate = certificates.find((c) => {
      try {
        return issuerAndSerial(c.der).equals(wanted)
      } catch {
        return false
      }
    })?.parsed
  } else if (sid?.tag === 0x80) {
    const ski = sid.value
    result.certificate = certificates.find((c) => {
      try {
        return subjectKeyIdentifierOf(c.der)?.equals(ski) ?? false
      } catch {
        return false
      }
    })?.parsed
  }
  if (result.certificate) result.chain = chainOf(result.certificate, parsedCerts)

  const digestInfo = ALGORITHMS[digestOid]
  const hash = digestInfo?.kind === 'digest' ? digestInfo.nodeHash : undefined
  const algorithm = signatureAlgorithm(signatureOid)
  if (!hash) return {...result, problem: `unsupported digest algorithm ${digestOid}`}
  const digest = createHash(hash).update(content).digest()

  let signedBytes: Buffer
  if (signedAttrs) {
    // The signature covers the attributes re-tagged as SET OF (RFC 5652 §5.4).
    const encoded = signedAttrs.encoding
    signedBytes = Buffer.concat([Buffer.from([0x31]), encoded.subarray(1)])
    let messageDigest: Buffer | undefined
    let attributeContentType: string | undefined
    for (const attr of signedAttrs.children) {
      const attrOid = attr.children[0]?.tag === 0x06 ? decodeOid(attr.children[0]) : ''
      const value = attr.children[1]?.children[0]
      if (!value) continue
      if (attrOid === OID.messageDigest && (value.tag === 0x04 || value.tag === 0x24)) messageDigest = octets(value)
      else if (attrOid === OID.contentType && value.tag === 0x06) attributeContentType = decodeOid(value)
      else if (attrOid === OID.signingTime && (value.tag === 0x17 || value.tag === 0x18)) result.signingTime = decodeTime(value)
    }
    result.digestValid = !detached && messageDigest !== undefined && messageDigest.equals(digest) && attributeContentType === contentType
    if (!result.digestValid) {
      result.problem = detached
        ? 'the content is detached (not in the file)'
        : messageDigest === undefined
          ? 'the signed attributes carry no messageDigest'
          : attributeContentType !== contentType
            ? 'the signed contentType attribute does not match the content'
            : 'the content does not match the signed digest: it was changed after signing'
    }
  } else {
    signedBytes = content
    result.digestValid = !detached
  }

  if (!result.certificate) return {...result, problem: result.problem ?? "the signer's certificate is not in the file"}
  if (!algorithm) return {...result, problem: result.problem ?? `unsupported signature algorithm ${signatureOid}`}
  const key = result.certificate.x509.publicKey
  const keyType = key.asymmetricKeyType
  if ((algorithm.key === 'rsa' && keyType !== 'rsa') || (algorithm.key === 'ec' && keyType !== 'ec')) {
    return {...result, problem: result.problem ?? `signature algorithm ${signatureOid} does not fit the signer's ${keyType ?? 'unknown'} key`}
  }
  try {
    result.signatureValid = cryptoVerify(algorithm.hash ?? hash, signedBytes, algorithm.key === 'ec' ? {key, dsaEncoding: 'der'} : key, signature)
  } catch {
    result.signatureValid = false
  }
  if (!result.signatureValid) result.problem ??= "the signature does not verify with the signer's certificate"
  return result
}
