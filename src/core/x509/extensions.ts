/**
 * The certificate extensions RFC 5280 path validation needs and node:crypto's X509Certificate does
 * not expose: basicConstraints with its pathLenConstraint (4.2.1.9), keyUsage (4.2.1.3) and
 * nameConstraints (4.2.1.10). Decoded from the DER with the project's bounds-checked reader, once
 * per certificate (remembered per ParsedCertificate). Cross-checked in the tests against
 * `openssl verify` on generated chains.
 */

import {type Asn1Node, readInside} from '../asn1/reader.js'
import {ipLiteralVersion} from '../mail/host.js'
import type {ParsedCertificate} from './certificate.js'
import {certificateExtensions} from './fields.js'

const OID_BASIC_CONSTRAINTS = '2.5.29.19'
const OID_KEY_USAGE = '2.5.29.15'
const OID_NAME_CONSTRAINTS = '2.5.29.30'

/** keyUsage bit 5 (RFC 5280 4.2.1.3). */
const KEY_CERT_SIGN_BIT = 5

export interface NameSubtrees {
  /** dNSName bases, lower case (a leading dot kept: subdomains only). */
  dns: string[]
  /** iPAddress bases: address and mask bytes (4+4 or 16+16). */
  ip: Array<{address: number[]; mask: number[]}>
  /** Other name forms present (directoryName, rfc822Name, URI, …), which host names are not judged against. */
  other: number
}

export interface CaExtensions {
  /** basicConstraints: absent, or its cA flag and pathLenConstraint. */
  basicConstraints?: {ca: boolean; pathLen?: number}
  /** keyUsage: absent, or whether keyCertSign is set. */
  keyUsage?: {keyCertSign: boolean}
  /** nameConstraints: absent, or its permitted and excluded subtrees. */
  nameConstraints?: {permitted?: NameSubtrees; excluded?: NameSubtrees}
  /** An extension above that could not be decoded (names it). */
  unreadable?: string
  /** The certificate carries no extensions at all (an X.509 v1 certificate, as some old roots are). */
  none?: boolean
}

const memo = new WeakMap<ParsedCertificate, CaExtensions>()

/** The extensions of `cert` that path validation reads. Never throws: undecodable ones are named in `unreadable`. */
export function caExtensions(cert: ParsedCertificate): CaExtensions {
  let out = memo.get(cert)
  if (out) return out
  out = {}
  const der = cert.der
  let exts: Map<string, Asn1Node>
  try {
    exts = certificateExtensions(der)
  } catch {
    out.unreadable = 'extensions'
    memo.set(cert, out)
    return out
  }
  if (exts.size === 0) out.none = true
  const read = (oid: string, name: string, decode: (value: Asn1Node) => void) => {
    const v = exts.get(oid)
    if (!v) return
    try {
      decode(readInside(v, {der: true}))
    } catch {
      out!.unreadable ??= name
    }
  }
  read(OID_BASIC_CONSTRAINTS, 'basicConstraints', (seq) => {
    let ca = false
    let pathLen: number | undefined
    for (const t of seq.children) {
      if (t.tag === 0x01) ca = t.end > t.start && der[t.start] !== 0
      else if (t.tag === 0x02) pathLen = integer(t)
    }
    out!.basicConstraints = pathLen === undefined ? {ca} : {ca, pathLen}
  })
  read(OID_KEY_USAGE, 'keyUsage', (bits) => {
    if (bits.tag !== 0x03 || bits.end <= bits.start) throw new Error('keyUsage: not a BIT STRING')
    const byte = bits.end - bits.start > 1 ? der[bits.start + 1]! : 0
    out!.keyUsage = {keyCertSign: (byte & (0x80 >> KEY_CERT_SIGN_BIT)) !== 0}
  })
  read(OID_NAME_CONSTRAINTS, 'nameConstraints', (seq) => {
    const nc: NonNullable<CaExtensions['nameConstraints']> = {}
    for (const t of seq.children) {
      if (t.tag === 0xa0) nc.permitted = subtrees(t)
      else if (t.tag === 0xa1) nc.excluded = subtrees(t)
    }
    out!.nameConstraints = nc
  })
  memo.set(cert, out)
  return out
}

function integer(t: Asn1Node): number {
  if (t.end - t.start > 4) throw new Error('INTEGER too large')
  let n = 0
  for (const byte of t.value) n = n * 256 + byte
  return n
}

function subtrees(list: Asn1Node): NameSubtrees {
  const out: NameSubtrees = {dns: [], ip: [], other: 0}
  for (const subtree of list.children) {
    const [base] = subtree.children
    if (!base) throw new Error('GeneralSubtree without base')
    const bytes = base.value
    if (base.tag === 0x82) out.dns.push(bytes.toString('latin1').toLowerCase())
    else if (base.tag === 0x87 && (bytes.length === 8 || bytes.length === 32)) {
      const half = bytes.length / 2
      out.ip.push({address: [...bytes.subarray(0, half)], mask: [...bytes.subarray(half)]})
    } else out.other += 1
  }
  return out
}

/** RFC 5280 4.2.1.10 for dNSName: "example.com" covers it and every name below; ".example.com" only names below. */
export function dnsWithinSubtree(name: string, base: string): boolean {
  const n = name.toLowerCase().replace(/\.$/, '')
  const b = base.toLowerCase()
  if (b === '') return true
  if (b.startsWith('.')) return n.endsWith(b)
  return n === b || n.endsWith(`.${b}`)
}

/** Whether an IP address (text, either family) lies in an iPAddress subtree, by the platform's BlockList. */
export function ipWithinSubtree(ip: string, subtree: {address: number[]; mask: number[]}): boolean {
  const family = ipLiteralVersion(ip)
  const v4 = subtree.address.length === 4
  if (family !== (v4 ? 4 : 6)) return false
  const prefix = subtree.mask.reduce((n, byte) => n + (byte.toString(2).match(/1/g)?.length ?? 0), 0)
  const address = v4 ? subtree.address.join('.') : Array.from({length: 8}, (_, i) => ((subtree.address[2 * i]! << 8) | subtree.address[2 * i + 1]!).toString(16)).join(':')
  // node:net only here, when a constraint is judged (host.ts: it costs start-up).
  const list = new (process.getBuiltinModule('node:net').BlockList)()
  list.addSubnet(address, prefix, v4 ? 'ipv4' : 'ipv6')
  return list.check(ip, v4 ? 'ipv4' : 'ipv6')
}
