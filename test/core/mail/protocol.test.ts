import {describe, expect, it} from 'vitest'

import {defaultPort, isImplicitTlsPort, isStarttlsPort, protocolOfPort, PROTOCOLS, securityFromUseSsl, useSsl, type Security} from '../../../src/core/mail/protocol.js'

describe('the mail protocol table', () => {
  it('has the RFC 8314 / RFC 6409 default ports', () => {
    expect(PROTOCOLS.map((p) => [defaultPort(p, 'ssl'), defaultPort(p, 'starttls'), defaultPort(p, 'none')])).toEqual([
      [993, 143, 143],
      [995, 110, 110],
      [465, 587, 587],
    ])
  })

  it('tells implicit-TLS ports from STARTTLS ports (25 is SMTP with STARTTLS) and names the protocol of each', () => {
    expect([993, 995, 465, 143, 110, 587, 25, 2525].map(isImplicitTlsPort)).toEqual([true, true, true, false, false, false, false, false])
    expect([993, 995, 465, 143, 110, 587, 25, 2525].map(isStarttlsPort)).toEqual([false, false, false, true, true, true, true, false])
    expect([993, 143, 995, 110, 465, 587, 25, 443].map(protocolOfPort)).toEqual(['imap', 'imap', 'pop3', 'pop3', 'smtp', 'smtp', 'smtp', undefined])
  })

  it('reads UseSSL back into the TLS mode it was written from, on the default ports', () => {
    for (const protocol of PROTOCOLS) {
      for (const security of ['ssl', 'starttls', 'none'] as Security[]) {
        const port = defaultPort(protocol, security)
        expect(securityFromUseSsl(useSsl(security), port)).toBe(security)
      }
    }
    expect(securityFromUseSsl(true, undefined)).toBe('ssl')
    expect(securityFromUseSsl(true, 25)).toBe('starttls')
    expect(securityFromUseSsl(true, 2525)).toBe('ssl')
    expect(securityFromUseSsl(false, 993)).toBe('none')
  })
})
