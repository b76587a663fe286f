// src/core/settings/plain-yaml.ts is checked against the yaml library (the reader of record):
// whenever it returns a tree, the library reads the same text without an error, to the same data
// (keys in the same order), with every node and every key at the same offset. It must also read
// the examples (the reason it exists) and decline what it does not handle.
import {readdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'

import fc from 'fast-check'
import {isMap, isScalar, isSeq, parseDocument, type Node, type Pair} from 'yaml'
import {describe, expect, it} from 'vitest'

import {parseSource} from '../../../src/core/settings/document.js'
import {readPlainYaml, type PlainNode} from '../../../src/core/settings/plain-yaml.js'

const root = join(import.meta.dirname, '..', '..', '..')

function yamlFiles(dir: string): string[] {
  return readdirSync(dir, {withFileTypes: true, recursive: true})
    .filter((e) => e.isFile() && /\.ya?ml$/.test(e.name))
    .map((e) => join(e.parentPath, e.name))
}

/** The differences between the library's node and ours ('' when they agree). */
function compareNodes(lib: Node | null, ours: PlainNode, where: string): string {
  if (isMap(lib)) {
    if (ours.kind !== 'map') return `${where}: library has a map, ours a ${ours.kind}`
    if (lib.range![0] !== ours.start) return `${where}: map at ${lib.range![0]}, ours at ${ours.start}`
    const pairs = lib.items as Pair<Node, Node | null>[]
    const mine = [...ours.pairs]
    if (pairs.length !== mine.length) return `${where}: ${pairs.length} keys, ours ${mine.length}`
    for (const [i, pair] of pairs.entries()) {
      const [key, entry] = mine[i]!
      if (!isScalar(pair.key) || pair.key.value !== key) return `${where}: key ${i} is ${String((pair.key as Node).toJSON())}, ours ${key}`
      if (pair.key.range![0] !== entry.keyStart) return `${where}.${key}: key at ${pair.key.range![0]}, ours at ${entry.keyStart}`
      const inner = compareNodes(pair.value, entry.value, `${where}.${key}`)
      if (inner) return inner
    }
    return ''
  }
  if (isSeq(lib)) {
    if (ours.kind !== 'seq') return `${where}: library has a sequence, ours a ${ours.kind}`
    if (lib.range![0] !== ours.start) return `${where}: sequence at ${lib.range![0]}, ours at ${ours.start}`
    if (lib.items.length !== ours.items.length) return `${where}: ${lib.items.length} items, ours ${ours.items.length}`
    for (const [i, item] of lib.items.entries()) {
      const inner = compareNodes(item as Node, ours.items[i]!, `${where}[${i}]`)
      if (inner) return inner
    }
    return ''
  }
  if (isScalar(lib)) {
    if (ours.kind !== 'scalar') return `${where}: library has a scalar, ours a ${ours.kind}`
    return lib.range![0] === ours.start ? '' : `${where}: scalar at ${lib.range![0]}, ours at ${ours.start}`
  }
  return `${where}: library has ${lib === null ? 'no value' : 'an alias'}`
}

/** undefined when our reader declines `text` or agrees with the library on it; else what differs. */
function disagreement(text: string): string | undefined {
  const ours = readPlainYaml(text)
  if (!ours) return undefined
  const doc = parseDocument(text, {uniqueKeys: true, prettyErrors: false, strict: true})
  if (doc.errors.length > 0) return `we read it, the library reports ${doc.errors[0]!.message}`
  const data = doc.toJS() as unknown
  if (JSON.stringify(data) !== JSON.stringify(ours.data)) return `data differs: library ${JSON.stringify(data)}, ours ${JSON.stringify(ours.data)}`
  return compareNodes(doc.contents as Node, ours.root, '') || undefined
}

describe('the plain-YAML reader agrees with the yaml library', () => {
  it('reads every example, as the library does', () => {
    const examples = yamlFiles(join(root, 'examples'))
    expect(examples.length).toBeGreaterThanOrEqual(3)
    for (const file of examples) {
      const text = readFileSync(file, 'utf8')
      expect(readPlainYaml(text), file).toBeDefined()
      expect(disagreement(text), file).toBeUndefined()
    }
  })

  it('agrees on every YAML file of the tests and every settings block of the README', () => {
    let read = 0
    for (const file of yamlFiles(join(root, 'test'))) {
      const text = readFileSync(file, 'utf8')
      expect(disagreement(text), file).toBeUndefined()
      if (readPlainYaml(text)) read++
    }
    const readme = readFileSync(join(root, 'README.md'), 'utf8')
    for (const [, block] of readme.matchAll(/```yaml\n([\s\S]*?)```/g)) {
      expect(disagreement(block!), block).toBeUndefined()
      if (readPlainYaml(block!)) read++
    }
    expect(read).toBeGreaterThan(10)
  })

  it('declines what the library must read: anchors, tags, block and multi-line scalars, escapes, empty values, duplicates, other numbers, markers', () => {
    for (const text of [
      'a: &x 1\nb: *x\n',
      'a: !!str 1\n',
      'a: |\n  text\n',
      'a: >\n  text\n',
      'a: one\n  two\n',
      'a: "tab\\there"\n',
      "a: 'it''s'\n",
      'a:\nb: 1\n',
      'a: 1\na: 2\n',
      'a: 0x1F\n',
      'a: 1.5\n',
      'a: 007\n',
      'a: -3\n',
      'a: .inf\n',
      '---\na: 1\n',
      'a: 1\n...\n',
      '%YAML 1.2\n---\na: 1\n',
      'a: 1\r\nb: 2\r\n',
      'a:\tb\n',
      '\ufeffa: 1\n',
      'a: [1, [2]]\n',
      'a: [1,\n  2]\n',
      'a: {b: c: d}\n',
      'a: b: c\n',
      '"quoted key": 1\n',
      'null: 1\n',
      '__proto__: {a: 1}\n',
      '  a: 1\n',
      '- a\n- b\n',
      'a:\n  b: 1\n c: 2\n',
      'a: 1\n  b: 2\n',
      'a: [b, c,]\n',
      'a: ? b\n',
    ]) {
      expect(readPlainYaml(text), JSON.stringify(text)).toBeUndefined()
    }
  })

  it('reads the forms settings files use, to the values and places the library gives them', () => {
    const text = [
      '# comment',
      'version: 1',
      'organization: {name: Acme, identifier: com.acme}  # flow',
      'profile:',
      '  displayName: "Acme Mail"',
      "  description: 'Sets up mail: IMAP & SMTP'",
      '  removalAllowed: false',
      '  empty: []',
      '  nothing: ~',
      'domains:',
      '- domain: acme.test',
      '  incoming:',
      '    port: 993',
      '    hosts: [imap1.acme.test, "imap2.acme.test"]',
      '  aliases:',
      '    - a.acme.test # first',
      '    -',
      '      nested: yes',
      'url: https://acme.test/a#b',
      'owner: Zahnärzte Müller',
      '',
    ].join('\n')
    const read = readPlainYaml(text)
    expect(read?.data).toEqual({
      version: 1,
      organization: {name: 'Acme', identifier: 'com.acme'},
      profile: {displayName: 'Acme Mail', description: 'Sets up mail: IMAP & SMTP', removalAllowed: false, empty: [], nothing: null},
      domains: [{domain: 'acme.test', incoming: {port: 993, hosts: ['imap1.acme.test', 'imap2.acme.test']}, aliases: ['a.acme.test', {nested: 'yes'}]}],
      url: 'https://acme.test/a#b',
      owner: 'Zahnärzte Müller',
    })
    expect(disagreement(text)).toBeUndefined()
  })

  it('agrees on generated documents of settings-like lines, and on the examples edited at random', () => {
    // Keys and values in the subset (most) and outside it: the reader must read the first kind as the library does and decline the second.
    const key = fc.oneof({arbitrary: fc.constantFrom('a', 'b', 'host', 'port', 'x.y', 'n_1', 'yes', 'z-'), weight: 6}, {arbitrary: fc.constantFrom('null', 'True', '"q"', 'k k', '1'), weight: 1})
    const inSubset = fc.constantFrom(' 1', ' 0', ' true', ' False', ' ~', ' null', ' yes', ' on', ' text', ' a b', ' a:b', ' "q"', " 'q'", ' "it\'s"', ' [a, b]', ' []', ' {}', ' {a: 1}', ' # c', ' a # c', ' a#c', ' http://x', ' é', ' 12 monkeys')
    const outside = fc.constantFrom('', ' 01', ' -1', ' 1.0', ' a: b', ' "a\\"b"', " 'a''b'", ' {a: 1, b: [c]}', ' &x 1', ' *x', ' !t 1', ' |', ' >', ' - a', ' ? a', ' @a', ' `a', ' %a', ' .5', ' +1', ' 0x1', ' 1e3', ' [a,', ' "open', ' x:', ' ---', ' 99999999999999999999')
    const value = fc.oneof({arbitrary: inSubset, weight: 12}, {arbitrary: outside, weight: 1})
    // Trees of mappings and sequences, written in block style (a sequence under a key indented or
    // not, `- key: value` items), with values from the list above: many in the subset, many not.
    type Tree = string | {map: Array<[string, Tree]>} | {seq: Tree[]}
    const {tree} = fc.letrec<{tree: Tree}>((t) => ({
      tree: fc.oneof(
        {depthSize: 'small', withCrossShrink: true},
        value,
        fc.record({map: fc.array(fc.tuple(key, t('tree')), {minLength: 1, maxLength: 4})}),
        fc.record({seq: fc.array(t('tree'), {minLength: 1, maxLength: 3})}),
      ),
    }))
    const render = (node: Tree, indent: number, step: number, flush: boolean): string[] => {
      const sp = ' '.repeat(indent)
      if (typeof node === 'string') return [`${sp}-${node}`]
      if ('seq' in node) {
        return node.seq.flatMap((item) => {
          if (typeof item === 'string') return [`${sp}-${item}`]
          const inner = render(item, indent + 2, step, flush)
          return 'map' in item ? [`${sp}- ${inner[0]!.trimStart()}`, ...inner.slice(1)] : [`${sp}-`, ...inner]
        })
      }
      return node.map.flatMap(([k, v]) => (typeof v === 'string' ? [`${sp}${k}:${v}`] : [`${sp}${k}:`, ...render(v, 'seq' in v && flush ? indent : indent + step, step, flush)]))
    }
    const document = fc.tuple(fc.array(fc.tuple(key, tree), {minLength: 1, maxLength: 5}), fc.constantFrom(2, 4), fc.boolean(), fc.constantFrom('', '\n', '\n# end\n'))
    // How many documents our reader read (the rest it declined): the comparison is made on those.
    let generated = 0
    fc.assert(
      fc.property(document, ([pairs, step, flush, end]) => {
        const text = render({map: pairs}, 0, step, flush).join('\n') + end
        if (readPlainYaml(text)) generated++
        const problem = disagreement(text)
        if (problem) throw new Error(`${problem}\n${text}`)
      }),
      {numRuns: 20_000, seed: 20261202},
    )
    const examples = yamlFiles(join(root, 'examples')).map((f) => readFileSync(f, 'utf8'))
    let edited = 0
    fc.assert(
      fc.property(fc.constantFrom(...examples), fc.array(fc.tuple(fc.nat(), fc.nat({max: 3}), fc.constantFrom('', ' ', '  ', '\n', '-', ':', '#', '"', "'", '[', ']', '{', '}', ',', '&', '*', '!', '|', '>', '0', '.', 'x', '~', '\t')), {minLength: 1, maxLength: 4}), (base, edits) => {
        let text = base
        for (const [at, remove, insert] of edits) {
          const i = at % (text.length + 1)
          text = text.slice(0, i) + insert + text.slice(i + remove)
        }
        if (readPlainYaml(text)) edited++
        const problem = disagreement(text)
        if (problem) throw new Error(`${problem}\n${text}`)
      }),
      {numRuns: 5_000, seed: 20261202},
    )
    console.log(`plain-yaml: read ${generated} of 20,000 generated documents and ${edited} of 5,000 edited examples`)
    expect(generated).toBeGreaterThan(1_000)
    expect(edited).toBeGreaterThan(1_000)
  })

  it('parseSource gives the same data and locations through either reader', () => {
    for (const file of yamlFiles(join(root, 'examples'))) {
      const text = readFileSync(file, 'utf8')
      const fast = parseSource(text, file)
      // A leading `%YAML 1.2` directive is outside the subset: the library reads the same document.
      const slow = parseSource(`%YAML 1.2\n---\n${text}`, file)
      expect(fast.data).toEqual(slow.data)
      const paths: Array<Array<string | number>> = []
      const walk = (value: unknown, path: Array<string | number>): void => {
        paths.push(path)
        if (Array.isArray(value)) value.forEach((v, i) => walk(v, [...path, i]))
        else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) walk(v, [...path, k])
      }
      walk(fast.data, [])
      for (const path of [...paths, ['nosuch'], ['domains', 99, 'host'], ['organization', 'nosuch', 'deeper']]) {
        const at = (l: {line?: number; column?: number}) => ({line: l.line, column: l.column})
        const earlier = (l: {line?: number; column?: number}) => ({line: (l.line ?? 0) - 2, column: l.column})
        expect(at(fast.locate(path)), path.join('.')).toEqual(earlier(slow.locate(path)))
        expect(at(fast.locate(path, {key: true})), path.join('.')).toEqual(earlier(slow.locate(path, {key: true})))
      }
    }
  })
})
