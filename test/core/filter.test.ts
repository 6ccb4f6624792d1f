import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { compileFilter, ConfigurationError, defineHandler } from 'faasade'

// The meaning of a `*` glob, spelled as the obvious backtracking regex. Fine as a
// reference on short strings; the code under test must not work this way.
const reference = (glob: string, value: string) =>
  new RegExp(`^${glob.split('*').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('[\\s\\S]*')}$`).test(value)

describe('compileFilter: string globs', () => {
  it.each([
    ['com.example.order.*', 'com.example.order.placed', true],
    ['com.example.order.*', 'com.example.order.', true],
    ['com.example.order.*', 'com.example.orders', false],
    ['*', '', true],
    ['*', 'anything', true],
    ['**', 'x', true],
    ['*.placed', '.placed', true],
    ['*.placed', 'placed', false],
    ['a*a', 'a', false],
    ['a*a', 'aa', true],
    ['a*b*a', 'aba', true],
    ['a*b*a', 'aab', false],
    ['com.*.*.*.*.placed', 'com.a.b.c.d.placed', true],
    ['com.*.*.*.*.placed', 'com.a.b.c.placed', false],
    ['/shop/*', '/shop/eu', true],
    ['/shop/*', '/warehouse', false],
    // Regex metacharacters in a glob are literal.
    ['a+b(c)?', 'a+b(c)?', true],
    ['a+b(c)?', 'aab', false],
    ['[x]*', '[x]yz', true],
    ['com.example', 'comXexample', false],
    ['exact', 'exact', true],
    ['exact', 'exactly', false],
    // A `*` crosses line breaks too: it means "any run of characters".
    ['a*b', 'a\nb', true],
  ])('%j on %j → %s', (glob, value, expected) => {
    expect(compileFilter(glob)(value)).toBe(expected)
  })

  it('agrees with the regex reference on random globs and values', () => {
    const text = fc.string({ unit: fc.constantFrom('a', 'b', '.', '*'), maxLength: 12 })
    fc.assert(
      fc.property(text, text, (glob, value) => {
        expect(compileFilter(glob)(value)).toBe(reference(glob, value))
      }),
      { numRuns: 5_000 },
    )
  })

  it('agrees with the reference when the value is built to match', () => {
    // Random strings rarely match a glob with literals; build some that do, then mutate them.
    const piece = fc.string({ unit: fc.constantFrom('a', 'b', '.'), maxLength: 4 })
    fc.assert(
      fc.property(fc.array(piece, { minLength: 1, maxLength: 5 }), fc.array(piece, { maxLength: 5 }), fc.nat(), (parts, fills, cut) => {
        const glob = parts.join('*')
        const value = parts.map((part, i) => (i === 0 ? part : (fills[i] ?? '') + part)).join('')
        expect(compileFilter(glob)(value)).toBe(true)
        const shorter = value.slice(0, cut % (value.length + 1))
        expect(compileFilter(glob)(shorter)).toBe(reference(glob, shorter))
      }),
      { numRuns: 2_000 },
    )
  })

  // These took 13-33 s each with a backtracking regex. No timer in the assertion:
  // the per-test timeout fails a run that blocks the event loop.
  it.each([
    ['*.*.*.placed', '.'.repeat(3_200)],
    ['com.*.*.*.*.placed', `com${'.'.repeat(800)}`],
    ['com.*.*.*.*.placed', `com${'.'.repeat(1_000_000)}`],
    ['*a*a*a*a*a*a*a*a*b', 'a'.repeat(100_000)],
    [`${'*.'.repeat(1_000)}x`, '.'.repeat(100_000)],
  ])('finishes at once on a hostile value for %s', { timeout: 5_000 }, (glob, value) => {
    expect(compileFilter(glob)(value)).toBe(false)
  })
})

describe('compileFilter: RegExp filters', () => {
  it.each([/^com\.example\./g, /^com\.example\./y, /^com\.example\./gy, /^COM\.example\./giy])('%s answers the same on every call', (pattern) => {
    const matches = compileFilter(pattern)
    const answers = Array.from({ length: 4 }, () => matches('com.example.placed'))
    expect(answers).toEqual([true, true, true, true])
  })

  it('keeps the other flags (i, s, u)', () => {
    expect(compileFilter(/^com\.EXAMPLE\..$/isu)('com.example.\n')).toBe(true)
  })

  it('is not changed by the caller mutating the RegExp afterwards', () => {
    const pattern = /^a/g
    const matches = compileFilter(pattern)
    pattern.lastIndex = 5
    expect(matches('abc')).toBe(true)
    expect(matches('abc')).toBe(true)
  })

  it('a handler with a global RegExp type accepts the same event every time', () => {
    const h = defineHandler({ type: /\.placed$/g, handle: () => 1 })
    const event = { type: 'com.example.placed', source: '/s' }
    expect([h.accepts(event), h.accepts(event), h.accepts(event)]).toEqual([true, true, true])
  })
})

describe('compileFilter: anything else', () => {
  it('undefined accepts everything', () => {
    expect(compileFilter(undefined)('x')).toBe(true)
  })

  it.each([42, null, {}, ['a']])('refuses %j with a ConfigurationError', (filter) => {
    expect(() => compileFilter(filter as never)).toThrow(ConfigurationError)
  })
})

describe('defineHandler filters', () => {
  it.each(['type', 'source'])('names `%s` when it is neither a string nor a RegExp', (option) => {
    expect(() => defineHandler({ [option]: 42, handle: () => 1 })).toThrow(new RegExp(`defineHandler: \`${option}\``))
  })

  it('matches a glob type on a hostile ce-type without stalling', { timeout: 5_000 }, () => {
    const h = defineHandler({ type: 'com.*.*.*.*.placed', handle: () => 1 })
    expect(h.accepts({ type: `com${'.'.repeat(100_000)}`, source: '/s' })).toBe(false)
    expect(h.accepts({ type: 'com.a.b.c.d.placed', source: '/s' })).toBe(true)
  })
})
