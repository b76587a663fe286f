import {describe, expect, it} from 'vitest'

import {excerpt} from '../../../src/core/net/excerpt.js'

describe('excerpt', () => {
  it('escapes control characters, backslashes and non-ASCII bytes', () => {
    expect(excerpt('* OK\r\n\t\u0000\u001b[1m\\ ok')).toBe('* OK\\r\\n\\t\\x00\\x1b[1m\\\\ ok')
    expect(excerpt(Buffer.from([0x16, 0x03, 0x01, 0xff]))).toBe('\\x16\\x03\\x01\\xff')
    expect(excerpt('grüße')).toBe('gr\\xfc\\xdfe')
  })

  it('cuts long text with an ellipsis', () => {
    expect(excerpt('a'.repeat(500), 10)).toBe('aaaaaaaaaa…')
    expect(excerpt(Buffer.alloc(1 << 20, 0x41), 8)).toBe('AAAAAAAA…')
    expect(excerpt('short', 10)).toBe('short')
  })
})
