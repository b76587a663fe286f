import {readFileSync} from 'node:fs'

const PEM_CERT = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g

/**
 * The DER certificates in a PEM bundle or a single DER file. Returns an empty list when the
 * bytes hold no certificate (the caller reports that); reading errors propagate.
 */
export function certificatesFromBytes(bytes: Buffer): Buffer[] {
  const text = bytes.toString('latin1')
  if (text.includes('-----BEGIN')) {
    return [...text.matchAll(PEM_CERT)].map((m) => Buffer.from(m[1]!.replace(/[^A-Za-z0-9+/=]/g, ''), 'base64'))
  }
  // DER: a certificate starts with SEQUENCE (0x30) and a long-form length.
  return bytes.length > 4 && bytes[0] === 0x30 ? [bytes] : []
}

export function readCertificateFile(path: string): Buffer[] {
  return certificatesFromBytes(readFileSync(path))
}

export function toPem(der: Buffer): string {
  const b64 = der.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '')
  return `-----BEGIN CERTIFICATE-----\n${b64}\n-----END CERTIFICATE-----\n`
}
