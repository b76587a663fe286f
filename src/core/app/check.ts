/**
 * `check FILE`: the live check of a settings file, or of the servers a .mobileconfig names
 * (trusting the roots it installs). Settings that fail the schema are not probed.
 */
import type {CheckOptions} from '../check/options.js'
import type {CheckResult} from '../check/run-check.js'
import {pushAll} from '../arrays.js'
import type {Finding} from '../findings.js'
import type {CoreReport} from '../report.js'
import type {Settings} from '../settings/model.js'
import {checkOptionsFrom, unusedResolveNotices, type CheckOptionValues} from './check-options.js'
import {isProfile} from './inputs.js'

export type CheckFileReport = CoreReport<{file: string} & Partial<CheckData>> & {
  /** The check's result; absent when the settings failed the schema (nothing was probed). */
  result?: CheckResult
}

/** The part of a check's result the JSON document carries (check, probe, build --check). */
export interface CheckData {
  checkedAt: string
  appleTrustStoreVersion: string
  deadline?: CheckResult['deadline']
  endpoints: CheckResult['endpoints']
}

export function checkData(result: CheckResult): CheckData {
  return {checkedAt: result.checkedAt, appleTrustStoreVersion: result.appleTrustStoreVersion, ...(result.deadline ? {deadline: result.deadline} : {}), endpoints: result.endpoints}
}

export async function checkFile(file: string, values: CheckOptionValues): Promise<CheckFileReport> {
  const options = await checkOptionsFrom(values)
  const findings: Finding[] = []
  let settings: Settings
  let extraRoots = options.extraRoots
  let roots: Partial<CheckOptions> = {}
  if (isProfile(file)) {
    const input = (await import('../check/profile-input.js')).profileCheckInput(file)
    settings = input.settings
    extraRoots = [...extraRoots, ...input.roots]
    roots = {profileRoots: input.roots, trustInput: 'profile'}
  } else {
    const loaded = (await import('../settings/load.js')).loadSettings(file)
    pushAll(findings, loaded.findings)
    if (!loaded.settings) return {findings, inputErrors: [], data: {file, endpoints: []}}
    settings = loaded.settings
  }
  const {checkSettings} = await import('../check/run-check.js')
  const result = await checkSettings(settings, {...options, extraRoots, ...roots})
  pushAll(findings, result.findings)
  return {findings, inputErrors: [], result, notices: unusedResolveNotices(options), data: {file, ...checkData(result)}}
}
