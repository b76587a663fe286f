/**
 * A throwaway PKI for tests: root CAs, intermediates and leaf certificates generated at test time,
 * so no fixture ever expires. Shared by the net, certificate-policy, check and signing tests.
 *
 * How it works: node-forge builds the TBSCertificate (names, validity, extensions), and node:crypto
 * supplies the keys and the signature. That keeps RSA key generation native (fast) and makes ECDSA
 * keys possible, which forge alone cannot do. Keys are cached per process by (type, size, slot), so
 * a test suite pays for each key once.
 *
 * Typical use:
 *   const pki = createChain({dnsNames: ['mail.example.test']})
 *   tls.createServer({key: pki.leaf.keyPem, cert: pki.serverChainPem}) // leaf + intermediate
 *   // pki.root.pem is the trust anchor; pki.leaf.der / pki.intermediate.der for byte comparisons
 */
import {createHash, createPublicKey, generateKeyPairSync, sign, X509Certificate, type KeyObject} from 'node:crypto'

import forge from 'node-forge'

const {asn1, pki} = forge

export type KeyType = 'rsa' | 'ec'
export type EcCurve = 'P-256' | 'P-384' | 'P-521'
export type SignatureHash = 'sha1' | 'sha256' | 'sha384' | 'sha512'

export interface KeySpec {
  /** Default 'rsa'. */
  type?: KeyType
  /** RSA modulus length. Default 2048. */
  bits?: number
  /** EC curve. Default 'P-256'. */
  curve?: EcCurve
  /**
   * Cache slot: the same (type, size, slot) returns the same key within a process. Certificates that
   * must have different keys use different slots (createChain uses 'root', 'intermediate', 'leaf').
   */
  slot?: string
}

export interface TestKey {
  type: KeyType
  /** RSA bits or EC curve size. */
  bits: number
  curve?: EcCurve
  privateKey: KeyObject
  publicKey: KeyObject
  /** PKCS#8 PEM, what `tls.createServer({key})` takes. */
  privateKeyPem: string
  publicKeyPem: string
}

const keyCache = new Map<string, TestKey>()
const CURVE_BITS: Record<EcCurve, number> = {'P-256': 256, 'P-384': 384, 'P-521': 521}
const CURVE_OPENSSL: Record<EcCurve, string> = {'P-256': 'prime256v1', 'P-384': 'secp384r1', 'P-521': 'secp521r1'}

/** A key pair, cached per process by type, size and slot. */
export function getKey(spec: KeySpec = {}): TestKey {
  const type = spec.type ?? 'rsa'
  const curve = spec.curve ?? 'P-256'
  const bits = type === 'rsa' ? (spec.bits ?? 2048) : CURVE_BITS[curve]
  const cacheKey = `${type}:${type === 'rsa' ? bits : curve}:${spec.slot ?? 'default'}`
  const cached = keyCache.get(cacheKey)
  if (cached) return cached
  const pair =
    type === 'rsa'
      ? generateKeyPairSync('rsa', {modulusLength: bits})
      : generateKeyPairSync('ec', {namedCurve: CURVE_OPENSSL[curve]})
  const key: TestKey = {
    type,
    bits,
    curve: type === 'ec' ? curve : undefined,
    privateKey: pair.privateKey,
    publicKey: pair.publicKey,
    privateKeyPem: pair.privateKey.export({type: 'pkcs8', format: 'pem'}).toString(),
    publicKeyPem: pair.publicKey.export({type: 'spki', format: 'pem'}).toString(),
  }
  keyCache.set(cacheKey, key)
  return key
}

/** Subject name attributes (forge short names). Only commonName by default. */
export interface NameSpec {
  commonName?: string
  organization?: string
  organizationalUnit?: string
  country?: string
}

/** Extended key usage: a well-known name or a dotted OID. */
export type EkuName = 'serverAuth' | 'clientAuth' | 'codeSigning' | 'emailProtection' | 'timeStamping' | 'anyExtendedKeyUsage'

const EKU_OIDS: Record<EkuName, string> = {
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
  codeSigning: '1.3.6.1.5.5.7.3.3',
  emailProtection: '1.3.6.1.5.5.7.3.4',
  timeStamping: '1.3.6.1.5.5.7.3.8',
  anyExtendedKeyUsage: '2.5.29.37.0',
}

export interface CertOptions {
  subject?: NameSpec
  /** SAN dNSName entries. With no dnsNames and no ipAddresses, the certificate has no SAN extension (CN-only). */
  dnsNames?: string[]
  /** SAN iPAddress entries (IPv4 or IPv6 literals). */
  ipAddresses?: string[]
  /** The issuing certificate; absent = self-signed. */
  issuer?: TestCert
  /** The subject key: a key or a spec for getKey. Default: RSA-2048, slot 'default'. */
  key?: TestKey | KeySpec
  /** basicConstraints cA=TRUE (and keyUsage keyCertSign/cRLSign). Default false. */
  isCA?: boolean
  /** basicConstraints pathLenConstraint, CA only. */
  pathLen?: number
  /** Default: now − 1 day. */
  notBefore?: Date
  /** Default: notBefore + validityDays. */
  notAfter?: Date
  /** Default 90 for leaves, 3650 for CAs. */
  validityDays?: number
  /** Signature hash used by the issuer. Default sha256. */
  signatureHash?: SignatureHash
  /**
   * Extended key usage. Default: ['serverAuth'] for leaves, omitted for CAs. `null` omits the
   * extension; names or dotted OIDs.
   */
  extendedKeyUsage?: Array<EkuName | string> | null
  /** Serial number as hex (positive). Default: random 16 bytes. */
  serialHex?: string
  /**
   * Replaces the basicConstraints extension isCA would write (`null` omits it), e.g. a certificate
   * that issues others but says CA:FALSE, or has no basicConstraints at all.
   */
  basicConstraints?: {cA: boolean; pathLen?: number} | null
  /** Replaces the keyUsage extension isCA would write (`null` omits it); forge's flag names. */
  keyUsage?: {keyCertSign?: boolean; cRLSign?: boolean; digitalSignature?: boolean; keyEncipherment?: boolean} | null
  /** A critical nameConstraints extension with these dNSName subtrees (RFC 5280 4.2.1.10). */
  nameConstraints?: {permittedDns?: string[]; excludedDns?: string[]; permittedIp?: Array<{address: string; mask: string}>}
  /** Omit subjectKeyIdentifier / authorityKeyIdentifier. Default false. */
  omitKeyIdentifiers?: boolean
  /**
   * Signed Certificate Timestamps to embed (RFC 6962 3.3), from that many distinct fake logs: a
   * number, or log names (the same name twice = two SCTs from one log). Default: 3 for leaves, as
   * every public CA embeds (Apple's CT policy); none for CAs. 0 omits the extension.
   */
  embeddedScts?: number | string[]
}

export interface TestCert {
  der: Buffer
  pem: string
  key: TestKey
  /** Private key PEM of this certificate's key (for tls.createServer({key})). */
  keyPem: string
  x509: X509Certificate
  /** The subject attributes, reused as the issuer name of certificates it signs. */
  subjectAttrs: forge.pki.CertificateField[]
  /** The SHA-1 key identifier of this certificate's public key. */
  keyId: Buffer
  selfSigned: boolean
}

function nameAttrs(name: NameSpec): forge.pki.CertificateField[] {
  const attrs: forge.pki.CertificateField[] = []
  if (name.country) attrs.push({name: 'countryName', value: name.country})
  if (name.organization) attrs.push({name: 'organizationName', value: name.organization})
  if (name.organizationalUnit) attrs.push({name: 'organizationalUnitName', value: name.organizationalUnit})
  if (name.commonName) attrs.push({name: 'commonName', value: name.commonName})
  return attrs
}

function spkiAsn1(key: TestKey): forge.asn1.Asn1 {
  const der = key.publicKey.export({type: 'spki', format: 'der'})
  // forge's typings only know the boolean `strict` argument; the options object is supported at runtime.
  const fromDer = asn1.fromDer as unknown as (bytes: forge.util.ByteStringBuffer, options: {decodeBitStrings: boolean}) => forge.asn1.Asn1
  return fromDer(forge.util.createBuffer(der.toString('binary')), {decodeBitStrings: false})
}

function keyIdentifier(key: TestKey): Buffer {
  // RFC 5280 4.2.1.2 method (1): SHA-1 of the subjectPublicKey BIT STRING contents.
  const spki = spkiAsn1(key)
  const bitString = (spki.value as forge.asn1.Asn1[])[1]!.value as string
  return createHash('sha1').update(Buffer.from(bitString.slice(1), 'binary')).digest()
}

const RSA_SIG_OIDS: Record<SignatureHash, string> = {
  sha1: '1.2.840.113549.1.1.5',
  sha256: '1.2.840.113549.1.1.11',
  sha384: '1.2.840.113549.1.1.12',
  sha512: '1.2.840.113549.1.1.13',
}
const EC_SIG_OIDS: Record<SignatureHash, string> = {
  sha1: '1.2.840.10045.4.1',
  sha256: '1.2.840.10045.4.3.2',
  sha384: '1.2.840.10045.4.3.3',
  sha512: '1.2.840.10045.4.3.4',
}

function signatureAlgorithm(signer: TestKey, hash: SignatureHash): forge.asn1.Asn1 {
  const oid = signer.type === 'rsa' ? RSA_SIG_OIDS[hash] : EC_SIG_OIDS[hash]
  const parts = [asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer(oid).getBytes())]
  // RSA PKCS#1 v1.5 carries NULL parameters; ECDSA carries none (RFC 5758).
  if (signer.type === 'rsa') parts.push(asn1.create(asn1.Class.UNIVERSAL, asn1.Type.NULL, false, ''))
  return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, parts)
}

function resolveKey(key: CertOptions['key']): TestKey {
  if (key && 'privateKey' in key) return key
  return getKey(key ?? {})
}

function randomSerialHex(): string {
  const bytes = forge.random.getBytesSync(16)
  // Clear the top bit so the INTEGER stays positive.
  return (String.fromCharCode(bytes.charCodeAt(0) & 0x7f) + bytes.slice(1))
    .split('')
    .map((c) => c.charCodeAt(0).toString(16).padStart(2, '0'))
    .join('')
}

/** The embedded SCT list extension (RFC 6962 3.3). */
export const OID_SCT_LIST = '1.3.6.1.4.1.11129.2.4.2'

/**
 * The SCT list extension's value: an OCTET STRING holding the TLS-encoded
 * SignedCertificateTimestampList, one well-formed v1 SCT per log name (log ID = SHA-256 of the
 * name; the signature is filler, as no test verifies SCT signatures).
 */
export function sctListExtensionDer(logs: string[], timestamp: Date): Buffer {
  return Buffer.from(sctListExtensionValue(logs, timestamp), 'binary')
}

function sctListExtensionValue(logs: string[], timestamp: Date): string {
  const u16 = (n: number) => Buffer.from([n >> 8, n & 0xff])
  const scts = logs.map((log) => {
    const time = Buffer.alloc(8)
    time.writeBigUInt64BE(BigInt(timestamp.getTime()))
    const signature = Buffer.alloc(70, 0x5a)
    const sct = Buffer.concat([Buffer.from([0]), createHash('sha256').update(log).digest(), time, u16(0), Buffer.from([4, 3]), u16(signature.length), signature])
    return Buffer.concat([u16(sct.length), sct])
  })
  const list = Buffer.concat(scts)
  const tls = Buffer.concat([u16(list.length), list])
  return asn1.toDer(asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OCTETSTRING, false, tls.toString('binary'))).getBytes()
}

/** NameConstraints ::= SEQUENCE { permittedSubtrees [0], excludedSubtrees [1] } of dNSName GeneralSubtrees, DER. */
function nameConstraintsValue(nc: NonNullable<CertOptions['nameConstraints']>): string {
  const subtree = (base: forge.asn1.Asn1) => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [base])
  const subtrees = (tag: number, names: string[]) => asn1.create(asn1.Class.CONTEXT_SPECIFIC, tag, true, names.map((n) => subtree(asn1.create(asn1.Class.CONTEXT_SPECIFIC, 2, false, n))))
  // iPAddress subtree: [7] OCTET STRING of address then mask (IPv4 dotted only here).
  const ipBytes = (dotted: string) => dotted.split('.').map((n) => String.fromCharCode(Number(n))).join('')
  const ips = (nc.permittedIp ?? []).map((r) => subtree(asn1.create(asn1.Class.CONTEXT_SPECIFIC, 7, false, ipBytes(r.address) + ipBytes(r.mask))))
  const parts: forge.asn1.Asn1[] = []
  if (nc.permittedDns?.length || ips.length) {
    const dns = (nc.permittedDns ?? []).map((n) => subtree(asn1.create(asn1.Class.CONTEXT_SPECIFIC, 2, false, n)))
    parts.push(asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, true, [...dns, ...ips]))
  }
  if (nc.excludedDns?.length) parts.push(subtrees(1, nc.excludedDns))
  return asn1.toDer(asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, parts)).getBytes()
}

/** Creates one certificate. Self-signed when `issuer` is absent. */
export function createCertificate(options: CertOptions = {}): TestCert {
  const key = resolveKey(options.key)
  const isCA = options.isCA ?? false
  const signerKey = options.issuer?.key ?? key
  const hash = options.signatureHash ?? 'sha256'
  const subjectAttrs = nameAttrs(options.subject ?? {commonName: isCA ? 'Test CA' : 'test leaf'})
  const issuerAttrs = options.issuer?.subjectAttrs ?? subjectAttrs

  const notBefore = options.notBefore ?? new Date(Date.now() - 24 * 3600 * 1000)
  const validityDays = options.validityDays ?? (isCA ? 3650 : 90)
  const notAfter = options.notAfter ?? new Date(notBefore.getTime() + validityDays * 24 * 3600 * 1000)

  const cert = pki.createCertificate()
  cert.serialNumber = options.serialHex ?? randomSerialHex()
  cert.validity.notBefore = notBefore
  cert.validity.notAfter = notAfter
  cert.setSubject(subjectAttrs)
  cert.setIssuer(issuerAttrs)
  // forge needs some RSA public key to build the TBS; the real SPKI is swapped in below.
  cert.publicKey = pki.publicKeyFromPem(getKey({type: 'rsa', bits: 1024, slot: 'forge-placeholder'}).publicKeyPem)

  const ownKeyId = keyIdentifier(key)
  const extensions: object[] = []
  if (isCA) {
    const basic: Record<string, unknown> = {name: 'basicConstraints', cA: true, critical: true}
    if (options.pathLen !== undefined) basic.pathLenConstraint = options.pathLen
    extensions.push(basic)
    extensions.push({name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true})
  } else {
    extensions.push({name: 'basicConstraints', cA: false})
    extensions.push(
      key.type === 'rsa'
        ? {name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true}
        : {name: 'keyUsage', digitalSignature: true, critical: true},
    )
  }
  if (options.basicConstraints !== undefined) {
    extensions.splice(0, 1, ...(options.basicConstraints === null ? [] : [{name: 'basicConstraints', critical: true, cA: options.basicConstraints.cA, ...(options.basicConstraints.pathLen === undefined ? {} : {pathLenConstraint: options.basicConstraints.pathLen})}]))
  }
  if (options.keyUsage !== undefined) {
    const at = extensions.findIndex((e) => (e as {name?: string}).name === 'keyUsage')
    extensions.splice(at, 1, ...(options.keyUsage === null ? [] : [{name: 'keyUsage', critical: true, ...options.keyUsage}]))
  }
  if (options.nameConstraints) extensions.push({id: '2.5.29.30', critical: true, value: nameConstraintsValue(options.nameConstraints)})
  const eku = options.extendedKeyUsage === undefined ? (isCA ? null : ['serverAuth']) : options.extendedKeyUsage
  if (eku) {
    const ekuSeq = asn1.create(
      asn1.Class.UNIVERSAL,
      asn1.Type.SEQUENCE,
      true,
      eku.map((e) => {
        const oid = EKU_OIDS[e as EkuName] ?? e
        return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer(oid).getBytes())
      }),
    )
    extensions.push({id: '2.5.29.37', value: asn1.toDer(ekuSeq).getBytes()})
  }
  const altNames = [
    ...(options.dnsNames ?? []).map((value) => ({type: 2, value})),
    ...(options.ipAddresses ?? []).map((ip) => ({type: 7, ip})),
  ]
  if (altNames.length > 0) extensions.push({name: 'subjectAltName', altNames})
  const scts = options.embeddedScts ?? (isCA ? 0 : 3)
  const logs = typeof scts === 'number' ? Array.from({length: scts}, (_, i) => `test log ${i + 1}`) : scts
  if (logs.length > 0) extensions.push({id: OID_SCT_LIST, value: sctListExtensionValue(logs, notBefore)})
  if (!options.omitKeyIdentifiers) {
    extensions.push({
      name: 'subjectKeyIdentifier',
      value: asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OCTETSTRING, false, ownKeyId.toString('binary')),
    })
    const issuerKeyId = options.issuer?.keyId ?? ownKeyId
    extensions.push({name: 'authorityKeyIdentifier', keyIdentifier: issuerKeyId.toString('binary')})
  }
  cert.setExtensions(extensions)

  const sigAlg = signatureAlgorithm(signerKey, hash)
  cert.siginfo.algorithmOid = RSA_SIG_OIDS.sha256 // placeholder for forge; replaced below
  const tbs = (pki as unknown as {getTBSCertificate(c: forge.pki.Certificate): forge.asn1.Asn1}).getTBSCertificate(cert)
  const tbsParts = tbs.value as forge.asn1.Asn1[]
  tbsParts[2] = sigAlg
  tbsParts[6] = spkiAsn1(key)
  const tbsDer = Buffer.from(asn1.toDer(tbs).getBytes(), 'binary')
  const signature = sign(hash, tbsDer, signerKey.privateKey)
  const certAsn1 = asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
    tbs,
    sigAlg,
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.BITSTRING, false, '\u0000' + signature.toString('binary')),
  ])
  const der = Buffer.from(asn1.toDer(certAsn1).getBytes(), 'binary')
  return {
    der,
    pem: derToPem(der),
    key,
    keyPem: key.privateKeyPem,
    x509: new X509Certificate(der),
    subjectAttrs,
    keyId: ownKeyId,
    selfSigned: !options.issuer,
  }
}

export function derToPem(der: Buffer): string {
  const b64 = der.toString('base64').replace(/.{1,64}/g, '$&\n')
  return `-----BEGIN CERTIFICATE-----\n${b64}-----END CERTIFICATE-----\n`
}

export interface ChainOptions {
  /** SAN dNSNames of the leaf. Default ['mail.example.test']. */
  dnsNames?: string[]
  ipAddresses?: string[]
  /** Overrides for each certificate (issuer and isCA are set by createChain). */
  root?: Omit<CertOptions, 'issuer'>
  intermediate?: Omit<CertOptions, 'issuer'>
  leaf?: Omit<CertOptions, 'issuer'>
  /** A distinct name so several chains in one test don't share names. Default 'Test'. */
  label?: string
}

export interface TestChain {
  root: TestCert
  intermediate: TestCert
  leaf: TestCert
  /** Leaf then intermediate, PEM: what a correctly configured server sends. */
  serverChainPem: string
  /** Leaf only, PEM: a server that forgot its intermediate. */
  leafOnlyPem: string
  /** Leaf, intermediate and root, PEM. */
  fullChainPem: string
}

/** Root CA → intermediate CA → leaf, each with its own key (slots 'root', 'intermediate', 'leaf'). */
export function createChain(options: ChainOptions = {}): TestChain {
  const label = options.label ?? 'Test'
  const root = createCertificate({
    subject: {commonName: `${label} Root CA`, organization: 'mailprofile tests'},
    key: {slot: 'root'},
    ...options.root,
    isCA: true,
  })
  const intermediate = createCertificate({
    subject: {commonName: `${label} Intermediate CA`, organization: 'mailprofile tests'},
    key: {slot: 'intermediate'},
    pathLen: 0,
    ...options.intermediate,
    isCA: true,
    issuer: root,
  })
  const dnsNames = options.dnsNames ?? ['mail.example.test']
  const leaf = createCertificate({
    subject: {commonName: dnsNames[0] ?? 'test leaf'},
    dnsNames,
    ipAddresses: options.ipAddresses,
    key: {slot: 'leaf'},
    ...options.leaf,
    issuer: intermediate,
  })
  return {
    root,
    intermediate,
    leaf,
    serverChainPem: leaf.pem + intermediate.pem,
    leafOnlyPem: leaf.pem,
    fullChainPem: leaf.pem + intermediate.pem + root.pem,
  }
}

/** A self-signed leaf (no CA), e.g. a default Dovecot/Postfix snakeoil certificate. */
export function createSelfSigned(options: Omit<CertOptions, 'issuer'> = {}): TestCert {
  const dnsNames = options.dnsNames ?? ['mail.example.test']
  return createCertificate({subject: {commonName: dnsNames[0] ?? 'self-signed'}, dnsNames, key: {slot: 'self-signed'}, ...options})
}

/** The public key of a certificate, for tests that compare keys. */
export function publicKeyOf(cert: TestCert): KeyObject {
  return createPublicKey(cert.pem)
}
