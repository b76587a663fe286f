import {CHECK_CODES} from './check/codes.js'
import type {CodeInfo} from './findings.js'
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
]

export function allCodes(): CodeInfo[] {
  return CODE_GROUPS.flatMap((g) => g.codes)
}
