import {describe, expect, it} from 'vitest'

import {useColor} from '../../src/render/style.js'

describe('useColor', () => {
  it('is on for a TTY and off for a pipe', () => {
    expect(useColor({isTTY: true}, {})).toBe(true)
    expect(useColor({isTTY: false}, {})).toBe(false)
  })
  it('is never on with NO_COLOR, whatever its value, nor with TERM=dumb', () => {
    expect(useColor({isTTY: true}, {NO_COLOR: ''})).toBe(false)
    expect(useColor({isTTY: true}, {NO_COLOR: '1'})).toBe(false)
    expect(useColor({isTTY: true}, {TERM: 'dumb'})).toBe(false)
  })
  it('FORCE_COLOR turns it on for pipes, but NO_COLOR wins', () => {
    expect(useColor({isTTY: false}, {FORCE_COLOR: '1'})).toBe(true)
    expect(useColor({isTTY: false}, {FORCE_COLOR: '1', NO_COLOR: '1'})).toBe(false)
  })
})
