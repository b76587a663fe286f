/**
 * Apple's payload schemas (schemas/apple/*.json, converted from apple/device-management by
 * scripts/refresh-apple-schemas.js) as validators: `build` checks every payload before writing,
 * `inspect` lints existing profiles with the same functions. The validators are compiled at build
 * time (scripts/build-validator.js, ajv's standalone code), so no run compiles a schema.
 *
 * `<data>` and `<date>` values are what the plist readers give (Uint8Array/Buffer, Date); the
 * schemas mark them with the keyword `plistType`, so one schema validates built and parsed payloads.
 */
import type {ErrorObject} from 'ajv'

import {declarationValidators, profileKeys, profileValidators, sourceCommit} from './apple-validators.generated.js'
import {pushAll} from '../arrays.js'

export interface SchemaIssue {
  /** JSON pointer of the value, e.g. `/PayloadContent/0/IncomingMailServerPortNumber`. */
  path: string
  message: string
  /** The JSON Schema keyword that failed: `type`, `required`, `additionalProperties`, `enum`, `plistType`, … */
  keyword: string
}

type Validator = (typeof profileValidators)[string]

const PLIST_NAMES: Record<string, string> = {string: '<string>', integer: '<integer>', boolean: '<boolean>', number: '<real>', array: '<array>', object: '<dictionary>'}

function describeError(e: ErrorObject): SchemaIssue {
  const params = e.params as Record<string, unknown>
  switch (e.keyword) {
    case 'required':
      return {path: `${e.instancePath}/${String(params.missingProperty)}`, keyword: e.keyword, message: `missing required key ${String(params.missingProperty)}`}
    case 'additionalProperties':
      return {path: `${e.instancePath}/${String(params.additionalProperty)}`, keyword: e.keyword, message: `unknown key ${String(params.additionalProperty)}: not in Apple's schema for this payload`}
    case 'type':
      return {path: e.instancePath, keyword: e.keyword, message: `must be ${PLIST_NAMES[String(params.type)] ?? String(params.type)}`}
    case 'enum':
      return {path: e.instancePath, keyword: e.keyword, message: `must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`}
    case 'const':
      return {path: e.instancePath, keyword: e.keyword, message: `must be ${JSON.stringify(params.allowedValue)}`}
    case 'plistType':
      return {path: e.instancePath, keyword: e.keyword, message: `must be <${String(params.plistType)}>`}
    default:
      return {path: e.instancePath, keyword: e.keyword, message: e.message ?? 'is invalid'}
  }
}

function run(validate: Validator, value: unknown, prefix = ''): SchemaIssue[] {
  if (validate(value)) return []
  return (validate.errors ?? []).map((e) => {
    const issue = describeError(e)
    return {...issue, path: prefix + issue.path}
  })
}

/** The git commit of apple/device-management the schemas were converted from. */
export function appleSchemaSource(): string {
  return sourceCommit
}

/** Whether this tool has Apple's schema for a payload type. */
export function knownPayloadType(payloadType: string): boolean {
  return Object.hasOwn(profileValidators, payloadType) && payloadType !== 'Configuration'
}

/** The keys Apple's schema lists for a payload type (`Configuration`: the top level); empty when unknown. */
export function payloadSchemaKeys(payloadType: string): readonly string[] {
  return Object.hasOwn(profileKeys, payloadType) ? profileKeys[payloadType]! : []
}

/**
 * Validates one payload dictionary against Apple's schema for its PayloadType. Returns no issues
 * for payload types this tool has no schema for (ask `knownPayloadType` to tell them apart).
 */
export function validatePayload(payload: Record<string, unknown>, prefix = ''): SchemaIssue[] {
  const type = payload.PayloadType
  if (typeof type !== 'string') return [{path: `${prefix}/PayloadType`, keyword: 'required', message: 'missing required key PayloadType'}]
  if (!knownPayloadType(type)) return []
  return run(profileValidators[type]!, payload, prefix)
}

/**
 * Validates a whole profile: the top-level Configuration dictionary, then every payload in
 * PayloadContent against its own schema (paths `/PayloadContent/<i>/…`).
 */
export function validateConfiguration(profile: Record<string, unknown>): SchemaIssue[] {
  const issues = run(profileValidators.Configuration!, profile)
  const content = profile.PayloadContent
  if (Array.isArray(content)) {
    content.forEach((payload, i) => {
      if (payload && typeof payload === 'object' && !Array.isArray(payload) && !(payload instanceof Uint8Array) && !(payload instanceof Date)) {
        pushAll(issues, validatePayload(payload as Record<string, unknown>, `/PayloadContent/${i}`))
      }
    })
  }
  return issues
}

/** Validates a DDM declaration ({Type, Identifier, ServerToken, Payload}) against Apple's schema for its Type. */
export function validateDeclaration(declaration: Record<string, unknown>): SchemaIssue[] {
  const type = declaration.Type
  const validate = typeof type === 'string' && Object.hasOwn(declarationValidators, type) ? declarationValidators[type] : undefined
  if (!validate) return [{path: '/Type', keyword: 'enum', message: `no Apple declaration schema for type ${JSON.stringify(type)}`}]
  return run(validate, declaration)
}
