/** The readers doctor applies to what servers publish, against the shared corpus (read in place) and hostile input. */
import {readdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

import {readAutoconfig} from '../../src/core/doctor/autoconfig-xml.js'
import {readPox} from '../../src/core/doctor/autodiscover-xml.js'
import {ConnectToMap, parseConnectTo} from '../../src/core/doctor/connect-to.js'
import {parseDnsServer} from '../../src/core/doctor/dns.js'
import {poxRequestBody} from '../../src/core/doctor/outlook.js'
import {readXml} from '../../src/core/doctor/xml.js'
import {corpusDir} from '../helpers/corpus.js'

const CORPUS = corpusDir() ?? ''
const ispdb = CORPUS ? readdirSync(join(CORPUS, 'autoconfig/ispdb')).filter((f) => f.endsWith('.xml')) : []

describe('doctor readers', () => {
  it.skipIf(ispdb.length === 0)('reads every ISPDB file of the corpus with an incoming server', () => {
    let servers = 0
    for (const f of ispdb) {
      const r = readAutoconfig(readFileSync(join(CORPUS, 'autoconfig/ispdb', f)), f)
      expect(r.ok, f).toBe(true)
      if (r.ok) servers += r.config.servers.length
    }
    expect(servers).toBeGreaterThan(ispdb.length)
  })

  it('refuses a DOCTYPE (entities never expanded) and recognises HTML', () => {
    const bomb = Buffer.from('<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaa"><!ENTITY b "&a;&a;&a;">]><clientConfig>&b;</clientConfig>')
    expect(readXml(bomb)).toEqual({ok: false, reason: 'XML with a DOCTYPE (refused, never expanded)'})
    expect(readXml(Buffer.from('<!DOCTYPE html><html></html>'))).toEqual({ok: false, reason: 'an HTML page'})
    expect(readXml(Buffer.from('<a>' + '<b>'.repeat(40) + '</b>'.repeat(40) + '</a>')).ok).toBe(false)
  })

  it.skipIf(!CORPUS)('reads a POX redirectAddr from the corpus and an Error response', () => {
    const r = readPox(readFileSync(join(CORPUS, 'autodiscover/ms-oxdscli__redirectAddr-example.xml')), 'x')
    expect(r).toEqual({ok: true, kind: 'redirectAddr', target: 'user@subdomain.contoso.com'})
    const e = readPox(Buffer.from('<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006"><Response><Error><ErrorCode>600</ErrorCode><Message>Invalid Request</Message></Error></Response></Autodiscover>'), 'x')
    expect(e).toEqual({ok: true, kind: 'error', errorCode: '600', message: 'Invalid Request'})
  })

  it('the POX request escapes the address through the XML builder and carries nothing else', () => {
    const body = poxRequestBody('a&b<c>@example.com')
    expect(body).toContain('<EMailAddress>a&amp;b&lt;c&gt;@example.com</EMailAddress>')
    const parsed = readXml(Buffer.from(body))
    expect(parsed.ok).toBe(true)
    expect(body).not.toMatch(/password|credential/i)
  })

  it('--connect-to and --dns: forms, the any-host entry, errors', () => {
    const m = ConnectToMap.parse(['example.test:443:127.0.0.1:8443', ':443:127.0.0.2:9443', '[::1]:993:[::1]:1993'])
    expect(m.lookup('EXAMPLE.test', 443)).toEqual({address: '127.0.0.1', port: 8443})
    expect(m.lookup('other.test', 443)).toEqual({address: '127.0.0.2', port: 9443})
    expect(m.lookup('other.test', 80)).toBeUndefined()
    expect(m.lookup('::1', 993)).toEqual({address: '::1', port: 1993})
    expect(() => parseConnectTo('example.test:443:nohost:8443')).toThrow(/not an IP address/)
    expect(() => parseConnectTo('example.test:443:127.0.0.1')).toThrow(/HOST:PORT:ADDRESS:PORT/)
    expect(parseDnsServer('127.0.0.1:5353')).toBe('127.0.0.1:5353')
    expect(parseDnsServer('[::1]')).toBe('[::1]:53')
    expect(() => parseDnsServer('dns.example')).toThrow(/IP address/)
  })
})
