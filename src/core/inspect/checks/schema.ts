/**
 * Apple's schemas on a parsed profile: unknown keys (with "did you mean"), wrong types (including
 * `<real>` where Apple wants `<integer>`), missing required keys and values outside Apple's lists;
 * one finding per value (a value of the wrong type is not also reported as outside the list).
 */
import {payloadSchemaKeys, validateConfiguration, type SchemaIssue} from '../../apple/schemas.js'
import {finding} from '../../codes.js'
import type {Finding} from '../../findings.js'
import {suggest} from '../../suggest.js'
import {describePointer, isDict, pointerSegments, type Dict} from '../profile.js'
import type {ProfileCheck, ProfileContext} from './types.js'

const CODE_FOR_KEYWORD: Record<string, string> = {additionalProperties: 'payload-unknown-key', type: 'payload-wrong-type', plistType: 'payload-wrong-type', required: 'payload-missing-key'}
const TYPE_KEYWORDS = new Set(['type', 'plistType'])

/** The PayloadType of the dictionary a pointer is in: the payload's, or Configuration at the top. */
function typeAt(pointer: string, payloads: readonly unknown[]): string {
  const m = /^\/PayloadContent\/(\d+)\//.exec(pointer)
  if (!m) return 'Configuration'
  const p = payloads[Number(m[1])]
  return isDict(p) && typeof p.PayloadType === 'string' ? p.PayloadType : ''
}

function issueFinding(issue: SchemaIssue, ctx: ProfileContext): Finding {
  const code = CODE_FOR_KEYWORD[issue.keyword] ?? 'payload-invalid-value'
  const where = describePointer(issue.path, ctx.payloads)
  const source = {file: ctx.file}
  switch (code) {
    case 'payload-unknown-key': {
      const key = pointerSegments(issue.path).at(-1) ?? ''
      const guess = suggest(key, [...payloadSchemaKeys(typeAt(issue.path, ctx.payloads))])
      return finding(code, {
        message: `${where} is not in Apple's schema for this payload${guess ? ` (did you mean ${guess}?)` : ''}: devices ignore it, so it has no effect.`,
        fix: guess ? `Write ${guess} (keys are case-sensitive), or remove the key.` : 'Fix the spelling (keys are case-sensitive) or remove the key.',
        source,
      })
    }
    case 'payload-missing-key':
      return finding(code, {message: `${where.replace(/ key [^ ]+$/, '')}: ${issue.message}. Devices refuse to install the profile.`, fix: 'Add the key.', source})
    default:
      return finding(code, {message: `${where} ${issue.message}. Devices reject the profile ("The profile is not valid") or ignore the setting.`, fix: 'Use the type and value Apple\'s schema gives.', source})
  }
}

/**
 * A copy of the profile with every `<real>` replaced by a fractional number, cloning only the
 * dictionaries and arrays on the way to a `<real>` (linear in the profile's size). ajv counts 1.0
 * as an integer; 0.5 it does not, so one validation of the copy finds every `<real>` Apple wants
 * as `<integer>`.
 */
function withFractionalReals(root: unknown, pointers: readonly string[]): unknown {
  interface Trie {
    children: Map<string, Trie>
    leaf: boolean
  }
  const trie: Trie = {children: new Map(), leaf: false}
  for (const pointer of pointers) {
    let node = trie
    for (const part of pointerSegments(pointer)) {
      let next = node.children.get(part)
      if (!next) node.children.set(part, (next = {children: new Map(), leaf: false}))
      node = next
    }
    node.leaf = true
  }
  const copy = (value: unknown, node: Trie): unknown => {
    if (node.leaf) return 0.5
    if (Array.isArray(value)) {
      const out = value.slice()
      for (const [key, child] of node.children) if (/^\d+$/.test(key) && Number(key) < out.length) out[Number(key)] = copy(out[Number(key)], child)
      return out
    }
    if (isDict(value)) {
      const out: Dict = {...value}
      for (const [key, child] of node.children) if (Object.hasOwn(value, key)) Object.defineProperty(out, key, {value: copy(value[key], child), enumerable: true, writable: true, configurable: true})
      return out
    }
    return value
  }
  return copy(root, trie)
}

export const schemaCheck: ProfileCheck = (ctx) => {
  const issues = validateConfiguration(ctx.profile).filter((i) => !(ctx.encrypted && i.keyword === 'required' && i.path === '/PayloadContent'))
  // `<real>` values Apple wants as `<integer>`: one more validation, of a copy with fractions in their place.
  const reals = new Set(ctx.plist.reals)
  const realIntegers = new Set<string>()
  if (reals.size > 0) {
    for (const i of validateConfiguration(withFractionalReals(ctx.profile, ctx.plist.reals) as Dict)) {
      if (reals.has(i.path) && i.keyword === 'type' && /integer/.test(i.message)) realIntegers.add(i.path)
    }
  }
  // A value of the wrong type is reported as such, not also as outside Apple's list or pattern.
  const wrongType = new Set([...issues.filter((i) => TYPE_KEYWORDS.has(i.keyword)).map((i) => i.path), ...realIntegers])
  const findings = issues.filter((i) => TYPE_KEYWORDS.has(i.keyword) || !wrongType.has(i.path) || CODE_FOR_KEYWORD[i.keyword]).map((i) => issueFinding(i, ctx))
  for (const pointer of realIntegers) {
    findings.push(
      finding('payload-wrong-type', {
        message: `${describePointer(pointer, ctx.payloads)} is a <real>, but Apple's schema says <integer>. Devices may reject the profile ("The profile is not valid").`,
        fix: 'Write it as <integer> (e.g. <integer>1</integer>).',
        source: {file: ctx.file},
      }),
    )
  }
  return findings
}
