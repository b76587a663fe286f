import {describe, expect, it} from 'vitest'

import {findJsonSyntaxError} from '../../../src/core/settings/json-syntax.js'

describe('findJsonSyntaxError', () => {
  it.each(['{}', '[]', '{"a": [1, -2.5e3, true, false, null, "x\\"\\u00e9\\n"]}', ' {"a": {"b": []}} \n', '"text"', '0'])('accepts what JSON.parse accepts: %s', (text) => {
    expect(() => JSON.parse(text)).not.toThrow()
    expect(findJsonSyntaxError(text)).toBeUndefined()
  })

  it.each([
    ['{"a": 1,}', 8, 'a trailing comma before }'],
    ['[1, 2,]', 6, 'a trailing comma before ]'],
    ['{"a": 1 "b": 2}', 8, 'expected "," or "}" after a property value, found """'],
    ["{'a': 1}", 1, "expected a property name in double quotes, found a single quote (JSON strings use double quotes)"],
    ['{"a": }', 6, 'expected a value, found "}"'],
    ['{"a": 1', 7, 'expected "," or "}" after a property value, found the end of the file'],
    ['{"a": "x\ny"}', 8, 'a line break inside a string (missing closing ")'],
    ['{"a": "x', 6, 'a string is never closed (missing ")'],
    ['{"a": 01}', 7, 'expected "," or "}" after a property value, found "1"'],
    ['{"a": 1} x', 9, 'unexpected "x" after the end of the JSON document'],
    ['// comment\n{}', 0, 'expected a value, found "/"'],
    ['', 0, 'expected a value, found the end of the file'],
  ])('refuses %j at offset %i', (text, offset, message) => {
    expect(() => JSON.parse(text)).toThrow()
    expect(findJsonSyntaxError(text)).toEqual({offset, message})
  })

  it('refuses absurd nesting without overflowing the stack', () => {
    expect(findJsonSyntaxError('['.repeat(100_000))?.message).toMatch(/nested more than/)
  })
})
