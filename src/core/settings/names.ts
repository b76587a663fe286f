/**
 * Host and domain name syntax (RFC 1123 labels, RFC 1035 lengths), IDN normalization to
 * punycode, IP literals and email addresses: the pure checks behind the host, domain and user rules.
 * IP literals are node:net's `isIP` and A-labels come from src/core/mail/host.ts.
 */
import {ipVersion, toALabels} from '../mail/host.js'

const LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/

export type NameProblem =
  | {kind: 'empty'}
  | {kind: 'whitespace'}
  | {kind: 'url'; host?: string}
  | {kind: 'port'; host: string; port: string}
  | {kind: 'idn-invalid'}
  | {kind: 'too-long'; length: number}
  | {kind: 'label-too-long'; label: string}
  | {kind: 'empty-label'}
  | {kind: 'bad-label'; label: string}
  | {kind: 'numeric-tld'}

export interface NameAnalysis {
  /** The name as written. */
  input: string
  /** Lower-case A-label form without a trailing dot (what clients connect to); empty when invalid. */
  ascii: string
  trailingDot: boolean
  /** The name holds non-ASCII characters (an IDN U-label). */
  idn: boolean
  /** An IPv4 or IPv6 literal (possibly in brackets). */
  ip?: 'ipv4' | 'ipv6'
  singleLabel: boolean
  problem?: NameProblem
}

export function isIpv4(s: string): boolean {
  return ipVersion(s) === 4 && !s.startsWith('[')
}

/** An IPv6 literal, possibly in brackets, possibly with a zone (node:net `isIP`). */
export function isIpv6(s: string): boolean {
  return ipVersion(s) === 6
}

/** Analyses a host or domain name as a client would use it. */
export function analyzeName(input: string): NameAnalysis {
  const base: NameAnalysis = {input, ascii: '', trailingDot: false, idn: false, singleLabel: false}
  if (input.trim() === '') return {...base, problem: {kind: 'empty'}}
  const url = /^[a-z][a-z0-9+.-]*:\/\/([^/:?#]*)/i.exec(input)
  if (url) return {...base, problem: {kind: 'url', host: url[1] || undefined}}
  if (/\s/.test(input)) return {...base, problem: {kind: 'whitespace'}}
  if (isIpv4(input)) return {...base, ascii: input, ip: 'ipv4'}
  if (isIpv6(input)) return {...base, ascii: input.replace(/^\[|\]$/g, '').toLowerCase(), ip: 'ipv6'}
  const withPort = /^([^:]+):(\d+)$/.exec(input)
  if (withPort) return {...base, problem: {kind: 'port', host: withPort[1]!, port: withPort[2]!}}
  const trailingDot = input.endsWith('.') && input.length > 1
  const bare = trailingDot ? input.slice(0, -1) : input
  // eslint-disable-next-line no-control-regex
  const idn = /[^\x00-\x7F]/.test(bare)
  let ascii = bare.toLowerCase()
  if (idn) {
    ascii = toALabels(bare)
    if (ascii === '') return {...base, trailingDot, idn, problem: {kind: 'idn-invalid'}}
  }
  const result: NameAnalysis = {...base, ascii, trailingDot, idn, singleLabel: !ascii.includes('.')}
  if (ascii.length > 253) return {...result, problem: {kind: 'too-long', length: ascii.length}}
  const labels = ascii.split('.')
  for (const label of labels) {
    if (label === '') return {...result, problem: {kind: 'empty-label'}}
    if (label.length > 63) return {...result, problem: {kind: 'label-too-long', label}}
    if (!LABEL.test(label)) return {...result, problem: {kind: 'bad-label', label}}
  }
  if (labels.length > 1 && /^\d+$/.test(labels.at(-1)!)) return {...result, problem: {kind: 'numeric-tld'}}
  return result
}

/** One sentence saying what is wrong with a name, for messages. */
export function describeNameProblem(p: NameProblem): string {
  switch (p.kind) {
    case 'empty':
      return 'it is empty'
    case 'whitespace':
      return 'it contains spaces'
    case 'url':
      return `it is a URL, not a host name${p.host ? ` (the host is "${p.host}")` : ''}`
    case 'port':
      return `it includes a port (":${p.port}"); the port belongs in \`port\``
    case 'idn-invalid':
      return 'it is not a valid internationalized domain name (it has no punycode form)'
    case 'too-long':
      return `it is ${p.length} characters long; DNS names have at most 253`
    case 'label-too-long':
      return `the label "${p.label}" is ${p.label.length} characters long; labels have at most 63`
    case 'empty-label':
      return 'it has an empty label (two dots in a row, or a leading dot)'
    case 'bad-label':
      return `the label "${p.label}" may hold only letters, digits and inner hyphens (RFC 1123)`
    case 'numeric-tld':
      return 'its last label is all digits, so it is neither a host name nor an IP address'
  }
}

export interface AddressAnalysis {
  local: string
  domain: string
  /** Lower-case A-label domain, for comparisons. */
  domainAscii: string
  /** Canonical form for duplicate detection: local part as written, domain in A-labels, all lower-case. */
  key: string
  problem?: string
}

const ATOM = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~\u0080-\uFFFF-]+$/

/** Checks an email address (RFC 5322 dot-atom local part, SMTPUTF8 characters allowed; quoted local parts refused). */
export function analyzeAddress(address: string): AddressAnalysis {
  const at = address.lastIndexOf('@')
  const local = at === -1 ? address : address.slice(0, at)
  const domain = at === -1 ? '' : address.slice(at + 1)
  const name = analyzeName(domain)
  const domainAscii = name.ascii || domain.toLowerCase()
  const result: AddressAnalysis = {local, domain, domainAscii, key: `${local.toLowerCase()}@${domainAscii}`}
  if (at === -1) return {...result, problem: 'it has no @'}
  if (local === '') return {...result, problem: 'the part before @ is empty'}
  if (local.length > 64) return {...result, problem: `the part before @ is ${local.length} characters long; at most 64 are allowed`}
  if (/\s/.test(address)) return {...result, problem: 'it contains spaces'}
  if (!local.split('.').every((atom) => atom !== '' && ATOM.test(atom))) return {...result, problem: `the part before @ ("${local}") has characters or dots an address cannot have`}
  if (domain === '') return {...result, problem: 'the part after @ is empty'}
  if (name.problem) return {...result, problem: `its domain "${domain}" is not valid: ${describeNameProblem(name.problem)}`}
  if (name.ip) return {...result, problem: 'its domain is an IP address'}
  if (name.trailingDot) return {...result, problem: 'its domain ends with a dot'}
  if (name.singleLabel) return {...result, problem: `its domain "${domain}" has no dot`}
  if (address.length > 254) return {...result, problem: `it is ${address.length} characters long; at most 254 are allowed`}
  return result
}
