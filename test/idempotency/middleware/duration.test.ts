/**
 * `ttl` and `lease` durations: a string names its unit, a number is ms and
 * must look like it, and a value in the wrong unit is refused with both
 * readings spelt out, never guessed at.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ConfigurationError } from 'faasade'
import { idempotent } from 'faasade/idempotency'
import { parseDuration } from '../../../src/idempotency/duration.js'

const UNITS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const
type Unit = keyof typeof UNITS
const unit = fc.constantFrom(...(Object.keys(UNITS) as Unit[]))
const parse = (value: unknown) => parseDuration('idempotent', 'ttl', value)

describe('durations', () => {
  it('reads one term as its number times its unit', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 1_000_000 }), unit, (n, u) => {
      expect(parse(`${n}${u}`)).toBe(n * UNITS[u])
    }))
  })

  it('adds up several terms, in any order, with whitespace around', () => {
    fc.assert(fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 1000 }), unit), { minLength: 1, maxLength: 5 }), (terms) => {
      const total = terms.reduce((sum, [n, u]) => sum + n * UNITS[u], 0)
      const text = ` ${terms.map(([n, u]) => `${n}${u}`).join('')} `
      if (total === 0) expect(() => parse(text)).toThrow(ConfigurationError)
      else expect(parse(text)).toBe(total)
    }))
  })

  it('takes a fraction that comes to whole milliseconds', () => {
    expect(parse('1.5s')).toBe(1500)
    expect(parse('0.25h')).toBe(900_000)
    expect(() => parse('1.0005s')).toThrow(/whole number of milliseconds/)
  })

  it('takes a number of ms that is whole seconds, as it is', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 10_000_000 }), (seconds) => {
      expect(parse(seconds * 1000)).toBe(seconds * 1000)
    }))
  })

  it('refuses a number that looks like seconds, naming both readings', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 100_000_000 }).filter((n) => n % 1000 !== 0), (n) => {
      expect(() => parse(n)).toThrow(ConfigurationError)
      expect(() => parse(n)).toThrow(`write ttl: '${n}ms'`)
    }))
    expect(() => parse(86400)).toThrow("If you meant 86400 seconds, write ttl: '1d'")
    expect(() => parse(3600)).toThrow("write ttl: '1h'")
    expect(() => parse(90)).toThrow("write ttl: '90s'")
    expect(() => parse(500)).toThrow('under a second')
  })

  it('never throws anything but a ConfigurationError, and never returns a non-positive or fractional ms', () => {
    fc.assert(fc.property(fc.oneof(fc.string(), fc.double(), fc.anything()), (value) => {
      let ms: number
      try {
        ms = parse(value)
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigurationError)
        return
      }
      expect(Number.isSafeInteger(ms) && ms > 0).toBe(true)
    }))
  })

  it('refuses text without a unit or with an unknown one', () => {
    for (const text of ['24', 'h', '24 h', '5sec', '1w', '-5s', '', '1e3s', 'Infinityh']) expect(() => parse(text), text).toThrow(ConfigurationError)
  })

  it('is what idempotent() takes for ttl and lease', () => {
    expect(() => idempotent({ ttl: '24h', lease: '90s' })).not.toThrow()
    expect(() => idempotent({ ttl: 86_400_000, lease: 300_000 })).not.toThrow()
    expect(() => idempotent({ ttl: 86400 })).toThrow(/idempotent: ttl is in milliseconds, and 86400 ms is 86.4 s/)
    expect(() => idempotent({ lease: 300 })).toThrow(/idempotent: lease .* write lease: '5m'/)
  })
})
