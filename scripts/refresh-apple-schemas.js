#!/usr/bin/env node
// Converts Apple's device-management YAML (github.com/apple/device-management) into the JSON
// Schemas under schemas/apple/, which `build` validates every payload with and `inspect` lints
// existing profiles with. Also copies the YAML, Apple's LICENSE and the README naming the source
// commit into schemas/apple/source/, so the package ships the data it was built from.
//
//   npm run refresh:apple-schemas                      # from <repo>/../shared/reference/apple-device-management
//   npm run refresh:apple-schemas -- --from DIR        # or MAILPROFILE_APPLE_SCHEMA_SOURCE=DIR
//   npm run refresh:apple-schemas -- --check           # exit 1 when schemas/apple/ is not what the source gives
//
// When the reference folder is missing, the copy in schemas/apple/source/ is used, so the
// conversion can be re-run (and checked) from a plain clone.
//
// Conversion rules (field meanings: apple/device-management docs/schema.md):
//   <string> → type string   <integer> → type integer   <boolean> → type boolean   <real> → type number
//   <data>   → plistType "data" (a Buffer/Uint8Array from the plist parser; a custom ajv keyword)
//   <date>   → plistType "date" (a Date)   <any> → no constraint
//   <array>  → items from its single subkey   <dictionary> → properties from its subkeys;
//   a dictionary whose only subkey is `ANY` (or `<Name>Item` holding `ANY`, as ConsentText does)
//   allows any key with that value schema; otherwise additionalProperties false.
//   presence required → required   rangelist → enum   format → pattern (strings)
//   Payload schemas merge CommonPayloadKeys.yaml and pin PayloadType to the payload's type;
//   DDM declarations (configurations account.*.yaml, assets, activations: every YAML with a
//   payload.declarationtype) wrap the keys in the declaration envelope
//   {Type, Identifier, ServerToken, Payload}.
import {copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync} from 'node:fs'
import {basename, join, resolve} from 'node:path'
import {fileURLToPath} from 'node:url'
import {parse} from 'yaml'

const root = fileURLToPath(new URL('..', import.meta.url))
const outDir = join(root, 'schemas', 'apple')
const shippedSource = join(outDir, 'source')

/** The YAML files converted; the README and LICENSE of the reference folder are copied with them. */
export const SOURCE_FILES = [
  'TopLevel.yaml',
  'CommonPayloadKeys.yaml',
  'com.apple.mail.managed.yaml',
  'com.apple.security.root.yaml',
  'com.apple.security.pkcs1.yaml',
  'com.apple.security.pem.yaml',
  'com.apple.eas.account.yaml',
  'com.apple.caldav.account.yaml',
  'com.apple.carddav.account.yaml',
  'account.mail.yaml',
  // DDM assets the mail declaration references, and the activation that applies it.
  'useridentity.yaml',
  'credential.userpassword.yaml',
  'simple.yaml',
]

function parseArgs(argv) {
  const args = {from: process.env.MAILPROFILE_APPLE_SCHEMA_SOURCE, check: false}
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--from') args.from = argv[++i]
    else if (argv[i]?.startsWith('--from=')) args.from = argv[i].slice('--from='.length)
    else if (argv[i] === '--check') args.check = true
    else {
      console.error(`refresh-apple-schemas: unknown argument ${argv[i]}`)
      process.exit(2)
    }
  }
  if (!args.from) {
    const reference = resolve(root, '..', 'shared', 'reference', 'apple-device-management')
    args.from = existsSync(reference) ? reference : shippedSource
  }
  return args
}

const SCALARS = {'<string>': 'string', '<integer>': 'integer', '<boolean>': 'boolean', '<real>': 'number'}

function describe(key) {
  const out = {}
  if (key.title) out.title = key.title
  if (typeof key.content === 'string') out.description = key.content
  return out
}

/** One key's value schema. */
function valueSchema(key, where) {
  const schema = describe(key)
  const type = key.type
  if (SCALARS[type]) schema.type = SCALARS[type]
  else if (type === '<data>') schema.plistType = 'data'
  else if (type === '<date>') schema.plistType = 'date'
  else if (type === '<any>') {
    // no constraint
  } else if (type === '<array>') {
    schema.type = 'array'
    const [item] = key.subkeys ?? []
    if (item) schema.items = valueSchema(item, `${where}[]`)
  } else if (type === '<dictionary>') {
    Object.assign(schema, dictionarySchema(key.subkeys ?? [], `${where}.`, key.key))
  } else {
    throw new Error(`${where}: unknown type ${JSON.stringify(type)}`)
  }
  if (Array.isArray(key.rangelist)) schema.enum = key.rangelist
  if (typeof key.format === 'string' && schema.type === 'string') schema.pattern = key.format
  if (key.default !== undefined && schema.plistType === undefined) schema.default = key.default
  return schema
}

/** A dictionary's schema from its subkeys. */
function dictionarySchema(subkeys, where, name) {
  const only = subkeys.length === 1 ? subkeys[0] : undefined
  if (only?.key === 'ANY') return {type: 'object', additionalProperties: valueSchema(only, `${where}ANY`)}
  // ConsentText's style: the only subkey is `<Name>Item`, a dictionary describing its entries.
  if (only && only.type === '<dictionary>' && only.key === `${name}Item` && only.subkeys?.length === 1 && only.subkeys[0].key === 'ANY') {
    return {type: 'object', additionalProperties: valueSchema(only.subkeys[0], `${where}${only.key}.ANY`)}
  }
  const properties = {}
  const required = []
  for (const sub of subkeys) {
    if (sub.key === 'ANY') throw new Error(`${where}: ANY mixed with named keys`)
    properties[sub.key] = valueSchema(sub, `${where}${sub.key}`)
    if (sub.presence === 'required') required.push(sub.key)
  }
  const out = {type: 'object', properties}
  if (required.length > 0) out.required = required
  out.additionalProperties = false
  return out
}

function keysSchema(doc, file) {
  return dictionarySchema(doc.payloadkeys ?? [], `${file}:`, undefined)
}

const SCHEMA_DRAFT = 'http://json-schema.org/draft-07/schema#'
const ID_BASE = 'https://github.com/mailprofile/mailprofile/schemas/apple/'

function header(file, doc, sourceCommit) {
  return {
    $schema: SCHEMA_DRAFT,
    $id: `${ID_BASE}${file}`,
    title: doc.title,
    description: [doc.payload?.content ?? doc.description, `Generated by scripts/refresh-apple-schemas.js from apple/device-management ${sourceCommit} (source/${doc.__file}). Do not edit.`]
      .filter(Boolean)
      .join(' '),
  }
}

/** Converts the YAML documents into {fileName: schema} plus an index by payload type. */
export function convert(docs, sourceCommit) {
  const common = docs['CommonPayloadKeys.yaml']
  if (!common) throw new Error('CommonPayloadKeys.yaml is required')
  const commonSchema = keysSchema(common, 'CommonPayloadKeys.yaml')
  const outputs = {}
  const index = {profile: {}, declarations: {}}
  for (const [file, doc] of Object.entries(docs)) {
    if (file === 'CommonPayloadKeys.yaml') continue
    const name = file.replace(/\.yaml$/, '')
    const keys = keysSchema(doc, file)
    if (doc.payload?.declarationtype) {
      const type = doc.payload.declarationtype
      outputs[`${type}.json`] = {
        ...header(`${type}.json`, doc, sourceCommit),
        'x-declarationType': type,
        type: 'object',
        properties: {
          Type: {const: type},
          Identifier: {type: 'string', minLength: 1},
          ServerToken: {type: 'string', minLength: 1},
          Payload: keys,
        },
        required: ['Type', 'Identifier', 'ServerToken', 'Payload'],
        additionalProperties: false,
      }
      index.declarations[type] = `${type}.json`
    } else if (name === 'TopLevel') {
      keys.properties.PayloadType = {...keys.properties.PayloadType, const: 'Configuration'}
      outputs['TopLevel.json'] = {...header('TopLevel.json', doc, sourceCommit), 'x-payloadType': 'Configuration', ...keys}
      index.profile.Configuration = 'TopLevel.json'
    } else {
      const type = doc.payload?.payloadtype
      if (!type) throw new Error(`${file}: no payload.payloadtype`)
      const properties = {...JSON.parse(JSON.stringify(commonSchema.properties)), ...keys.properties}
      properties.PayloadType = {...properties.PayloadType, const: type}
      const required = [...new Set([...(commonSchema.required ?? []), ...(keys.required ?? [])])]
      outputs[`${type}.json`] = {...header(`${type}.json`, doc, sourceCommit), 'x-payloadType': type, type: 'object', properties, required, additionalProperties: false}
      index.profile[type] = `${type}.json`
    }
  }
  outputs['index.json'] = {
    description: `Apple payload and declaration types → schema files. Generated by scripts/refresh-apple-schemas.js from apple/device-management ${sourceCommit}.`,
    sourceCommit,
    ...index,
  }
  return outputs
}

function sourceCommitOf(readme) {
  const m = /commit `([0-9a-f]{40})`/.exec(readme)
  if (!m) throw new Error('README.md of the source does not name a 40-hex commit (`commit `<sha>``)')
  return m[1]
}

function main() {
  const args = parseArgs(process.argv.slice(2))
  const from = resolve(args.from)
  const readme = readFileSync(join(from, 'README.md'), 'utf8')
  const sourceCommit = sourceCommitOf(readme)
  const docs = {}
  for (const file of SOURCE_FILES) {
    const doc = parse(readFileSync(join(from, file), 'utf8'))
    Object.defineProperty(doc, '__file', {value: file, enumerable: false})
    docs[file] = doc
  }
  const outputs = convert(docs, sourceCommit)
  const rendered = Object.fromEntries(Object.entries(outputs).map(([f, s]) => [f, JSON.stringify(s, null, 2) + '\n']))
  if (args.check) {
    const stale = Object.entries(rendered).filter(([f, text]) => !existsSync(join(outDir, f)) || readFileSync(join(outDir, f), 'utf8') !== text)
    for (const [f] of stale) console.error(`schemas/apple/${f} differs from what ${from} gives`)
    process.exit(stale.length > 0 ? 1 : 0)
  }
  mkdirSync(shippedSource, {recursive: true})
  for (const [f, text] of Object.entries(rendered)) {
    const dest = join(outDir, f)
    writeFileSync(`${dest}.tmp`, text)
    renameSync(`${dest}.tmp`, dest)
  }
  // Stale outputs from an earlier source set.
  for (const f of readdirSync(outDir)) if (f.endsWith('.json') && !(f in rendered)) rmSync(join(outDir, f))
  if (resolve(from) !== resolve(shippedSource)) {
    for (const f of [...SOURCE_FILES, 'LICENSE.txt', 'README.md']) copyFileSync(join(from, f), join(shippedSource, basename(f)))
  }
  console.log(`schemas/apple: ${Object.keys(rendered).length} files from ${from} (apple/device-management ${sourceCommit})`)
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main()
