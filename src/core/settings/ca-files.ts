/**
 * The settings' trust.caFiles, read and parsed once (the loader, src/core/settings/workspace.ts,
 * calls this; lint's CA rules, `check` and `build` use what it returns). Each certificate is kept as
 * its own DER bytes only (never what follows it in the file); a file that cannot be used, carries
 * trailing bytes or a private key gets a loading finding with the codes lint reports.
 */
import {resolve} from 'node:path'

import type {Finding, SourceLocation} from '../findings.js'
import {readNamedFile} from '../files.js'
import {parseCertificate, type ParsedCertificate} from '../x509/certificate.js'
import {readCertificateFileContents} from '../x509/certificate-file.js'
import {settingsFinding} from './codes.js'
import {displayPath} from './display-path.js'
import type {Settings} from './model.js'

export interface CaFileCertificate {
  der: Buffer
  parsed: ParsedCertificate
  /** 0-based position in its file, and how many certificates the file holds. */
  index: number
  count: number
}

export interface LoadedCaFile {
  /** As written in the settings. */
  path: string
  /** As shown in messages (relative to where the settings file was named). */
  shown: string
  source: SourceLocation
  /** The certificates that parsed (possibly none). */
  certificates: CaFileCertificate[]
  /** What went wrong reading this file, in the order found. */
  findings: Finding[]
}

/** What the file holds instead of a certificate, for the message. */
export function describeNonCertificate(bytes: Buffer): string {
  const text = bytes.toString('latin1')
  if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(text)) return 'it holds a private key, not a certificate'
  if (text.includes('-----BEGIN CERTIFICATE REQUEST-----')) return 'it holds a certificate signing request (CSR), not a certificate'
  if (text.includes('-----BEGIN CERTIFICATE-----')) return 'its PEM certificate block is damaged'
  if (bytes[0] === 0x30) return 'it is DER data but not a certificate (a PKCS#12 or key file?)'
  return 'it is neither PEM (-----BEGIN CERTIFICATE-----) nor DER'
}

function notCertificate(shown: string, why: string, source: SourceLocation): Finding {
  return settingsFinding('ca-file-not-certificate', {message: `CA file "${shown}" holds no usable certificate: ${why}. Nothing would be embedded in the profiles.`, source})
}

/** Reads one CA file named in the settings. */
export function loadCaFile(settings: Pick<Settings, 'file' | 'baseDir'>, path: string, source: SourceLocation): LoadedCaFile {
  const shown = displayPath(settings.file, path)
  const out: LoadedCaFile = {path, shown, source, certificates: [], findings: []}
  const read = readNamedFile(resolve(settings.baseDir, path), 'CA certificate file')
  if ('problem' in read) {
    out.findings.push(settingsFinding('ca-file-unreadable', {message: `CA file "${shown}" cannot be read: ${read.problem}. It cannot be embedded in profiles, and check cannot trust it.`, source}))
    return out
  }
  const contents = readCertificateFileContents(read.bytes)
  if (contents.ders.length === 0) {
    out.findings.push(notCertificate(shown, describeNonCertificate(read.bytes), source))
    return out
  }
  if (contents.trailingBytes > 0) {
    out.findings.push(
      settingsFinding('ca-file-trailing-data', {
        message: `CA file "${shown}" holds ${contents.trailingBytes} byte${contents.trailingBytes === 1 ? '' : 's'} after its DER certificate${contents.privateKey ? ', and they are a private key' : ''}: only the certificate would be embedded, but a file like this must not be published as a CA file.`,
        source,
      }),
    )
  } else if (contents.privateKey) {
    out.findings.push(settingsFinding('ca-file-private-key', {message: `CA file "${shown}" holds a private key next to its certificate: the key is never embedded, but it does not belong in a file that is published in every profile.`, source}))
  }
  contents.ders.forEach((der, index) => {
    try {
      out.certificates.push({der, parsed: parseCertificate(der), index, count: contents.ders.length})
    } catch (error) {
      out.findings.push(notCertificate(shown, `the certificate cannot be parsed (${(error as Error).message})`, source))
    }
  })
  return out
}

/** Every trust.caFiles entry, in settings order. */
export function loadCaFiles(settings: Pick<Settings, 'file' | 'baseDir' | 'trust'>): LoadedCaFile[] {
  return settings.trust.caFiles.map((ca) => loadCaFile(settings, ca.path, ca.source))
}

/** The loading findings of every CA file, in order. */
export function caFileLoadFindings(files: readonly LoadedCaFile[]): Finding[] {
  return files.flatMap((f) => f.findings)
}

/** Every certificate's DER bytes, in order (what `check` trusts). */
export function caFileRoots(files: readonly LoadedCaFile[]): Buffer[] {
  return files.flatMap((f) => f.certificates.map((c) => c.der))
}
