import {describe, expect, it} from 'vitest'

import {serviceOfPort} from '../../../src/core/mail/protocol.js'

describe('serviceOfPort', () => {
  it('maps the RFC 8314 and STARTTLS ports to their service, and nothing else', () => {
    expect([993, 143, 995, 110, 465, 587, 25, 2525, 443].map((p) => serviceOfPort(p))).toEqual([
      {protocol: 'imap', security: 'ssl'},
      {protocol: 'imap', security: 'starttls'},
      {protocol: 'pop3', security: 'ssl'},
      {protocol: 'pop3', security: 'starttls'},
      {protocol: 'smtp', security: 'ssl'},
      {protocol: 'smtp', security: 'starttls'},
      {protocol: 'smtp', security: 'starttls'},
      undefined,
      undefined,
    ])
  })
})
