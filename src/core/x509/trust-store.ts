/**
 * Trust anchors: Apple's trust store shipped in data/apple-trust-store/ (see
 * scripts/refresh-trust-store.js), Node's bundled Mozilla store (`tls.rootCertificates`) and the
 * admin's extra roots. Each is a RootIndex looked up by SHA-256 and by subject; certificates are
 * parsed only when a lookup needs them, and the stores are loaded once per process.
 */
import {readFileSync} from 'node:fs'

import {InputError} from '../errors.js'
import {readInputFile} from '../files.js'
import {packageFile} from '../paths.js'
import {type ParsedCertificate, isIssuedBy, parseCertificate} from './certificate.js'
import {canonicalNameKey, tbsNames} from './fields.js'
import {bareFingerprint, bareSha256, colonFingerprint, fingerprintHex} from './fingerprint.js'
import {anchorName} from './names.js'
import {certificatesFromBytes} from './pem.js'

export interface RootEntry {
  /** SHA-256, upper-case hex without colons. */
  sha256: string
  /** Display name; when absent, the subject CN (or O) is read on demand (see RootIndex.nameOf). */
  name?: string
  der: Buffer
}

interface IndexedRoot extends RootEntry {
  /** The canonical subject key; null when the subject cannot be read (such an entry is left out). */
  subjectKey?: string | null
  parsed?: ParsedCertificate
}

function displayName(parsed: ParsedCertificate): string {
  return anchorName(parsed.x509.subject, parsed.info.subject)
}

/**
 * A set of certificates looked up by fingerprint or as the issuer of a certificate. Subjects are
 * read when a lookup first needs them, not when the index is made: reading the subjects of Apple's
 * 365 roots and removed roots is about 20 ms, and most runs look up a few entries or none.
 * An entry whose subject cannot be read is not in the index, whichever lookup asks first.
 */
export class RootIndex {
  private readonly bySha = new Map<string, IndexedRoot>()
  private subjects: Map<string, IndexedRoot[]> | undefined

  constructor(entries: Iterable<RootEntry>) {
    for (const e of entries) if (!this.bySha.has(e.sha256)) this.bySha.set(e.sha256, {...e})
  }

  private static readable(entry: IndexedRoot): boolean {
    if (entry.subjectKey === undefined) {
      try {
        entry.subjectKey = canonicalNameKey(tbsNames(entry.der).subject)
      } catch {
        entry.subjectKey = null
      }
    }
    return entry.subjectKey !== null
  }

  private entry(sha256: string): IndexedRoot | undefined {
    const e = this.bySha.get(sha256)
    return e && RootIndex.readable(e) ? e : undefined
  }

  private bySubject(): Map<string, IndexedRoot[]> {
    if (this.subjects) return this.subjects
    this.subjects = new Map()
    for (const e of this.bySha.values()) {
      if (!RootIndex.readable(e)) continue
      const list = this.subjects.get(e.subjectKey!)
      if (list) list.push(e)
      else this.subjects.set(e.subjectKey!, [e])
    }
    return this.subjects
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
    let n = 0
    for (const e of this.bySha.values()) if (RootIndex.readable(e)) n++
    return n
  }

  /** The entry with this SHA-256 (hex, colons optional). */
  get(sha256: string): RootEntry | undefined {
    return this.entry(bareFingerprint(sha256))
  }

  /** The entry that is this very certificate. */
  contains(cert: ParsedCertificate): RootEntry | undefined {
    return this.entry(fingerprintHex(cert.info))
  }

  /** The parsed form of an entry (cached). */
  parsed(entry: RootEntry): ParsedCertificate {
    const e = this.entry(entry.sha256)
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

  /** Certificates of this index whose subject is the name that issued `cert`, whether or not their key signed it. */
  namedIssuersOf(cert: ParsedCertificate): ParsedCertificate[] {
    const out: ParsedCertificate[] = []
    for (const e of this.bySubject().get(cert.issuerKey) ?? []) {
      try {
        out.push(this.parsed(e))
      } catch {
        // unreadable entries are skipped, as issuerOf does
      }
    }
    return out
  }

  /** A certificate of this index that issued `cert` (subject matches and the signature verifies). */
  issuerOf(cert: ParsedCertificate): {entry: RootEntry; parsed: ParsedCertificate} | undefined {
    for (const e of this.bySubject().get(cert.issuerKey) ?? []) {
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

/**
 * An Apple trust store from the JSON that scripts/refresh-trust-store.js writes
 * ({version, roots: [{sha256, name, der}], removed: [...]}). Every entry's fingerprint is recomputed
 * from its DER and must match: a store is a list of trust anchors, and a wrong one must not load.
 * Throws InputError naming the file and the entry.
 */
export function parseTrustStore(text: string, file: string): AppleTrustStore {
  const bad = (why: string) => new InputError(`not an Apple trust store file (${why}); make one with \`npm run refresh:trust-store -- --out FILE\``, {file})
  let data: unknown
  try {
    data = JSON.parse(text)
  } catch (error) {
    throw bad(`invalid JSON: ${(error as Error).message}`)
  }
  const doc = data as Partial<StoreFile> | null
  if (!doc || typeof doc !== 'object' || typeof doc.version !== 'string' || !doc.version) throw bad('no "version" string')
  const entries = (key: 'roots' | 'removed'): RootEntry[] => {
    const list = doc[key]
    if (!Array.isArray(list)) throw bad(`no "${key}" list`)
    return list.map((r: unknown, i) => {
      const e = r as Partial<StoreFile['roots'][number]> | null
      if (!e || typeof e.der !== 'string' || typeof e.sha256 !== 'string') throw bad(`${key}[${i}] lacks "der" or "sha256"`)
      const der = Buffer.from(e.der, 'base64')
      const sha256 = bareSha256(der)
      if (sha256 !== bareFingerprint(e.sha256)) throw bad(`${key}[${i}]: "sha256" is not the SHA-256 of its certificate`)
      return {sha256, name: typeof e.name === 'string' ? e.name : undefined, der}
    })
  }
  return {version: doc.version, roots: new RootIndex(entries('roots')), removed: new RootIndex(entries('removed'))}
}

/** A trust store snapshot is about 0.6 MiB; anything far larger is the wrong file. */
const MAX_TRUST_STORE_BYTES = 16 * 1024 * 1024

/** Reads an Apple trust store file (see parseTrustStore); unreadable files are InputErrors. */
export function readTrustStoreFile(file: string): AppleTrustStore {
  // Through the one guarded reader: a device or a huge file is refused before it is read.
  const text = readInputFile(file, '', 'trust store file', MAX_TRUST_STORE_BYTES).toString('utf8')
  return parseTrustStore(text, file)
}

/** Apple's trust store from data/apple-trust-store/trust-store.json, loaded on first use. */
export function loadTrustStore(): AppleTrustStore {
  if (apple) return apple
  const file = packageFile('data', 'apple-trust-store', 'trust-store.json')
  apple = parseTrustStore(readFileSync(file, 'utf8'), file)
  return apple
}

/**
 * Node's bundled Mozilla root store (`tls.rootCertificates`), indexed on first use. node:tls is
 * loaded here, not imported: loading it (with its socket and stream modules) cost inspect ~3 ms of
 * every start on Node 22, where most profiles never need this store.
 */
export function loadMozillaStore(): RootIndex {
  if (mozilla) return mozilla
  const entries: RootEntry[] = []
  for (const pem of process.getBuiltinModule('node:tls').rootCertificates) {
    for (const der of certificatesFromBytes(Buffer.from(pem, 'latin1'))) {
      entries.push({sha256: bareSha256(der), der})
    }
  }
  mozilla = new RootIndex(entries)
  return mozilla
}

const colonForms = new WeakMap<RootEntry, string>()

/** "AB:CD:…" form of an entry's fingerprint, as CertificateInfo.sha256 shows it (made once per entry: messages name it per endpoint). */
export function entryFingerprint(entry: RootEntry): string {
  let fp = colonForms.get(entry)
  if (fp === undefined) colonForms.set(entry, (fp = colonFingerprint(entry.sha256)))
  return fp
}
