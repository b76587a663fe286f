// `mailprofile lint` as a user runs it: the built CLI (npm run build first), real files in a temp dir.
import {spawnSync} from 'node:child_process'
import {cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {parse} from 'yaml'

import {ROOT, runCli, type CliResult} from '../helpers/cli.js'

const GOOD = `version: 1
organization:
  name: Test Org
  identifier: com.example.mail
domains:
  - domain: example.com
    incoming:
      protocol: imap
      host: imap.example.com
    outgoing:
      host: smtp.example.com
`

let dir: string
const file = (name: string, content: string | Buffer) => {
  writeFileSync(join(dir, name), content)
  return name
}
const lint = (args: string[], env?: Record<string, string | undefined>) => runCli(['lint', ...args], {cwd: dir, env})

/** Input problems: one line on stderr, exit 2, no stack trace, and stdout's summary says so. */
function expectInputError(r: CliResult, line: string) {
  expect(r.code).toBe(2)
  expect(r.stderr).toBe(`${line}\n`)
  expect(r.stdout).toContain('1 input could not be read')
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mailprofile-lint-'))
})
afterAll(() => {
  rmSync(dir, {recursive: true, force: true})
})

describe('lint: bad input', () => {
  it('an empty file', async () => {
    expectInputError(await lint([file('empty.yaml', '')]), 'mailprofile: empty.yaml:1:1: is empty: expected a settings document (see examples/)')
  })

  it('a file with only comments', async () => {
    expectInputError(await lint([file('comments.yaml', '# nothing here yet\n\n')]), 'mailprofile: comments.yaml:1:1: is empty: expected a settings document (see examples/)')
  })

  it('a YAML syntax error (an unclosed quote, located where it opens)', async () => {
    expectInputError(await lint([file('quote.yaml', 'version: 1\norganization:\n  name: "Test Org\n  identifier: x\n')]), 'mailprofile: quote.yaml:3:9: syntax error: this quoted text is never closed (missing closing quote)')
  })

  it('a YAML syntax error (bad indentation)', async () => {
    expectInputError(await lint([file('indent.yaml', 'version: 1\ndomains:\n  - domain: a\n   incoming: x\n')]), 'mailprofile: indent.yaml:4:4: syntax error: Sequence item without - indicator')
  })

  it('tabs used as indentation', async () => {
    expectInputError(await lint([file('tabs.yaml', 'version: 1\norganization:\n\tname: X\n')]), 'mailprofile: tabs.yaml:3:1: syntax error: Tabs are not allowed as indentation')
  })

  it('duplicate keys', async () => {
    expectInputError(await lint([file('dup.yaml', GOOD.replace('  identifier: com.example.mail\n', '  identifier: com.example.mail\n  name: Again\n'))]), 'mailprofile: dup.yaml:5:3: duplicate key "name": each key may appear once in a mapping')
  })

  it('binary garbage', async () => {
    const bytes = Buffer.alloc(4096)
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7919) % 256
    expectInputError(await lint([file('garbage.yaml', bytes)]), 'mailprofile: garbage.yaml: settings file is binary (a NUL byte at offset 0), not text')
  })

  it('text that is not UTF-8', async () => {
    expectInputError(await lint([file('latin1.yaml', Buffer.from('version: 1\norganization:\n  name: M\xfcller\n', 'latin1'))]), 'mailprofile: latin1.yaml: settings file is not valid UTF-8 text')
  })

  it('a 50 MB file is refused fast, without reading it', async () => {
    const big = join(dir, 'big.yaml')
    // Real YAML text (comment lines), so only the size check stands between it and the parser.
    writeFileSync(big, Buffer.alloc(50 * 1024 * 1024, '# padding padding padding padding padding padding padding padding\n'))
    const started = Date.now()
    const r = await lint(['big.yaml'])
    expect(Date.now() - started).toBeLessThan(5000)
    expectInputError(r, 'mailprofile: big.yaml: settings file is 50.0 MiB, larger than the 8.0 MiB limit; is this the right file?')
  })

  it('a missing file', async () => {
    expectInputError(await lint(['nope.yaml']), 'mailprofile: nope.yaml: settings file not found')
  })

  it('a directory', async () => {
    mkdirSync(join(dir, 'settings.d'), {recursive: true})
    expectInputError(await lint(['settings.d']), 'mailprofile: settings.d: is a directory, not a settings file')
  })

  it('a JSON file with a syntax error (a trailing comma YAML would accept)', async () => {
    expectInputError(await lint([file('trailing.json', '{\n  "version": 1,\n  "domains": [],\n}\n')]), 'mailprofile: trailing.json:4:1: JSON syntax error: a trailing comma before }')
  })

  it('a JSON file with a missing value', async () => {
    expectInputError(await lint([file('missing.json', '{\n  "version": 1,\n  "organization": \n}\n')]), 'mailprofile: missing.json:4:1: JSON syntax error: expected a value, found "}"')
  })

  it('a document that is a list, not a mapping', async () => {
    expectInputError(await lint([file('list.yaml', '- a\n- b\n')]), 'mailprofile: list.yaml:1:1: is not a settings document: expected a mapping with `version`, `organization` and `domains` at the top')
  })

  it('wrong types are findings (exit 1) with their location', async () => {
    const r = await lint(['--json', file('types.yaml', GOOD.replace('      host: imap.example.com\n', '      host: imap.example.com\n      port: "993"\n').replace('version: 1', 'version: "1"'))])
    expect(r.code).toBe(1)
    expect(r.stderr).toBe('')
    const doc = JSON.parse(r.stdout)
    expect(doc.findings.map((f: {code: string; source: {line: number; column: number}}) => `${f.code} ${f.source.line}:${f.source.column}`)).toEqual(['invalid-value 1:10', 'wrong-type 10:13'])
    expect(doc.findings[1].message).toBe('domains[0].incoming.port is the text "993"; expected an integer.')
  })

  it('positions are right with a UTF-8 BOM and CRLF line ends', async () => {
    const text = '\uFEFF' + GOOD.replace('    incoming:\n', '    incoming:\n      prot: 993\n').replaceAll('\n', '\r\n')
    const r = await lint([file('crlf-bom.yaml', text)])
    expect(r.code).toBe(1)
    expect(r.stdout).toContain('crlf-bom.yaml\n  8:7     error   unknown-key  Unknown key "prot" in domains[0].incoming: did you mean "port"?')
  })

  it('a BOM and CRLF alone are fine', async () => {
    const r = await lint([file('crlf-bom-ok.yaml', '\uFEFF' + GOOD.replaceAll('\n', '\r\n'))])
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
  })

  it('a syntax error position with CRLF', async () => {
    expectInputError(await lint([file('crlf-dup.yaml', 'version: 1\r\nversion: 1\r\n')]), 'mailprofile: crlf-dup.yaml:2:1: duplicate key "version": each key may appear once in a mapping')
  })

  it('no stack trace even for a key that is a YAML alias bomb', async () => {
    const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x"]', ...Array.from({length: 9}, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(9).fill(`*${String.fromCharCode(97 + i)}`).join(',')}]`)].join('\n') + '\n'
    const r = await lint([file('bomb.yaml', bomb)])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/^mailprofile: bomb\.yaml:1:1: cannot be read as data: /)
    expect(r.stderr).not.toMatch(/\n\s+at /)
  })
})

describe('lint: output', () => {
  it('--json prints one parseable document with the documented shape', async () => {
    const r = await lint(['--json', file('auth.yaml', GOOD.replace('      host: smtp.example.com\n', '      host: smtp.example.com\n      authentication: none\n'))])
    expect(r.code).toBe(0)
    const doc = JSON.parse(r.stdout)
    expect(Object.keys(doc)).toEqual(['schemaVersion', 'tool', 'version', 'command', 'exitCode', 'summary', 'findings', 'inputErrors', 'files'])
    expect(doc).toMatchObject({schemaVersion: 1, tool: 'mailprofile', command: 'lint', exitCode: 0, summary: {error: 0, warning: 1, info: 0}, inputErrors: [], files: [{file: 'auth.yaml', ok: true, findings: 1}]})
    expect(doc.findings).toEqual([
      {
        code: 'smtp-auth-none',
        severity: 'warning',
        message: expect.stringContaining('"Recipient Rejected By Server"'),
        fix: expect.any(String),
        source: {file: 'auth.yaml', line: 12, column: 23, pointer: '/domains/0/outgoing/authentication'},
      },
    ])
  })

  it('--strict makes warnings count', async () => {
    const name = file('warn.yaml', GOOD.replace('host: imap.example.com', 'host: 192.0.2.10'))
    expect((await lint([name])).code).toBe(0)
    const strict = await lint(['--strict', name])
    expect(strict.code).toBe(1)
    expect(strict.stdout).toContain('host-ip-literal')
  })

  it('--format github prints workflow annotations', async () => {
    const r = await lint(['--format', 'github', file('gh.yaml', GOOD.replace('host: smtp.example.com', 'host: smtp.example.com:465'))])
    expect(r.code).toBe(1)
    expect(r.stdout).toMatch(/^::error file=gh\.yaml,line=11,col=13,title=host-invalid::The outgoing server of example\.com, "smtp\.example\.com:465", is not a valid host name: .* Fix: Write host: smtp\.example\.com and port: 465\.\n$/)
    expect(r.stdout.trim().split('\n')).toHaveLength(1)
  })

  it('several files, one missing: exit 2, the others still linted', async () => {
    const bad = file('bad-port.yaml', GOOD.replace('      host: imap.example.com\n', '      host: imap.example.com\n      port: 143\n      security: ssl\n'))
    const r = await lint(['--json', file('ok.yaml', GOOD), 'missing.yaml', bad])
    expect(r.code).toBe(2)
    expect(r.stderr).toBe('mailprofile: missing.yaml: settings file not found\n')
    const doc = JSON.parse(r.stdout)
    expect(doc.exitCode).toBe(2)
    expect(doc.files).toEqual([
      {file: 'ok.yaml', ok: true, findings: 0},
      {file: 'missing.yaml', ok: false, findings: 0},
      {file: 'bad-port.yaml', ok: true, findings: 1},
    ])
    expect(doc.findings[0]).toMatchObject({code: 'port-security-mismatch', source: {file: 'bad-port.yaml', line: 10, column: 13}})
    expect(doc.inputErrors).toEqual([{file: 'missing.yaml', message: 'settings file not found'}])
  })

  it('no ANSI escapes with NO_COLOR or when stdout is not a terminal; colour only when forced', async () => {
    const name = file('colour.yaml', GOOD.replace('host: imap.example.com', 'host: 192.0.2.10'))
    const plain = await lint([name], {NO_COLOR: '1'})
    expect(plain.stdout).toContain('host-ip-literal')
    expect(plain.stdout).not.toContain('\u001B[')
    const notTty = await lint([name], {NO_COLOR: undefined, FORCE_COLOR: undefined})
    expect(notTty.stdout).not.toContain('\u001B[')
    const forced = await lint([name], {NO_COLOR: undefined, FORCE_COLOR: '1'})
    expect(forced.stdout).toContain('\u001B[33m')
  })

  it('lints the examples clean from the repository root', async () => {
    const r = await runCli(['lint', 'examples/single-domain.yaml', 'examples/pop3-starttls.yaml', 'examples/provider.yaml'], {cwd: ROOT})
    expect(r.stderr).toBe('')
    expect(r.stdout).toBe('✔ 0 errors, 0 warnings, 0 info\n')
    expect(r.code).toBe(0)
  })

  it('--warn-days widens the expiry window (the example CA and signing certificate expire in 2046)', async () => {
    const r = await runCli(['lint', '--json', '--warn-days', '100000', 'examples/provider.yaml'], {cwd: ROOT})
    expect(r.code).toBe(0)
    const codes = JSON.parse(r.stdout).findings.map((f: {code: string}) => f.code)
    expect(codes).toEqual(['ca-file-expiring', 'signing-expiring'])
    expect((await runCli(['lint', '--strict', '--warn-days', '100000', 'examples/provider.yaml'], {cwd: ROOT})).code).toBe(1)
  })

  it('a usage error (unknown flag) exits 2 with one line', async () => {
    const r = await lint(['--nope', 'x.yaml'])
    expect(r.code).toBe(2)
    expect(r.stderr.split('\n')[0]).toMatch(/^mailprofile: Nonexistent flag: --nope/)
  })
})

describe('the pre-commit hook (.pre-commit-hooks.yaml)', () => {
  const hooks = parse(readFileSync(join(ROOT, '.pre-commit-hooks.yaml'), 'utf8')) as Array<{id: string; entry: string; language: string; files: string; pass_filenames: boolean}>
  const hook = hooks.find((h) => h.id === 'mailprofile-lint')

  it('runs `mailprofile lint` (through bin/pre-commit.js) on settings files by name and on the files settings name', () => {
    expect(hook).toMatchObject({entry: 'mailprofile-pre-commit', language: 'node', pass_filenames: true})
    expect(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).bin['mailprofile-pre-commit']).toBe('./bin/pre-commit.js')
    const files = new RegExp(hook!.files)
    for (const yes of ['mailprofile.yaml', 'mail/mailprofile.prod.yml', 'config/mail-settings.json', 'mail-settings-eu.yaml', 'users.csv', 'mail/ca/root.pem', 'signing/id.p12'])
      expect(files.test(yes), yes).toBe(true)
    for (const no of ['examples/provider.yaml', 'mailprofile.yaml.bak', 'mailprofiles/x.yaml', 'notmailprofile.yaml', 'README.md']) expect(files.test(no), no).toBe(false)
  })

  it('its entry blocks a commit with an error and passes a clean one, as pre-commit calls it', async () => {
    const hookCli = (args: string[]) => {
      const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'pre-commit.js'), ...args], {cwd: dir, encoding: 'utf8', env: {...process.env, NO_COLOR: '1'}})
      return {code: r.status, stdout: r.stdout}
    }
    const good = file('mailprofile.yaml', GOOD)
    const bad = file('mail-settings.yaml', GOOD.replace('host: smtp.example.com', 'host: smtp.example.com\n      security: none'))
    expect(hookCli([good]).code).toBe(0)
    const blocked = hookCli([good, bad])
    expect(blocked.code).toBe(1)
    expect(blocked.stdout).toContain('mail-settings.yaml\n  12:17')
  })

  it('has a second hook for committed .mobileconfig profiles, whose entry passes the golden profiles', async () => {
    const profiles = hooks.find((h) => h.id === 'mailprofile-lint-profiles')
    expect(profiles).toMatchObject({entry: 'mailprofile lint', language: 'node', pass_filenames: true})
    const files = new RegExp(profiles!.files)
    for (const yes of ['profiles/example.com/example.com.mobileconfig', 'a.mobileconfig']) expect(files.test(yes), yes).toBe(true)
    for (const no of ['a.mobileconfig.bak', 'mailprofile.yaml']) expect(files.test(no), no).toBe(false)
    const [, ...entryArgs] = profiles!.entry.split(' ')
    const golden = ['profiles/single-domain/example.com/example.com.mobileconfig', 'profiles/pop3-starttls/example-architects.org/example-architects.org.mobileconfig']
    const r = await runCli([...entryArgs, ...golden])
    expect(r.code, r.stdout).toBe(0)
    const password = file('with-password.mobileconfig', readFileSync(join(ROOT, golden[0]!), 'utf8').replace('<key>IncomingMailServerHostName</key>', '<key>IncomingPassword</key><string>hunter2</string><key>IncomingMailServerHostName</key>'))
    const blocked = await runCli([...entryArgs, password], {cwd: dir})
    expect(blocked.code, blocked.stdout).toBe(1)
    expect(blocked.stdout).toContain('password-in-profile')
  })
})

describe('lint start-up path (dist/)', () => {
  /**
   * The bundled modules a CLI run evaluates. esbuild wraps each module of dist/cli.cjs (and of the
   * lean dist/lint.cjs, which serves these lint runs) in a function
   * named by its path (`"src/core/settings/load.ts"(){…}`) that runs at the module's first import;
   * V8's coverage (NODE_V8_COVERAGE) says which of those functions ran.
   */
  async function evaluatedModules(args: string[], env: Record<string, string> = {}): Promise<{result: CliResult; modules: string[]}> {
    const coverage = mkdtempSync(join(tmpdir(), 'mailprofile-coverage-'))
    try {
      const result = await runCli(args, {env: {...env, NODE_V8_COVERAGE: coverage}})
      const modules: string[] = []
      for (const name of readdirSync(coverage)) {
        const report = JSON.parse(readFileSync(join(coverage, name), 'utf8')) as {result: Array<{url: string; functions: Array<{functionName: string; ranges: Array<{count: number}>}>}>}
        for (const script of report.result) {
          if (!/\/dist\/(?:cli|lint|node-forge)\.cjs$/.test(script.url)) continue
          for (const fn of script.functions) {
            // esbuild names a module by its path from the project, which leads out of it when node_modules is a link.
            const name = fn.functionName.replace(/^(?:\.\.\/)+(?:[^/]+\/)*?(?=node_modules\/)/, '')
            if (/^(?:node_modules|src)\//.test(name) && fn.ranges[0]!.count > 0) modules.push(name)
          }
        }
      }
      return {result, modules}
    } finally {
      rmSync(coverage, {recursive: true, force: true})
    }
  }
  const HEAVY: Array<[string, RegExp]> = [
    ['node-forge', /^node_modules\/node-forge\//],
    ["ajv's schema compiler", /^node_modules\/ajv\/dist\/(?:ajv|core|compile\/index)\.js$/],
    ['fast-xml-parser', /^node_modules\/fast-xml-(?:parser|builder)\//],
    ['TLS probing', /^src\/core\/net\//],
    ['signing and generators', /^src\/core\/(?:sign|generate)\//],
  ]
  const examples = ['single-domain.yaml', 'pop3-starttls.yaml', 'provider.yaml'].map((f) => join(ROOT, 'examples', f))

  it('evaluates no heavy library (node-forge, ajv compiler, XML, TLS probing, signing) before a settings file asks for it', async () => {
    const {result, modules} = await evaluatedModules(['lint', ...examples])
    expect(result.code, result.stdout + result.stderr).toBe(0)
    // The observation works: lint's own modules and the YAML parser did run.
    expect(modules).toContain('src/core/settings/lint.ts')
    expect(modules.some((m) => m.startsWith('node_modules/yaml/'))).toBe(true)
    for (const [name, pattern] of HEAVY) expect(modules.filter((m) => pattern.test(m)), name).toEqual([])
  })

  it('evaluates node-forge when a PKCS#12 signing identity needs it: the observation can fail', async () => {
    const fixture = join(ROOT, 'test', 'fixtures', 'settings', 'good', 'pkcs12.yaml')
    const {result, modules} = await evaluatedModules(['lint', fixture], {MAILPROFILE_FIXTURE_PASSPHRASE: 'test-passphrase'})
    expect(result.code, result.stdout + result.stderr).toBe(0)
    expect(modules.some((m) => HEAVY[0]![1].test(m))).toBe(true)
  })

  it('compiles the bundle from the code cache when this Node made it, and never tries a cache made by another V8', () => {
    const meta = JSON.parse(readFileSync(join(ROOT, 'dist', 'cli.cache.json'), 'utf8')) as {v8: string}
    const probe = spawnSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        "import {cacheFile, compileBundle} from './bin/cli-loader.js'; import {readFileSync} from 'node:fs'; const file = cacheFile('lint'); console.log(JSON.stringify({file: file ?? null, rejected: file ? compileBundle(readFileSync(file)).script.cachedDataRejected : null}))",
      ],
      // Only the package's own folder: the caches the build made, or runs under this Node made there.
      {cwd: ROOT, encoding: 'utf8', env: {...process.env, XDG_CACHE_HOME: join(ROOT, 'dist', 'no-user-cache')}},
    )
    const state = JSON.parse(probe.stdout) as {file: string | null; rejected: boolean | null}
    // The suite also runs on other Nodes against the dist/ built by the first one: their caches are made at run time.
    if (meta.v8 === process.versions.v8) expect(state.file).toContain(`${process.versions.v8}-`)
    if (state.file) {
      expect(state.file.split('/').pop()!.startsWith(`${process.versions.v8}-${process.arch}-`)).toBe(true)
      expect(state.rejected).toBe(false)
    }
  })

  it('ships an ASCII-only bundle, so the loader\'s Latin-1 read of it is its text', () => {
    const bytes = readFileSync(join(ROOT, 'dist', 'cli.cjs'))
    expect(bytes.findIndex((byte) => byte > 0x7f)).toBe(-1)
    expect(bytes.toString('latin1')).toBe(bytes.toString('utf8'))
  })

  it('never uses the cache for a bundle other than the one it was made from, even of the same length', () => {
    // V8 itself checks little more than the source's length: the loader compares the bundle's SHA-256.
    const copy = mkdtempSync(join(tmpdir(), 'mailprofile-loader-'))
    try {
      mkdirSync(join(copy, 'bin'))
      mkdirSync(join(copy, 'dist'))
      for (const f of ['cli-loader.js', 'package.json']) writeFileSync(join(copy, 'bin', f), readFileSync(join(ROOT, 'bin', f)))
      for (const f of ['cli.cjs', 'cli.cache.json']) writeFileSync(join(copy, 'dist', f), readFileSync(join(ROOT, 'dist', f)))
      cpSync(join(ROOT, 'dist', 'code-cache'), join(copy, 'dist', 'code-cache'), {recursive: true})
      writeFileSync(join(copy, 'package.json'), '{"type": "module"}')
      const env = {...process.env, XDG_CACHE_HOME: join(copy, 'user-cache')}
      const fits = () => spawnSync(process.execPath, ['--input-type=module', '-e', "import {cacheFits} from './bin/cli-loader.js'; console.log(cacheFits())"], {cwd: copy, encoding: 'utf8', env}).stdout.trim()
      const meta = JSON.parse(readFileSync(join(ROOT, 'dist', 'cli.cache.json'), 'utf8')) as {v8: string}
      if (meta.v8 === process.versions.v8) expect(fits()).toBe('true')
      const bundle = readFileSync(join(copy, 'dist', 'cli.cjs'), 'utf8')
      const edited = bundle.replace('did you mean', 'did you MEAN')
      expect(edited).not.toBe(bundle)
      expect(Buffer.byteLength(edited)).toBe(Buffer.byteLength(bundle))
      writeFileSync(join(copy, 'dist', 'cli.cjs'), edited)
      expect(fits()).toBe('false')
    } finally {
      rmSync(copy, {recursive: true, force: true})
    }
  })
})
