/**
 * Options shared by `check` and `probe` (and `build --check`): when to judge validity, which
 * roots to trust beyond Apple's store, time limits and concurrency, --resolve overrides.
 */
import {readFileSync} from 'node:fs'
import {resolve} from 'node:path'

import {InputError} from '../errors.js'
import type {Finding} from '../findings.js'
import {displayPath} from '../settings/load.js'
import type {Settings} from '../settings/model.js'
import {certificatesFromBytes} from '../x509/pem.js'
import type {AppleTrustStore} from '../x509/trust-store.js'
import type {ResolveMap} from './resolve.js'
import {pushAll} from '../arrays.js'

export interface CheckOptions {
  /** The instant validity is judged at (--at; default now). */
  now: Date
  /** Warn when a certificate expires within this many days (--warn-days). */
  warnDays: number
  /** Limit per phase (connect, greeting, each command, upgrade, handshake), seconds (--timeout). */
  timeoutSeconds: number
  /** Bound for the whole run, seconds (--deadline): endpoints not done by then get deadline-exceeded. */
  deadlineSeconds?: number
  /** Endpoints probed at once (--concurrency; default: the net layer's DEFAULT_CONCURRENCY). */
  concurrency?: number
  /** Roots trusted in addition to Apple's store, DER (--ca and the settings' trust.caFiles). */
  extraRoots: Buffer[]
  /** Of extraRoots, those the profile installs (trust.caFiles, a checked profile's root payloads). */
  profileRoots?: Buffer[]
  /** Where the trusted roots come from, for advice in messages (default 'settings'). */
  trustInput?: 'settings' | 'profile' | 'probe'
  /** SHA-256 pins from the settings' trust.pins. */
  pins?: string[]
  /** --resolve HOST:PORT:ADDRESS overrides. */
  resolve?: ResolveMap
  /** --apple-trust-store: another snapshot of Apple's trust store (default: the one shipped). */
  appleStore?: AppleTrustStore
}

/** Reads `--ca FILE` (PEM bundle or DER). Unreadable or certificate-free files are unusable input. */
export function readCaFile(file: string): Buffer[] {
  let bytes: Buffer
  try {
    bytes = readFileSync(file)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    throw new InputError(`--ca: cannot read the CA file (${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (code ?? (error as Error).message)})`, {file})
  }
  const certs = certificatesFromBytes(bytes)
  if (certs.length === 0) throw new InputError('--ca: the file holds no certificate (expected PEM "-----BEGIN CERTIFICATE-----" or DER)', {file})
  return certs
}

/**
 * The settings' trust.caFiles, read relative to the settings file. An unreadable file becomes a
 * finding (`lint` reports the same code) rather than stopping the check.
 */
export function readSettingsCaFiles(settings: Settings): {roots: Buffer[]; findings: Finding[]} {
  const roots: Buffer[] = []
  const findings: Finding[] = []
  for (const ca of settings.trust.caFiles) {
    const shown = displayPath(settings.file, ca.path)
    let certs: Buffer[]
    try {
      certs = certificatesFromBytes(readFileSync(resolve(settings.baseDir, ca.path)))
    } catch (error) {
      findings.push({
        code: 'ca-file-unreadable',
        severity: 'error',
        message: `The CA file "${shown}" cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); the check cannot trust it and no profile can embed it.`,
        fix: 'Fix the path (relative to the settings file) or the file\'s permissions.',
        source: ca.source,
      })
      continue
    }
    if (certs.length === 0) {
      findings.push({
        code: 'ca-file-not-certificate',
        severity: 'error',
        message: `The CA file "${shown}" holds no certificate.`,
        fix: 'Export the CA certificate as PEM or DER (not a key, CSR or PKCS#12).',
        source: ca.source,
      })
      continue
    }
    pushAll(roots, certs)
  }
  return {roots, findings}
}

/**
 * Parses --at: an ISO date ("2026-03-01") or date-time ("2026-03-01T12:00:00Z"). A bare date means
 * midnight UTC of that day.
 */
export function parseAt(text: string): Date {
  const t = text.trim()
  if (/^\d{4}-\d{2}-\d{2}$/.test(t)) {
    const d = new Date(`${t}T00:00:00Z`)
    if (!Number.isNaN(d.getTime()) && d.toISOString().startsWith(t)) return d
  } else if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/.test(t)) {
    const d = new Date(t)
    if (!Number.isNaN(d.getTime())) return d
  }
  throw new InputError(`--at "${text}": expected a date like 2026-03-01 or a date-time like 2026-03-01T09:00:00Z`)
}
