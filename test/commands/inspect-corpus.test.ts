// `inspect --json` over every profile of the shared corpus (../shared/corpus/mobileconfig/, profiles
// made by other tools, read in place), compared with test/fixtures/inspect/corpus-expected.json:
// the codes each profile deserves, judged one by one (the `why` of each entry).
import {readdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

import {runCli} from '../helpers/cli.js'
import {corpusDir} from '../helpers/corpus.js'

const corpus = corpusDir()
const dir = corpus && join(corpus, 'mobileconfig')
const expected = JSON.parse(readFileSync(new URL('../fixtures/inspect/corpus-expected.json', import.meta.url), 'utf8')) as {profiles: Record<string, {codes: string[]; why: string}>}

if (!dir) console.warn('inspect corpus test skipped: ../shared/corpus/mobileconfig not found (set MAILPROFILE_CORPUS to the corpus folder)')

describe.skipIf(!dir)('inspect on the corpus of profiles from other tools', () => {
  it('reports for each profile exactly the codes judged for it, in one run (profiles inspected together)', async () => {
    const files = readdirSync(dir!).filter((f) => f.endsWith('.mobileconfig')).sort()
    expect(files, 'every corpus profile is judged in corpus-expected.json (and nothing else is)').toEqual(Object.keys(expected.profiles).sort())
    const r = await runCli(['inspect', '--json', ...files.map((f) => join(dir!, f))], {timeoutMs: 60_000})
    const doc = JSON.parse(r.stdout) as {exitCode: number; inputErrors: unknown[]; findings: Array<{code: string; source?: {file: string}}>}
    expect(doc.inputErrors).toEqual([])
    expect(r.code).toBe(doc.exitCode)
    const got: Record<string, string[]> = Object.fromEntries(files.map((f) => [f, []]))
    for (const f of doc.findings) got[f.source!.file.slice(dir!.length + 1)]!.push(f.code)
    const want = Object.fromEntries(Object.entries(expected.profiles).map(([f, e]) => [f, e.codes]))
    expect(Object.fromEntries(Object.entries(got).map(([f, codes]) => [f, codes.sort()]))).toEqual(want)
  })
})
