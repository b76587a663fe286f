/**
 * The well-formed parts of a settings document that fails the schema, so that lint's rules can
 * run on them and one run shows every problem. Unknown keys (already reported) are left out; then
 * each part that still fails the schema is skipped, the smallest that holds the error: one server of
 * a domain (its `incoming` or `outgoing` block, wrong or missing: the domain and its other server are
 * still judged), a domain (its `domain` or `identifier` is wrong), a domain's `displayName` (the
 * default stands in: no rule reads it), a user, `organization`, `profile`, `trust.caFiles` or
 * `trust.pins`, `signing`, `usersFile`. What remains satisfies the schema, so the rules see the same
 * shapes as on a valid file (a skipped server is absent: LintDomainSettings). Only lint uses this: check and build never
 * work from a document with schema errors.
 */
import type {ErrorObject} from 'ajv'

import {pointerPath, type PathSegment} from './document.js'
import type {KeepEntries, RawSettings, ServerSide} from './model.js'
import validate from './settings-validator.generated.js'

/** What was skipped, for rules whose findings would be false without the skipped parts. */
export interface Malformed {
  /** `organization` is skipped: identifiers cannot be derived. */
  organization: boolean
  /** At least one domain (or the whole `domains` list) is skipped: a user's domain may be among them. A skipped server does not count. */
  domains: boolean
}

export interface WellFormedParts {
  /** The document without unknown keys and without its malformed parts (malformed domains, servers and users are named by `keep`). */
  raw: RawSettings
  keep: KeepEntries
  malformed: Malformed
}

type Json = Record<string, unknown>

const SIDES: readonly unknown[] = ['incoming', 'outgoing'] satisfies ServerSide[]

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
  const badServers = new Set<string>()
  const badDisplayNames = new Set<number>()
  const badUsers = new Set<number>()
  let allDomains = false
  let allUsers = false
  const drop = new Set<string>()
  const dropTrust = new Set<string>()
  /** Marks the smallest part of domains[i] that holds `e` (at `rest`, below the domain) as malformed. */
  const malformedInDomain = (e: ErrorObject, i: number, rest: readonly PathSegment[]) => {
    const [key] = rest
    const missing = (e.params as {missingProperty?: string}).missingProperty
    if (key === undefined && e.keyword === 'required' && SIDES.includes(missing)) badServers.add(`${i} ${missing}`)
    else if (SIDES.includes(key)) badServers.add(`${i} ${key}`)
    else if (key === 'displayName') badDisplayNames.add(i)
    else badDomains.add(i)
  }
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
      if (typeof second !== 'number') allDomains = true
      else malformedInDomain(e, second, path.slice(2))
    } else if (top === 'users') {
      if (typeof second === 'number') badUsers.add(second)
      else allUsers = true
    } else if (top === 'trust' && typeof second === 'string') {
      dropTrust.add(second)
    } else {
      drop.add(String(top))
    }
  }
  // The default (the domain) stands in for a malformed displayName.
  const domains = Array.isArray(clean.domains) ? clean.domains : []
  for (const i of badDisplayNames) if (isMapping(domains[i])) delete domains[i].displayName
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
    keep: {domain: (i) => !badDomains.has(i), server: (i, side) => !badServers.has(`${i} ${side}`), user: (i) => !badUsers.has(i)},
    malformed: {organization: organizationBad, domains: allDomains || badDomains.size > 0},
  }
}
