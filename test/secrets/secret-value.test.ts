/**
 * src/secrets/secret-value.ts on its own: which texts of a secret's value are
 * registered with the scrubber (`plaintexts`), and what a `Secret` prints.
 * The edges its mutants found unguarded (issue 17; docs/testing.md "Mutation
 * testing"): numbers from exactly 4 digits (a minus sign not counted), not
 * NaN or Infinity, bigints, bytes as base64, nesting to a depth of 32 and no
 * deeper (a cycle would never end).
 */
import util from 'node:util'
import { describe, expect, it } from 'vitest'
import { REDACTED, redact } from 'faasade'
import { plaintexts, scrubEverywhere, Secret } from '../../src/secrets/secret-value.js'

/** `value` nested `depth` arrays deep. */
function nested(value: unknown, depth: number): unknown {
  let out = value
  for (let i = 0; i < depth; i++) out = [out]
  return out
}

describe('plaintexts', () => {
  it.each([
    ['a string', 'pa55-word', ['pa55-word']],
    ['a short string (scrubbed only whole, but registered)', 'ab', ['ab']],
    ['a 4-digit number', 1234, ['1234']],
    ['a 3-digit number', 443, []],
    ['a negative number: its digits are counted, not the minus', -123, []],
    ['a negative 4-digit number', -1234, ['-1234']],
    ['a fraction', 3.25, ['3.25']],
    ['NaN', Number.NaN, []],
    ['Infinity', Number.POSITIVE_INFINITY, []],
    ['a bigint', 12345n, ['12345']],
    ['a short bigint', 12n, []],
    ['bytes, as base64', new Uint8Array([0xde, 0xad, 0xbe, 0xef]), ['3q2+7w==']],
    ['a boolean', true, []],
    ['null', null, []],
    ['an object: each leaf', { user: 'svc-app', password: 'pw-123456', port: 5432, tls: true, nested: { token: 'tok-abcdef' } }, ['svc-app', 'pw-123456', '5432', 'tok-abcdef']],
    ['an array: each item', ['one-1', ['two-2', 98765]], ['one-1', 'two-2', '98765']],
  ])('%s', (_name, value, expected) => {
    expect(plaintexts(value)).toEqual(expected)
  })

  it('goes 32 levels deep and no deeper', () => {
    expect(plaintexts(nested('deep-enough', 32))).toEqual(['deep-enough'])
    expect(plaintexts(nested('too-deep-here', 33))).toEqual([])
  })

  it('appends to the list it is given', () => {
    const out = ['already']
    expect(plaintexts('more-text', out)).toBe(out)
    expect(out).toEqual(['already', 'more-text'])
  })
})

describe('scrubEverywhere and Secret', () => {
  it('registers every text of the value with the scrubber', () => {
    scrubEverywhere({ a: 'sv-leaf-one', b: [20_261_208] })
    expect(redact('x sv-leaf-one y 20261208')).toBe(`x ${REDACTED} y ${REDACTED}`)
  })

  it('prints as [redacted] every way, and gives its value and name', () => {
    const secret = new Secret('db', { password: 'sv-printed-pw' })
    expect(secret.value).toEqual({ password: 'sv-printed-pw' })
    expect(secret.name).toBe('db')
    expect(String(secret)).toBe(REDACTED)
    expect(`${secret}`).toBe(REDACTED)
    expect(JSON.stringify({ secret })).toBe(`{"secret":"${REDACTED}"}`)
    expect(util.inspect(secret)).toBe(REDACTED)
    expect(util.inspect({ secret })).toBe(`{ secret: ${REDACTED} }`)
  })
})
