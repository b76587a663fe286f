import type {CodeInfo} from './findings.js'
import {SETTINGS_CODES} from './settings/codes.js'

/**
 * The registry of every finding code, one list per concern. The README's table of codes is
 * generated from it (`npm run docs`), and a test checks that every code the source emits is here.
 */
export const CODE_GROUPS: Array<{title: string; command: string; codes: CodeInfo[]}> = [
  {title: 'Settings file (`lint`)', command: 'lint', codes: SETTINGS_CODES},
]

export function allCodes(): CodeInfo[] {
  return CODE_GROUPS.flatMap((g) => g.codes)
}
