/**
 * What a certificate file (PEM bundle or one DER certificate) holds, read strictly: a DER file is
 * exactly one certificate — its own bytes, measured by the outer SEQUENCE's length, never what
 * follows (`cat root.der key.der > ca.der` must not ship the key) — and a PEM file that also holds
 * a private key is flagged, so callers can refuse it instead of embedding or trusting it.
 */
import {createPrivateKey} from 'node:crypto'

import {InputError} from '../errors.js'
import {readInputFile} from '../files.js'

import {certificatesFromBytes} from './pem.js'

export interface CertificateFileContents {
  /** Each certificate's own DER bytes, in file order. */
  ders: Buffer[]
  /** Bytes after a DER certificate's end (the file is refused by callers when > 0). */
  trailingBytes: number
  /** The file carries a private key (PEM block, or DER after the certificate that parses as one). */
  privateKey: boolean
}

const PEM_PRIVATE_KEY = /-----BEGIN [A-Z ]*PRIVATE KEY-----/

/** Length of the DER element at the start of `bytes` (tag, length, contents), or undefined when it is not one. */
export function derElementLength(bytes: Uint8Array): number | undefined {
  if (bytes.length < 2) return undefined
  const first = bytes[1]!
  if (first < 0x80) return 2 + first
  const count = first & 0x7f
  // Indefinite length (0x80) is not DER; more than 4 length bytes is no certificate.
  if (count === 0 || count > 4 || bytes.length < 2 + count) return undefined
  let length = 0
  for (let i = 0; i < count; i++) length = length * 256 + bytes[2 + i]!
  return 2 + count + length
}

export function readCertificateFileContents(bytes: Buffer): CertificateFileContents {
  const text = bytes.toString('latin1')
  if (text.includes('-----BEGIN')) return {ders: certificatesFromBytes(bytes), trailingBytes: 0, privateKey: PEM_PRIVATE_KEY.test(text)}
  if (bytes.length <= 4 || bytes[0] !== 0x30) return {ders: [], trailingBytes: 0, privateKey: false}
  const length = derElementLength(bytes)
  if (length === undefined || length > bytes.length) return {ders: [], trailingBytes: 0, privateKey: false}
  const rest = bytes.subarray(length)
  return {ders: [Buffer.from(bytes.subarray(0, length))], trailingBytes: rest.length, privateKey: rest.length > 0 && holdsPrivateKey(rest)}
}

/** Whether DER bytes hold a private key node:crypto can read (PKCS#8, PKCS#1 RSA or SEC 1 EC). */
function holdsPrivateKey(der: Buffer): boolean {
  const length = derElementLength(der)
  const element = length === undefined ? der : der.subarray(0, length)
  for (const type of ['pkcs8', 'pkcs1', 'sec1'] as const) {
    try {
      createPrivateKey({key: element, format: 'der', type})
      return true
    } catch {
      // try the next encoding
    }
  }
  return false
}

/**
 * Reads a certificate file named on the command line (`--ca`, `inspect --trust`): PEM bundle or one
 * DER certificate, through the one guarded reader (regular files, bounded size). A file with bytes
 * after its DER certificate, or with a private key, is refused: it is not what the flag asks for.
 */
export function readCertificateFlagFile(file: string, flag: string): Buffer[] {
  const contents = readCertificateFileContents(readInputFile(file, flag, 'CA file'))
  if (contents.ders.length === 0) throw new InputError(`${flag} file holds no certificate (expected PEM "-----BEGIN CERTIFICATE-----" or DER)`, {file})
  if (contents.trailingBytes > 0) throw new InputError(`${flag}: the file holds ${contents.trailingBytes} bytes after its DER certificate${contents.privateKey ? ' (a private key)' : ''}; give the certificate alone`, {file})
  if (contents.privateKey) throw new InputError(`${flag}: the file holds a private key next to the certificate; give the certificate alone and keep the key private`, {file})
  return contents.ders
}
