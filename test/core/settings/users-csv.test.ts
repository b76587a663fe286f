/**
 * The users CSV header (issue 9, item 9): the delimiter is detected (comma, semicolon, tab), a
 * column an export names differently gets a "did you mean", and a header without `address` says
 * what it holds. Findings point at the header cell and never quote anything but header names.
 */
import {describe, expect, it} from 'vitest'

import {codeInfo} from '../../../src/core/codes.js'
import type {Finding} from '../../../src/core/findings.js'
import {parseUsersCsv} from '../../../src/core/settings/users-csv.js'

const where = (f: Finding) => `${f.code} ${f.source?.file}:${f.source?.line}:${f.source?.column}`

function read(text: string) {
  const result = parseUsersCsv(text, 'staff.csv')
  for (const f of result.findings) expect(f.severity).toBe(codeInfo(f.code).severity)
  return result
}

describe('users CSV delimiters', () => {
  it.each([
    ['semicolons', 'address;name;login\njane@example.com;Doe, Jane;jdoe\n'],
    ['tabs', 'address\tname\tlogin\njane@example.com\tDoe, Jane\tjdoe\n'],
    ['commas, quoted', 'address,name,login\njane@example.com,"Doe, Jane",jdoe\n'],
    ['semicolons with a byte-order mark and CRLF (Excel)', '\uFEFFaddress;name;login\r\njane@example.com;Doe, Jane;jdoe\r\n'],
  ])('reads a file separated by %s', (_name, text) => {
    const {users, findings} = read(text)
    expect(findings).toEqual([])
    expect([...users]).toMatchObject([{address: 'jane@example.com', name: 'Doe, Jane', login: 'jdoe', source: {file: 'staff.csv', line: 2, column: 1}}])
  })

  it('says how a header without `address` was split, and that another separator is not read', () => {
    const {users, findings} = read('mail|full name\njane@example.com|Jane\n')
    expect([...users]).toEqual([])
    expect(findings.map(where)).toEqual(['unknown-key staff.csv:1:1', 'missing-key staff.csv:1:1'])
    expect(findings[1]!.message).toContain('one column, "mail|full name"')
    expect(findings[1]!.message).toContain('separated by commas, semicolons or tabs')
  })

  it('names the columns found and the separator when none is the address', () => {
    const {findings} = read('first name;last name;quota\nJane;Doe;100\n')
    expect(findings.filter((f) => f.code === 'missing-key').map((f) => f.message)).toEqual([
      'The users CSV header has no "address" column, so no user is read; the header row has 3 columns separated by semicolons: "first name", "last name", "quota".',
    ])
    // Each unknown column is reported at its own cell, and none is taken for a column it is not.
    expect(findings.filter((f) => f.code === 'unknown-key').map((f) => [where(f), /did you mean/.test(f.message)])).toEqual([
      ['unknown-key staff.csv:1:1', false],
      ['unknown-key staff.csv:1:12', false],
      ['unknown-key staff.csv:1:22', false],
    ])
    expect(findings[0]!.message).toContain('one `name` column')
  })
})

describe('users CSV column suggestions', () => {
  it('`email,name`: one finding, at the email cell, suggesting address', () => {
    const {users, findings} = read('email,name\njane@example.com,Jane\n')
    expect([...users]).toEqual([])
    expect(findings.map(where)).toEqual(['unknown-key staff.csv:1:1'])
    expect(findings[0]!.message).toBe('Unknown CSV column "email": did you mean "address"? The columns are address, name, login; without an `address` column no user is read.')
    expect(findings[0]!.fix).toBe('Rename the header "email" to "address".')
  })

  it.each([
    // Google Workspace's user export and template.
    ['First Name [Required],Last Name [Required],Email Address [Required],Org Unit Path [Required]', 'Email Address [Required]', 'address', 44],
    // Microsoft 365 admin centre's active-users export.
    ['Display name,User principal name,First name,Last name', 'User principal name', 'address', 14],
    ['Display name,User principal name,First name,Last name', 'Display name', 'name', 1],
    // cPanel's address importer, E-Mail as German exports write it.
    ['E-Mail;Domain;Quota', 'E-Mail', 'address', 1],
    ['address,logon', 'logon', 'login', 9],
    ['address,Username', 'Username', 'login', 9],
    ['address,user', 'user', 'login', 9],
    ['address\tsAMAccountName', 'sAMAccountName', 'login', 9],
    // Misspellings, through the project's suggestion helper.
    ['adress,name', 'adress', 'address', 1],
    ['address,nmae', 'nmae', 'name', 9],
    ['address;loign', 'loign', 'login', 9],
  ])('%s: "%s" → %s', (header, cell, column, at) => {
    const {findings} = read(`${header}\n`)
    const f = findings.find((x) => x.message.includes(`"${cell}"`))
    expect(f && where(f)).toBe(`unknown-key staff.csv:1:${at}`)
    expect(f?.message).toContain(`did you mean "${column}"?`)
    expect(f?.fix).toBe(`Rename the header "${cell}" to "${column}".`)
  })

  it('does not suggest a column for names that mean something else (surname is not username)', () => {
    const {findings} = read('address,surname,domain,status\n')
    expect(findings.map(where)).toEqual(['unknown-key staff.csv:1:9', 'unknown-key staff.csv:1:17', 'unknown-key staff.csv:1:24'])
    expect(findings.some((f) => /did you mean/.test(f.message))).toBe(false)
  })

  it('does not suggest a column the header already has', () => {
    const {users, findings} = read('address,email\njane@example.com,jane@example.org\n')
    expect(users.map((u) => u.address)).toEqual(['jane@example.com'])
    expect(findings[0]!.message).not.toContain('did you mean')
  })

  it('reports a header line after blank lines at its own line', () => {
    expect(read('\n\nmail,name\n').findings.map(where)).toEqual(['unknown-key staff.csv:3:1'])
  })
})

describe('users CSV findings quote header names only', () => {
  it('a first line that is not a header is shown by its position, not its text', () => {
    for (const text of ['DB_PASSWORD=hunter2,x\n', 'api: hunter2\n', 'jane@example.com;Jane Doe;jdoe\nbob@example.com;Bob;bob\n']) {
      const {findings} = read(text)
      const all = findings.map((f) => `${f.message} ${f.fix}`).join('\n')
      expect(all).not.toMatch(/hunter2|jane@example|Jane Doe|jdoe/)
      expect(findings.length).toBeGreaterThan(0)
    }
  })

  it('a first row of data (no header) is said to be one, at the cell with the address', () => {
    const {users, findings} = read('Jane Doe;jane@example.com;jdoe\n')
    expect([...users]).toEqual([])
    expect(findings.map(where)).toEqual(['missing-key staff.csv:1:10'])
    expect(findings[0]!.message).toBe('The users CSV has no header row: its first row holds data (an email address in column 2), so no user is read.')
    expect(findings[0]!.fix).toBe('Add a header row naming the columns as the first line, e.g. `address;name;login`.')
  })

  it('never quotes a data row', () => {
    const {findings} = read('email;name\nsecret.person@example.com;Secret Person\n')
    expect(findings.map((f) => f.message).join('\n')).not.toMatch(/secret/i)
  })
})

describe('users CSV through lint', () => {
  it('an `email;name` export named by usersFile: the finding points at the CSV cell, and the CSV users of a good header are read', async () => {
    const {mkdtempSync, rmSync, writeFileSync} = await import('node:fs')
    const {tmpdir} = await import('node:os')
    const {join} = await import('node:path')
    const {lintSettingsFile} = await import('../../../src/core/settings/lint.js')
    const dir = mkdtempSync(join(tmpdir(), 'mailprofile-csv-'))
    try {
      const settings = `version: 1
organization: {name: Example, identifier: com.example.mail}
domains:
  - domain: example.com
    incoming: {protocol: imap, host: imap.example.com}
    outgoing: {host: smtp.example.com}
usersFile: staff.csv
`
      writeFileSync(join(dir, 'settings.yaml'), settings)
      writeFileSync(join(dir, 'staff.csv'), 'name;email\nJane;jane@example.com\n')
      const lint = async () => (await lintSettingsFile(join(dir, 'settings.yaml'), {warnDays: 30, now: new Date('2030-01-01T00:00:00Z'), env: {}}))
      let result = await lint()
      expect(result.findings.map((f) => `${f.code} ${f.source?.file?.replace(`${dir}/`, '')}:${f.source?.line}:${f.source?.column}`)).toEqual(['unknown-key staff.csv:1:6'])
      writeFileSync(join(dir, 'staff.csv'), 'name;address\nJane;jane@example.com\nJane again;JANE@example.com\n')
      result = await lint()
      expect(result.settings?.users.map((u) => u.address)).toEqual(['jane@example.com', 'JANE@example.com'])
      expect(result.findings.map((f) => `${f.code} ${f.source?.line}:${f.source?.column}`)).toEqual(['user-duplicate 3:1'])
    } finally {
      rmSync(dir, {recursive: true, force: true})
    }
  })
})
