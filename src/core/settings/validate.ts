import type {ErrorObject} from 'ajv'

import {settingsFinding} from './codes.js'
import type {Finding} from '../findings.js'
import {suggest} from '../suggest.js'
import {pointerPath, readablePath, type PathSegment, type SourceDocument} from './document.js'
import {isSecretKey} from './rules/secrets.js'
import {settingsSchema} from './schema.js'
// Compiled from schemas/mailprofile.schema.json by scripts/build-validator.js (npm run build):
// start-up then needs neither ajv's compiler nor a schema compile.
import validate from './settings-validator.generated.js'

function resolveSchema(schemaPath: string): Record<string, unknown> | undefined {
  // schemaPath looks like "#/definitions/domain/additionalProperties": walk it.
  let node: unknown = settingsSchema()
  for (const seg of schemaPath.replace(/^#\//, '').split('/').slice(0, -1)) {
    if (node && typeof node === 'object') node = (node as Record<string, unknown>)[seg]
  }
  return node as Record<string, unknown> | undefined
}

const TYPE_NAMES: Record<string, string> = {object: 'a mapping', array: 'a list', integer: 'an integer', string: 'text', boolean: 'true or false', number: 'a number'}

/** Where in the settings a key is known (e.g. `port` → domains[].incoming, domains[].outgoing), for keys written at the wrong level. */
function placesOf(key: string): string[] {
  const schema = settingsSchema() as {definitions?: Record<string, unknown>}
  const places: string[] = []
  const walk = (node: unknown, path: string): void => {
    if (!node || typeof node !== 'object') return
    let n = node as {$ref?: string; properties?: Record<string, unknown>; items?: unknown; type?: string}
    if (n.$ref) n = (schema.definitions?.[n.$ref.replace('#/definitions/', '')] ?? {}) as typeof n
    if (n.type === 'array') return walk(n.items, `${path}[]`)
    for (const [k, child] of Object.entries(n.properties ?? {})) {
      if (k === key) places.push(path || 'the top level')
      walk(child, path ? `${path}.${k}` : k)
    }
  }
  walk(schema, '')
  return places
}

function describeType(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'a list'
  if (typeof value === 'object') return 'a mapping'
  if (typeof value === 'string') return `the text ${JSON.stringify(value)}`
  return `${typeof value} ${JSON.stringify(value)}`
}

function valueAt(data: unknown, path: PathSegment[]): unknown {
  let node = data
  for (const seg of path) node = (node as Record<string | number, unknown> | undefined)?.[seg]
  return node
}

function toFinding(error: ErrorObject, doc: SourceDocument): Finding {
  const path = pointerPath(error.instancePath)
  const where = path.length === 0 ? 'the top level' : readablePath(path)
  switch (error.keyword) {
    case 'additionalProperties': {
      const key = (error.params as {additionalProperty: string}).additionalProperty
      const known = Object.keys((resolveSchema(error.schemaPath)?.properties as object | undefined) ?? {})
      const guess = suggest(key, known)
      const elsewhere = guess ? [] : placesOf(key)
      return settingsFinding('unknown-key', {
        message: `Unknown key "${key}" in ${where}${guess ? `: did you mean "${guess}"?` : elsewhere.length ? `: it belongs in ${elsewhere.join(' or ')}.` : '.'} Unknown keys are refused so that a typo never silently drops a setting.`,
        fix: guess ? `Rename "${key}" to "${guess}".` : elsewhere.length ? `Move "${key}" into ${elsewhere.join(' or ')}.` : `Remove "${key}"; known keys here: ${known.join(', ')}.`,
        source: doc.locate([...path, key], {key: true}),
      })
    }
    case 'required': {
      const missing = (error.params as {missingProperty: string}).missingProperty
      return settingsFinding('missing-key', {
        message: `${path.length === 0 ? 'The settings file' : where} needs "${missing}".`,
        fix: `Add "${missing}" (see the settings reference in the README).`,
        source: doc.locate(path),
      })
    }
    case 'enum': {
      const allowed = (error.params as {allowedValues: unknown[]}).allowedValues
      const value = valueAt(doc.data, path)
      const guess = typeof value === 'string' ? suggest(value, allowed.map(String)) : undefined
      return settingsFinding('invalid-value', {
        message: `${where} is ${describeType(value)}; it must be one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}${guess ? ` (did you mean "${guess}"?)` : ''}.`,
        fix: `Use one of ${allowed.map(String).join(', ')}.`,
        source: doc.locate(path),
      })
    }
    case 'type': {
      const expected = (error.params as {type: string}).type
      return settingsFinding('wrong-type', {
        message: `${where} is ${describeType(valueAt(doc.data, path))}; expected ${TYPE_NAMES[expected] ?? `a ${expected}`}.`,
        fix: `Write ${where} as ${expected === 'object' ? 'a mapping of keys' : (TYPE_NAMES[expected] ?? `a ${expected}`)}${expected === 'integer' ? ', without quotes' : ''}.`,
        source: doc.locate(path),
      })
    }
    case 'const': {
      const allowed = (error.params as {allowedValue: unknown}).allowedValue
      return settingsFinding('invalid-value', {
        message: `${where} is ${describeType(valueAt(doc.data, path))}; it must be ${JSON.stringify(allowed)}.`,
        fix: `Write ${where}: ${JSON.stringify(allowed)}.`,
        source: doc.locate(path),
      })
    }
    case 'minLength':
    case 'minItems':
      return settingsFinding('invalid-value', {
        message: `${where} is empty.`,
        fix: error.keyword === 'minItems' ? `Give ${where} at least one entry.` : `Give ${where} a value, or remove it.`,
        source: doc.locate(path),
      })
    case 'minimum':
    case 'maximum':
      return settingsFinding('invalid-value', {
        message: `${where} is ${describeType(valueAt(doc.data, path))}; ports are between 1 and 65535.`,
        fix: 'Use the server\'s port number (RFC 8314: 993 IMAP, 995 POP3, 465 submission).',
        source: doc.locate(path),
      })
    case 'pattern':
      // Never echo the value: a passphrase written where its variable's name belongs must not be printed.
      return settingsFinding('invalid-value', {
        message: `${where} is not an environment variable name (letters, digits and _, not starting with a digit): it must name the variable that holds the passphrase, never the passphrase itself.`,
        fix: `Write e.g. ${where}: MAILPROFILE_SIGNING_PASSPHRASE, and set that variable when running build. If a passphrase was written here, change it.`,
        source: doc.locate(path),
      })
    default:
      return settingsFinding('invalid-value', {
        message: `${where} ${error.message ?? 'is invalid'} (it is ${describeType(valueAt(doc.data, path))}).`,
        fix: 'See the settings reference in the README.',
        source: doc.locate(path),
      })
  }
}

/**
 * Validates the document against the settings schema; returns findings (empty when valid) and
 * ajv's errors, which src/core/settings/well-formed.ts reads to find the parts that are well-formed.
 */
export function validateSettingsDocument(doc: SourceDocument): {findings: Finding[]; errors: readonly ErrorObject[]} {
  if (validate(doc.data)) return {findings: [], errors: []}
  const errors = [...(validate.errors ?? [])]
  const seen = new Set<string>()
  const findings: Finding[] = []
  for (const error of errors) {
    // Secret-named keys (password, …) are reported by the secrets rule as password-in-settings instead.
    if (error.keyword === 'additionalProperties' && isSecretKey((error.params as {additionalProperty: string}).additionalProperty)) continue
    // `const` and `enum` on the same path repeat each other; type errors on a parent make children noise.
    const f = toFinding(error, doc)
    const key = `${f.code}|${f.source?.pointer}|${f.message}`
    if (seen.has(key)) continue
    seen.add(key)
    findings.push(f)
  }
  return {findings, errors}
}
