/**
 * Trust anchors: Apple's trust store shipped in data/apple-trust-store/ (see
 * scripts/refresh-trust-store.js), Node's bundled Mozilla store (`tls.rootCertificates`) and the
 * admin's extra roots. Each is a RootIndex looked up by SHA-256 and by subject; certificates are
 * parsed only when a lookup needs them, and the stores are loaded once per process.
 */
import {createHash} from 'node:crypto'
import {readFileSync} from 'node:fs'
import {rootCertificates} from 'node:tls'

import {packageFile} from '../paths.js'
import {type ParsedCertificate, colonFingerprint, fingerprintHex, isIssuedBy, parseCertificate} from './certificate.js'
import {canonicalNameKey, tbsNames} from './der.js'
import {certificatesFromBytes} from './pem.js'

export interface RootEntry {
  /** SHA-256, upper-case hex without colons. */
  sha256: string
  /** Display name; when absent, the subject CN (or O) is read on demand (see RootIndex.nameOf). */
  name?: string
  der: Buffer
}

interface IndexedRoot extends RootEntry {
  subjectKey: string
  parsed?: ParsedCertificate
}

function displayName(parsed: ParsedCertificate): string {
  const dn = parsed.x509.subject.split('\n')
  const field = (key: string) => dn.find((l) => l.startsWith(`${key}=`))?.slice(key.length + 1)
  return field('CN') ?? field('OU') ?? field('O') ?? parsed.info.subject
}

/** A set of certificates looked up by fingerprint or as the issuer of a certificate. */
export class RootIndex {
  private readonly bySha = new Map<string, IndexedRoot>()
  private readonly bySubject = new Map<string, IndexedRoot[]>()

  constructor(entries: Iterable<RootEntry>) {
    for (const e of entries) {
      if (this.bySha.has(e.sha256)) continue
      let subjectKey: string
      try {
        subjectKey = canonicalNameKey(e.der, tbsNames(e.der).subject)
      } catch {
        continue
      }
      const entry: IndexedRoot = {...e, subjectKey}
      this.bySha.set(e.sha256, entry)
      const list = this.bySubject.get(subjectKey)
      if (list) list.push(entry)
      else this.bySubject.set(subjectKey, [entry])
    }
  }

  /** Builds an index from DER certificates, naming each by its subject CN (or O). */
  static fromDer(ders: Iterable<Buffer>): RootIndex {
    const entries: RootEntry[] = []
    for (const der of ders) {
      let parsed: ParsedCertificate
      try {
        parsed = parseCertificate(der)
      } catch {
        continue
      }
      entries.push({sha256: fingerprintHex(parsed.info), name: displayName(parsed), der})
    }
    return new RootIndex(entries)
  }

  get size(): number {
    return this.bySha.size
  }

  /** The entry with this SHA-256 (hex, colons optional). */
  get(sha256: string): RootEntry | undefined {
    return this.bySha.get(sha256.replaceAll(':', '').toUpperCase())
  }

  /** The entry that is this very certificate. */
  contains(cert: ParsedCertificate): RootEntry | undefined {
    return this.bySha.get(fingerprintHex(cert.info))
  }

  /** The parsed form of an entry (cached). */
  parsed(entry: RootEntry): ParsedCertificate {
    const e = this.bySha.get(entry.sha256)
    if (!e) return parseCertificate(entry.der)
    return (e.parsed ??= parseCertificate(e.der))
  }

  /** The entry's display name. */
  nameOf(entry: RootEntry): string {
    if (entry.name) return entry.name
    try {
      return displayName(this.parsed(entry))
    } catch {
      return entry.sha256
    }
  }

  /** A certificate of this index that issued `cert` (subject matches and the signature verifies). */
  issuerOf(cert: ParsedCertificate): {entry: RootEntry; parsed: ParsedCertificate} | undefined {
    for (const e of this.bySubject.get(cert.issuerKey) ?? []) {
      let parsed: ParsedCertificate
      try {
        parsed = this.parsed(e)
      } catch {
        continue
      }
      if (isIssuedBy(cert, parsed)) return {entry: e, parsed}
    }
    return undefined
  }
}

export interface AppleTrustStore {
  /** Trust store version, e.g. "2025072000". */
  version: string
  /** Roots Apple's platforms trust for TLS. */
  roots: RootIndex
  /** Roots Apple removed or distrusted. */
  removed: RootIndex
}

interface StoreFile {
  version: string
  roots: Array<{sha256: string; name: string; der: string}>
  removed: Array<{sha256: string; name: string; der: string}>
}

let apple: AppleTrustStore | undefined
let mozilla: RootIndex | undefined

/** Apple's trust store from data/apple-trust-store/trust-store.json, loaded on first use. */
export function loadTrustStore(): AppleTrustStore {
  if (apple) return apple
  const file = packageFile('data', 'apple-trust-store', 'trust-store.json')
  const data = JSON.parse(readFileSync(file, 'utf8')) as StoreFile
  const entries = (list: StoreFile['roots']) => list.map((r) => ({sha256: r.sha256, name: r.name, der: Buffer.from(r.der, 'base64')}))
  apple = {version: data.version, roots: new RootIndex(entries(data.roots)), removed: new RootIndex(entries(data.removed))}
  return apple
}

/** Node's bundled Mozilla root store (`tls.rootCertificates`), indexed on first use. */
export function loadMozillaStore(): RootIndex {
  if (mozilla) return mozilla
  const entries: RootEntry[] = []
  for (const pem of rootCertificates) {
    for (const der of certificatesFromBytes(Buffer.from(pem, 'latin1'))) {
      entries.push({sha256: createHash('sha256').update(der).digest('hex').toUpperCase(), der})
    }
  }
  mozilla = new RootIndex(entries)
  return mozilla
}

/** "AB:CD:…" form of an entry's fingerprint, as CertificateInfo.sha256 shows it. */
export function entryFingerprint(entry: RootEntry): string {
  return colonFingerprint(entry.sha256)
}
