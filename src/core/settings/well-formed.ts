/**
 * The well-formed parts of a settings document that fails the schema, so that lint's rules can
 * run on them and one run shows every problem. Unknown keys (already reported) are left out; then
 * each part that still fails the schema is skipped: a domain, a user, `organization`, `profile`,
 * `trust.caFiles` or `trust.pins`, `signing`, `usersFile`. What remains satisfies the schema, so
 * the rules see the same shapes as on a valid file. Only lint uses this: check and build never
 * work from a document with schema errors.
 */
import type {ErrorObject} from 'ajv'

import {pointerPath, type PathSegment} from './document.js'
import type {RawSettings} from './model.js'
import validate from './settings-validator.generated.js'

/** What was skipped, for rules whose findings would be false without the skipped parts. */
export interface Malformed {
  /** `organization` is skipped: identifiers cannot be derived. */
  organization: boolean
  /** At least one domain (or the whole `domains` list) is skipped: a user's domain may be among them. */
  domains: boolean
}

export interface WellFormedParts {
  /** The document without unknown keys and without its malformed parts (malformed domains and users are named by `keep`). */
  raw: RawSettings
  keep: {domain(index: number): boolean; user(index: number): boolean}
  malformed: Malformed
}

type Json = Record<string, unknown>

const isMapping = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v)

function holderAt(data: unknown, path: readonly PathSegment[]): unknown {
  let node = data
  for (const seg of path) node = node !== null && typeof node === 'object' ? (node as Record<string | number, unknown>)[seg] : undefined
  return node
}

/** A copy of the document without the keys the schema does not know (each one is reported as unknown-key or password-in-settings). */
function withoutUnknownKeys(data: Json, errors: readonly ErrorObject[]): Json {
  const copy = structuredClone(data)
  for (const e of errors) {
    if (e.keyword !== 'additionalProperties') continue
    const holder = holderAt(copy, pointerPath(e.instancePath))
    if (isMapping(holder)) delete holder[(e.params as {additionalProperty: string}).additionalProperty]
  }
  return copy
}

/**
 * The well-formed parts of `data`, a mapping that failed the schema with `errors` (ajv's, from
 * validateSettingsDocument's run).
 */
export function wellFormedParts(data: Json, errors: readonly ErrorObject[]): WellFormedParts {
  const clean = withoutUnknownKeys(data, errors)
  const badDomains = new Set<number>()
  const badUsers = new Set<number>()
  let allDomains = false
  let allUsers = false
  const drop = new Set<string>()
  const dropTrust = new Set<string>()
  const remaining = validate(clean) ? [] : (validate.errors ?? [])
  for (const e of remaining) {
    const path = pointerPath(e.instancePath)
    const [top, second] = path
    if (top === undefined) {
      // At the top level only `required` remains (unknown keys are gone, the loader refused a non-mapping).
      const missing = (e.params as {missingProperty?: string}).missingProperty
      if (missing === 'domains') allDomains = true
      else if (missing !== undefined) drop.add(missing)
    } else if (top === 'domains') {
      if (typeof second === 'number') badDomains.add(second)
      else allDomains = true
    } else if (top === 'users') {
      if (typeof second === 'number') badUsers.add(second)
      else allUsers = true
    } else if (top === 'trust' && typeof second === 'string') {
      dropTrust.add(second)
    } else {
      drop.add(String(top))
    }
  }
  for (const key of drop) if (key !== 'organization') delete clean[key]
  const trust = clean.trust
  if (isMapping(trust)) for (const key of dropTrust) delete trust[key]
  const organizationBad = drop.has('organization')
  if (organizationBad) {
    // Kept only so the normalized settings have their shape; identifier rules are skipped (Malformed.organization).
    const org = isMapping(clean.organization) ? clean.organization : {}
    clean.organization = {name: typeof org.name === 'string' ? org.name : '', identifier: typeof org.identifier === 'string' ? org.identifier : ''}
  }
  if (allDomains) clean.domains = []
  if (allUsers) delete clean.users
  return {
    raw: clean as unknown as RawSettings,
    keep: {domain: (i) => !badDomains.has(i), user: (i) => !badUsers.has(i)},
    malformed: {organization: organizationBad, domains: allDomains || badDomains.size > 0},
  }
}
