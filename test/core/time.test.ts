import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { checkEvent, formatTimestamp } from 'faasade'

describe('formatTimestamp', () => {
  it('writes what Date#toISOString writes, for every millisecond of years 0 to 9999', () => {
    fc.assert(
      fc.property(fc.integer({ min: -62167219200000, max: 253402300799999 }), (ms) => {
        expect(formatTimestamp(ms)).toBe(new Date(ms).toISOString())
      }),
      { numRuns: 20_000 },
    )
  })

  // It remembers the last day's date: runs of times on one day, across
  // midnight and back again, must each still be written as Date writes them.
  it('writes what Date writes for runs of nearby times, as a batch stamps them', () => {
    fc.assert(
      fc.property(fc.integer({ min: -62167219200000 + 2 * 86_400_000, max: 253402300799999 - 2 * 86_400_000 }), fc.array(fc.integer({ min: -2 * 86_400_000, max: 2 * 86_400_000 }), { maxLength: 20 }), (start, steps) => {
        for (const ms of [start, ...steps.map((step) => start + step)]) expect(formatTimestamp(ms)).toBe(new Date(ms).toISOString())
      }),
      { numRuns: 2_000 },
    )
  })

  it('writes what Date#toISOString writes for any number, fractions and negatives included, and nothing where Date cannot', () => {
    fc.assert(
      fc.property(fc.oneof(fc.double({ min: -62167219200001, max: 253402300800001, noNaN: true }), fc.double()), (ms) => {
        const date = new Date(ms)
        const expected = Number.isNaN(date.getTime()) || date.getUTCFullYear() < 0 || date.getUTCFullYear() > 9999 ? undefined : date.toISOString()
        expect(formatTimestamp(ms)).toBe(expected)
      }),
      { numRuns: 20_000 },
    )
  })

  it('writes a valid CloudEvents time', () => {
    fc.assert(
      fc.property(fc.integer({ min: -62167219200000, max: 253402300799999 }), (ms) => {
        expect(checkEvent({ specversion: '1.0', id: '1', source: '/s', type: 't', time: formatTimestamp(ms) })).toEqual([])
      }),
    )
  })

  it.each([
    ['the epoch', 0, '1970-01-01T00:00:00.000Z'],
    ['a leap day', Date.UTC(2024, 1, 29, 23, 59, 59, 999), '2024-02-29T23:59:59.999Z'],
    ['the first millisecond of year 0', -62167219200000, '0000-01-01T00:00:00.000Z'],
    ['the last of year 9999', 253402300799999, '9999-12-31T23:59:59.999Z'],
    ['a fraction, cut off as Date does', 1545082649183.9, '2018-12-17T21:37:29.183Z'],
    ['a negative fraction, cut off toward zero as Date does', -0.5, '1970-01-01T00:00:00.000Z'],
    ['a fraction past the last whole millisecond of year 9999', 253402300799999.5, '9999-12-31T23:59:59.999Z'],
    ['a time before the epoch', -1, '1969-12-31T23:59:59.999Z'],
  ])('%s', (_name, ms, expected) => {
    expect(formatTimestamp(ms)).toBe(expected)
  })

  it.each([NaN, Infinity, -Infinity, -62167219200001, 253402300800000, 8.64e15])('has no RFC 3339 form for %s', (ms) => {
    expect(formatTimestamp(ms)).toBeUndefined()
  })
})
