import {CHECK_CODES} from './check/codes.js'
import {DOCTOR_CODES} from './doctor/codes.js'
import type {CodeInfo, Finding, FindingDetails} from './findings.js'
import {GENERATE_CODES} from './generate/codes.js'
import {INSPECT_CODES} from './inspect/codes.js'
import {NET_CODES} from './net/codes.js'
import {SETTINGS_CODES} from './settings/codes.js'
import {X509_CODES} from './x509/codes.js'

/**
 * The registry of every finding code, one list per concern. The README's table of codes is
 * generated from it (`npm run docs`), and a test checks that every code the source emits is here.
 */
export const CODE_GROUPS: Array<{title: string; codes: CodeInfo[]}> = [
  {title: 'Settings files (`lint`)', codes: SETTINGS_CODES},
  {title: 'Connections and protocols (`check`, `probe`)', codes: [...NET_CODES, ...CHECK_CODES]},
  {title: 'Certificates (`check`, `probe`)', codes: X509_CODES},
  {title: 'Profile generation (`build`)', codes: GENERATE_CODES},
  {title: 'Existing profiles (`inspect`, `lint` on .mobileconfig)', codes: INSPECT_CODES},
  {title: 'Discovery (`doctor`)', codes: DOCTOR_CODES},
]

export type {FindingDetails} from './findings.js'

export function allCodes(): CodeInfo[] {
  return CODE_GROUPS.flatMap((g) => g.codes)
}

let byCode: Map<string, CodeInfo> | undefined

/** The registry entry for `code`; throws for a code that is not registered (a bug, not an input error). */
export function codeInfo(code: string): CodeInfo {
  byCode ??= new Map(allCodes().map((c) => [c.code, c]))
  const info = byCode.get(code)
  if (!info) throw new Error(`mailprofile bug: finding code "${code}" is not in the registry (src/core/codes.ts)`)
  return info
}

/** Makes a finding from its registered code: the one way findings are made. */
export function finding(code: string, details: FindingDetails): Finding {
  const info = codeInfo(code)
  const out: Finding = {code, severity: info.severity, message: details.message, fix: details.fix ?? info.fix}
  if (details.source) out.source = details.source
  if (details.endpoint) out.endpoint = details.endpoint
  return out
}
