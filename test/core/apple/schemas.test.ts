import {spawnSync} from 'node:child_process'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'

import {parse} from 'plist'
import {describe, expect, it} from 'vitest'

import {appleSchemaSource, knownPayloadType, payloadSchemaKeys, validateConfiguration, validateDeclaration, validatePayload} from '../../../src/core/apple/schemas.js'
import {ROOT} from '../../helpers/cli.js'

function mailPayload(): Record<string, unknown> {
  return {
    EmailAccountType: 'EmailTypeIMAP',
    IncomingMailServerAuthentication: 'EmailAuthPassword',
    IncomingMailServerHostName: 'imap.example.com',
    IncomingMailServerPortNumber: 993,
    IncomingMailServerUseSSL: true,
    OutgoingMailServerAuthentication: 'EmailAuthPassword',
    OutgoingMailServerHostName: 'smtp.example.com',
    PayloadIdentifier: 'com.example.mail.account',
    PayloadType: 'com.apple.mail.managed',
    PayloadUUID: '2ED6657D-E927-568B-95E1-2665A8AEA6A2',
    PayloadVersion: 1,
  }
}

describe('schemas/apple (converted)', () => {
  it('are what scripts/refresh-apple-schemas.js gives from the shipped source (re-runnable, no drift)', () => {
    const r = spawnSync(process.execPath, [join(ROOT, 'scripts', 'refresh-apple-schemas.js'), '--check', '--from', join(ROOT, 'schemas', 'apple', 'source')], {encoding: 'utf8'})
    expect(r.stderr).toBe('')
    expect(r.status).toBe(0)
  })

  it('name the apple/device-management commit they come from', () => {
    expect(appleSchemaSource()).toMatch(/^[0-9a-f]{40}$/)
    expect(appleSchemaSource()).toBe(JSON.parse(readFileSync(join(ROOT, 'schemas', 'apple', 'index.json'), 'utf8')).sourceCommit)
  })

  it('are compiled at build time: the CLI bundle carries no ajv schema compiler', () => {
    const bundle = readFileSync(join(ROOT, 'dist', 'cli.cjs'), 'utf8')
    // A message of ajv's compiler (lib/core.ts addSchema), present whenever Ajv itself is bundled.
    expect(bundle).not.toContain('already exists`')
    expect(bundle).toContain('apple-validators')
  })

  it('list every key of a payload type, for "did you mean"', () => {
    expect(payloadSchemaKeys('com.apple.mail.managed')).toContain('IncomingMailServerHostName')
    expect(payloadSchemaKeys('Configuration')).toContain('PayloadContent')
    expect(payloadSchemaKeys('com.apple.wifi.managed')).toEqual([])
  })
})

describe('validatePayload', () => {
  it('accepts a correct mail payload', () => {
    expect(validatePayload(mailPayload())).toEqual([])
  })

  it('reports wrong types, unknown keys, missing required keys and values outside the range list', () => {
    const p = {...mailPayload(), IncomingMailServerPortNumber: '993', IncomingMailServerUseSSL: 'yes', Bogus: 1, EmailAccountType: 'EmailTypeExchange', PayloadVersion: 1.5}
    delete (p as Record<string, unknown>).OutgoingMailServerHostName
    const issues = validatePayload(p)
    const by = (path: string) => issues.filter((i) => i.path === path).map((i) => i.keyword)
    expect(by('/IncomingMailServerPortNumber')).toContain('type')
    expect(by('/IncomingMailServerUseSSL')).toContain('type')
    expect(by('/Bogus')).toEqual(['additionalProperties'])
    expect(by('/OutgoingMailServerHostName')).toEqual(['required'])
    expect(by('/EmailAccountType')).toEqual(['enum'])
    expect(by('/PayloadVersion')).toContain('type')
    expect(issues.find((i) => i.path === '/IncomingMailServerPortNumber')!.message).toBe('must be <integer>')
  })

  it('checks <data> as bytes: a Buffer or the Uint8Array the plist parser gives passes, a string fails', () => {
    const cert = {PayloadType: 'com.apple.security.root', PayloadIdentifier: 'x.ca', PayloadUUID: '2ED6657D-E927-568B-95E1-2665A8AEA6A2', PayloadVersion: 1}
    expect(validatePayload({...cert, PayloadContent: Buffer.from([0x30, 0x82])})).toEqual([])
    expect(validatePayload({...cert, PayloadContent: new Uint8Array([0x30])})).toEqual([])
    expect(validatePayload({...cert, PayloadContent: 'MIIB'})).toEqual([{path: '/PayloadContent', keyword: 'plistType', message: 'must be <data>'}])
  })

  it('checks the format of S/MIME certificate UUIDs', () => {
    expect(validatePayload({...mailPayload(), SMIMESigningCertificateUUID: 'not-a-uuid'}).map((i) => i.keyword)).toEqual(['pattern'])
  })

  it('checks CalDAV and CardDAV payloads: a <real> port reads as a number, a string port is the wrong type', () => {
    const dav = (type: string, prefix: string, port: unknown) => ({PayloadType: type, PayloadIdentifier: 'x.dav', PayloadUUID: '2ED6657D-E927-568B-95E1-2665A8AEA6A2', PayloadVersion: 1, [`${prefix}HostName`]: 'dav.example.com', [`${prefix}Port`]: port, [`${prefix}UseSSL`]: true})
    expect(validatePayload(dav('com.apple.caldav.account', 'CalDAV', 443))).toEqual([])
    expect(validatePayload(dav('com.apple.carddav.account', 'CardDAV', 443))).toEqual([])
    expect(validatePayload(dav('com.apple.caldav.account', 'CalDAV', 0.5)).map((i) => `${i.path} ${i.message}`)).toEqual(['/CalDAVPort must be <integer>'])
    expect(validatePayload(dav('com.apple.carddav.account', 'CardDAV', '443')).map((i) => `${i.path} ${i.message}`)).toEqual(['/CardDAVPort must be <integer>'])
  })

  it('knows which payload types it has schemas for', () => {
    expect(knownPayloadType('com.apple.caldav.account')).toBe(true)
    expect(knownPayloadType('com.apple.carddav.account')).toBe(true)
    expect(knownPayloadType('com.apple.mail.managed')).toBe(true)
    expect(knownPayloadType('com.apple.wifi.managed')).toBe(false)
    expect(validatePayload({PayloadType: 'com.apple.wifi.managed'})).toEqual([])
  })
})

describe('validateConfiguration', () => {
  const top = (content: unknown[]): Record<string, unknown> => ({
    PayloadContent: content,
    PayloadDisplayName: 'x',
    PayloadIdentifier: 'com.example.mail.profile',
    PayloadType: 'Configuration',
    PayloadUUID: '2ED6657D-E927-568B-95E1-2665A8AEA6A2',
    PayloadVersion: 1,
  })

  it('validates a profile parsed from XML, <date> included, and each payload by its type', () => {
    const xml = `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0"><dict>
<key>PayloadContent</key><array><dict>
<key>PayloadType</key><string>com.apple.security.pkcs1</string><key>PayloadIdentifier</key><string>a.b</string>
<key>PayloadUUID</key><string>2ED6657D-E927-568B-95E1-2665A8AEA6A2</string><key>PayloadVersion</key><integer>1</integer>
<key>PayloadContent</key><data>MIIB</data></dict></array>
<key>PayloadIdentifier</key><string>a</string><key>PayloadType</key><string>Configuration</string>
<key>PayloadUUID</key><string>2ED6657D-E927-568B-95E1-2665A8AEA6A3</string><key>PayloadVersion</key><integer>1</integer>
<key>RemovalDate</key><date>2030-01-01T00:00:00Z</date>
<key>ConsentText</key><dict><key>default</key><string>ok</string><key>en</key><string>ok</string></dict>
</dict></plist>`
    expect(validateConfiguration(parse(xml) as Record<string, unknown>)).toEqual([])
  })

  it('reports a <real> PayloadVersion and a bad payload inside, with its path', () => {
    const bad = {...mailPayload(), IncomingMailServerHostName: 42}
    const issues = validateConfiguration({...top([bad]), PayloadVersion: 1.5, TargetDeviceType: 9, ConsentText: {default: 3}})
    expect(issues.map((i) => `${i.path} ${i.keyword}`).sort()).toEqual(['/ConsentText/default type', '/PayloadContent/0/IncomingMailServerHostName type', '/PayloadVersion enum', '/PayloadVersion type', '/TargetDeviceType enum'].sort())
  })
})

describe('validateDeclaration', () => {
  const decl = () => ({
    Type: 'com.apple.configuration.account.mail',
    Identifier: 'com.example.mail.account',
    ServerToken: 'abc',
    Payload: {
      IncomingServer: {ServerType: 'IMAP', HostName: 'imap.example.com', Port: 993, AuthenticationMethod: 'Password'},
      OutgoingServer: {HostName: 'smtp.example.com', Port: 465, AuthenticationMethod: 'Password'},
    },
  })

  it('accepts a correct declaration', () => {
    expect(validateDeclaration(decl())).toEqual([])
  })

  it('reports wrong declarations', () => {
    const d = decl()
    ;(d.Payload.IncomingServer as Record<string, unknown>).ServerType = 'POP3'
    ;(d.Payload.OutgoingServer as Record<string, unknown>).ServerType = 'SMTP'
    expect(validateDeclaration(d).map((i) => `${i.path} ${i.keyword}`).sort()).toEqual(['/Payload/IncomingServer/ServerType enum', '/Payload/OutgoingServer/ServerType additionalProperties'])
    expect(validateDeclaration({...decl(), Type: 'com.apple.configuration.other'})[0]!.keyword).toBe('enum')
  })
})
