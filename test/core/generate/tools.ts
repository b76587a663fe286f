/**
 * Independent verifiers for generated files: Python's plistlib, xmllint with Mozilla's RELAX NG
 * grammar. When a tool is missing the tests skip locally but fail under CI=true.
 */
import {execFileSync, spawnSync} from 'node:child_process'
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join, resolve} from 'node:path'

import {ROOT} from '../../helpers/cli.js'

export const AUTOCONFIG_RNG = resolve(ROOT, '..', 'shared', 'reference', 'mozilla-autoconfig', 'autoconfig.rng')

function has(tool: string, args: string[]): boolean {
  return spawnSync(tool, args, {stdio: 'ignore'}).status === 0
}

export const HAVE_PYTHON = has('python3', ['-c', 'import plistlib'])
export const HAVE_XMLLINT = has('xmllint', ['--version'])

/** `describe.skipIf` condition: skip only outside CI; in CI a missing tool must fail the suite. */
export function missing(tool: boolean): boolean {
  return !tool && process.env.CI !== 'true'
}

const PLIST_TO_JSON = `
import base64, datetime, json, plistlib, sys
def conv(v):
    if isinstance(v, bool): return v
    if isinstance(v, int): return {"$int": v}
    if isinstance(v, float): return {"$real": v}
    if isinstance(v, bytes): return {"$data": base64.b64encode(v).decode()}
    if isinstance(v, datetime.datetime): return {"$date": v.replace(tzinfo=None).isoformat()}
    if isinstance(v, dict): return {k: conv(x) for k, x in v.items()}
    if isinstance(v, list): return [conv(x) for x in v]
    return v
with open(sys.argv[1], "rb") as f:
    data = plistlib.load(f)
print(json.dumps(conv(data), ensure_ascii=False))
`

/** Parses a plist file with Python's plistlib; integers come back as {$int}, reals as {$real}, data as {$data: base64}. */
export function plistlibParse(bytesOrPath: Uint8Array | string): unknown {
  if (!HAVE_PYTHON) throw new Error('python3 with plistlib is required (CI=true)')
  let path = bytesOrPath as string
  if (typeof bytesOrPath !== 'string') {
    path = join(mkdtempSync(join(tmpdir(), 'mp-plist-')), 'p.plist')
    writeFileSync(path, bytesOrPath)
  }
  return JSON.parse(execFileSync('python3', ['-c', PLIST_TO_JSON, path], {encoding: 'utf8'}))
}

/** The `plist` library's parse result in the same shape as plistlibParse (numbers as {$int}: we never write reals). */
export function normalizePlistJs(value: unknown): unknown {
  if (typeof value === 'number') return Number.isInteger(value) ? {$int: value} : {$real: value}
  if (value instanceof Uint8Array) return {$data: Buffer.from(value).toString('base64')}
  if (value instanceof Date) return {$date: value.toISOString().replace(/\.\d{3}Z$/, '')}
  if (Array.isArray(value)) return value.map(normalizePlistJs)
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalizePlistJs(v)]))
  return value
}

/** Runs xmllint --relaxng on bytes; returns {ok, output}. */
export function xmllintRelaxng(bytes: Uint8Array, rng = AUTOCONFIG_RNG): {ok: boolean; output: string} {
  if (!HAVE_XMLLINT) throw new Error('xmllint is required (CI=true): apt-get install libxml2-utils')
  const path = join(mkdtempSync(join(tmpdir(), 'mp-xml-')), 'config-v1.1.xml')
  writeFileSync(path, bytes)
  const r = spawnSync('xmllint', ['--noout', '--relaxng', rng, path], {encoding: 'utf8'})
  return {ok: r.status === 0, output: `${r.stdout}${r.stderr}`}
}

/** The string value of an XPath expression, evaluated by xmllint (an independent XML parser). */
export function xmllintXpath(bytes: Uint8Array, xpath: string): string {
  if (!HAVE_XMLLINT) throw new Error('xmllint is required (CI=true)')
  const path = join(mkdtempSync(join(tmpdir(), 'mp-xml-')), 'doc.xml')
  writeFileSync(path, bytes)
  // xmllint prints the string value followed by one newline.
  return execFileSync('xmllint', ['--xpath', xpath, path], {encoding: 'utf8'}).replace(/\n$/, '')
}
