import {countFindings, sortFindings} from '../core/findings.js'
import type {Report} from './report.js'

/** Version of the JSON document's shape; bumped only on incompatible changes. */
export const JSON_SCHEMA_VERSION = 1

/**
 * The one JSON document every command prints with --json (documented in the README):
 * `{schemaVersion, tool, version, command, exitCode, summary, findings, inputErrors, internalError?, ...data}`.
 */
export function renderJson(report: Report, meta: {version: string; exitCode: number}): string {
  const doc = {
    schemaVersion: JSON_SCHEMA_VERSION,
    tool: 'mailprofile',
    version: meta.version,
    command: report.command,
    exitCode: meta.exitCode,
    summary: countFindings(report.findings),
    findings: sortFindings(report.findings),
    inputErrors: report.inputErrors,
    ...(report.internalError ? {internalError: report.internalError} : {}),
    ...report.data,
  }
  return JSON.stringify(doc, null, 2) + '\n'
}
