/**
 * Two ESLint rules that keep src/ layered (eslint.config.js holds the order, LAYERS):
 * - `layers/downward`: a file imports its own LAYERS entry, or an entry of a lower layer; never
 *   an entry beside it (except in the bottom layer, whose entries may import one another) or
 *   above it. Type-only imports count. A file under src/ that no entry covers is reported too, so
 *   a new folder cannot slip past the order.
 * - `layers/no-cycle`: no chain of imports leads from a file back to itself. Type-only imports
 *   count: two files that need each other's types are one concept split in two, or a type that
 *   belongs in a lower file.
 * Both resolve relative specifiers to files (`./x.js` is the TypeScript file `./x.ts`), so a
 * folder's name in a specifier cannot fool them. Written here rather than taken from an import
 * plugin because they need no resolver and no second parse: the linted file's imports come from
 * ESLint's tree, other files' from TypeScript's import scanner (`ts.preProcessFile`, tokens only,
 * from the TypeScript that typescript-eslint loads anyway), each file once per process.
 */
import {existsSync, readFileSync, statSync} from 'node:fs'
import {dirname, relative, resolve, sep} from 'node:path'
import ts from 'typescript'

/** A predicate for one LAYERS entry: a folder (and everything under it), or a path with `*` for one name. */
function entryMatcher(entry) {
  if (!entry.includes('*')) return (rel) => rel === entry || rel.startsWith(`${entry}/`)
  const re = new RegExp(`^${entry.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('[^/]+')}$`)
  return (rel) => re.test(rel)
}

/** Where a file sits: its layer (0 = bottom) and entry, or undefined outside src/ or outside every entry. */
function locator(layers, root) {
  // Entries with `*` name files inside folders other entries cover (src/core/*/codes.ts): they are tried first.
  const entries = layers
    .flatMap((layer, index) => layer.map((entry) => ({entry, index, matches: entryMatcher(entry)})))
    .sort((a, b) => Number(b.entry.includes('*')) - Number(a.entry.includes('*')))
  return (file) => {
    const rel = relative(root, file).split(sep).join('/')
    if (!rel.startsWith('src/')) return undefined
    return entries.find((e) => e.matches(rel)) ?? {entry: undefined, index: -1, rel}
  }
}

/** The file a relative specifier names (`./x.js` → `./x.ts` when that exists), or undefined for a package. */
function resolveSpecifier(fromFile, specifier) {
  if (!specifier.startsWith('.')) return undefined
  const target = resolve(dirname(fromFile), specifier)
  if (target.endsWith('.js')) {
    const tsFile = `${target.slice(0, -3)}.ts`
    if (existsSync(tsFile) || !existsSync(target)) return tsFile
  }
  return target
}

/** The specifier of an import or export node, when it is a string. */
function sourceOf(node) {
  if (node.type === 'ImportExpression') return node.source.type === 'Literal' && typeof node.source.value === 'string' ? node.source.value : undefined
  if (node.type === 'TSImportType') return node.argument?.type === 'TSLiteralType' ? node.argument.literal.value : undefined
  return node.source?.value
}

const IMPORT_NODES = ['ImportDeclaration', 'ExportNamedDeclaration', 'ExportAllDeclaration', 'ImportExpression', 'TSImportType']

/** Calls `visit(node, specifier)` for every import or export with a string source in the file. */
function importVisitors(visit) {
  return Object.fromEntries(IMPORT_NODES.map((type) => [type, (node) => {
    const specifier = sourceOf(node)
    if (typeof specifier === 'string') visit(node, specifier)
  }]))
}

const downward = {
  meta: {
    type: 'problem',
    docs: {description: 'Imports point down the layers of src/ only (LAYERS in eslint.config.js).'},
    schema: [{type: 'object', properties: {layers: {type: 'array', items: {type: 'array', items: {type: 'string'}}}, root: {type: 'string'}}, required: ['layers', 'root'], additionalProperties: false}],
  },
  create(context) {
    const {layers, root} = context.options[0]
    const locate = locator(layers, root)
    const file = context.physicalFilename
    const here = locate(file)
    if (!here) return {}
    const name = (at) => (at.entry === undefined ? `${at.rel} (in no layer)` : `${at.entry} (layer ${at.index + 1} of ${layers.length}, bottom first)`)
    return {
      Program(node) {
        if (here.entry === undefined) context.report({node, message: `${here.rel} is in no entry of LAYERS (eslint.config.js): add its folder to the layer it belongs to.`})
      },
      ...importVisitors((node, specifier) => {
        const target = resolveSpecifier(file, specifier)
        const there = target && locate(target)
        if (!there || here.entry === undefined || there.entry === undefined) return
        if (there.entry === here.entry || there.index < here.index || (there.index === 0 && here.index === 0)) return
        const where = there.index === here.index ? 'beside' : 'above'
        context.report({node, message: `${specifier}: ${name(here)} imports ${name(there)}, a layer ${where} it. Imports point down only (LAYERS in eslint.config.js).`})
      }),
    }
  },
}

/** The files a file on disk imports (paths), read once per content (keyed by mtime and size). */
const scanned = new Map()

function importsOf(file) {
  let stat
  try {
    stat = statSync(file)
  } catch {
    return []
  }
  const key = `${stat.mtimeMs}:${stat.size}`
  const hit = scanned.get(file)
  if (hit?.key === key) return hit.imports
  // TypeScript's import scanner: tokens only, no syntax tree (a tenth of the cost of a parse).
  const {importedFiles} = ts.preProcessFile(readFileSync(file, 'utf8'), true, true)
  const imports = [...new Set(importedFiles.map((f) => resolveSpecifier(file, f.fileName)).filter(Boolean))]
  scanned.set(file, {key, imports})
  return imports
}

/**
 * The chain of imports from `start` back to `file` (both included), or undefined. `cannotReach`
 * holds the files already known not to lead back to `file` (it spans one linted file).
 */
function chainBack(start, file, cannotReach) {
  const from = new Map([[start, undefined]])
  const queue = [start]
  for (let i = 0; i < queue.length; i++) {
    const at = queue[i]
    if (at === file) {
      const chain = []
      for (let p = at; p !== undefined; p = from.get(p)) chain.unshift(p)
      return chain
    }
    if (cannotReach.has(at)) continue
    for (const next of importsOf(at)) {
      if (!from.has(next)) {
        from.set(next, at)
        queue.push(next)
      }
    }
  }
  for (const f of queue) cannotReach.add(f)
  return undefined
}

const noCycle = {
  meta: {
    type: 'problem',
    docs: {description: 'No chain of imports leads from a file back to itself.'},
    schema: [{type: 'object', properties: {root: {type: 'string'}}, required: ['root'], additionalProperties: false}],
  },
  create(context) {
    const {root} = context.options[0]
    const file = context.physicalFilename
    const cannotReach = new Set()
    return importVisitors((node, specifier) => {
      const target = resolveSpecifier(file, specifier)
      if (!target || target === file) return
      const chain = chainBack(target, file, cannotReach)
      if (chain) context.report({node, message: `Import cycle: ${[file, ...chain].map((f) => relative(root, f).split(sep).join('/')).join(' → ')}.`})
    })
  },
}

export default {meta: {name: 'layers'}, rules: {downward, 'no-cycle': noCycle}}
