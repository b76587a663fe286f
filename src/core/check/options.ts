/**
 * Options shared by `check` and `probe` (and `build --check`): when to judge validity, which
 * roots to trust beyond Apple's store, time limits and concurrency, --resolve overrides.
 */
import {InputError} from '../errors.js'
import type {Finding} from '../findings.js'
import {caFileLoadFindings, caFileRoots, loadCaFiles, type LoadedCaFile} from '../settings/ca-files.js'
import type {Settings} from '../settings/model.js'
import {readCertificateFlagFile} from '../x509/certificate-file.js'
import type {AppleTrustStore} from '../x509/trust-store.js'
import type {ResolveMap} from './resolve.js'

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
  return readCertificateFlagFile(file, '--ca')
}

/**
 * The settings' trust.caFiles, through the one CA loader (src/core/settings/ca-files.ts) unless the
 * caller loaded them already (build --check). An unusable file becomes a finding (`lint` reports
 * the same code) rather than stopping the check.
 */
export function readSettingsCaFiles(settings: Settings, loaded: readonly LoadedCaFile[] = loadCaFiles(settings)): {roots: Buffer[]; findings: Finding[]} {
  return {roots: caFileRoots(loaded), findings: caFileLoadFindings(loaded)}
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
