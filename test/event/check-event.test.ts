/**
 * The CloudEvents 1.0.2 checks (spec.md: naming conventions, type system,
 * required and optional attributes) that every decoded or created event
 * passes through.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { checkEvent, createEvent, InvalidEventError, isCloudEvent, isExtensionName, withData, type CloudEvent, type CloudEventInit } from 'faasade'

const valid = { specversion: '1.0', id: '1', source: '/s', type: 't' }
const paths = (candidate: Record<string, unknown>) => checkEvent(candidate).map((issue) => issue.path?.join('.'))

describe('checkEvent', () => {
  it('accepts the minimal event and every optional attribute', () => {
    expect(checkEvent(valid)).toEqual([])
    expect(
      checkEvent({
        ...valid,
        subject: 'mynewfile.jpg',
        time: '2018-04-05T17:31:00Z',
        datacontenttype: 'application/json',
        dataschema: 'https://example.com/schema',
        data: { any: ['json'] },
      }),
    ).toEqual([])
  })

  it('requires specversion "1.0" exactly', () => {
    expect(checkEvent(without('specversion'))).toEqual([{ message: 'is required', path: ['specversion'] }])
    for (const version of ['0.3', '1', '1.0.2', '', 1, 1.0, null]) expect(paths({ ...valid, specversion: version })).toEqual(['specversion'])
  })

  it('requires id, source and type as non-empty strings', () => {
    for (const name of ['id', 'source', 'type']) {
      expect(checkEvent(without(name))).toEqual([{ message: 'is required', path: [name] }])
      for (const bad of ['', 0, true, {}, ['x']]) expect(paths({ ...valid, [name]: bad })).toEqual([name])
    }
  })

  it('takes optional string attributes only as strings', () => {
    for (const name of ['subject', 'datacontenttype', 'dataschema']) expect(paths({ ...valid, [name]: 5 })).toEqual([name])
    expect(paths({ ...valid, dataschema: '' })).toEqual(['dataschema'])
  })

  it('holds datacontenttype and dataschema to non-empty; takes what real senders send for subject and dataschema', () => {
    expect(paths({ ...valid, datacontenttype: '' })).toEqual(['datacontenttype'])
    expect(paths({ ...valid, dataschema: '' })).toEqual(['dataschema'])
    // Against the letter of spec 1.0.2, on purpose: Azure Event Grid sends an
    // empty subject, Eventarc a dataschema without a scheme (test/fixtures/http).
    expect(paths({ ...valid, subject: '' })).toEqual([])
    expect(paths({ ...valid, dataschema: 'type.googleapis.com/google.logging.v2.LogEntry' })).toEqual([])
  })

  it('refuses unpaired surrogates in string attributes (type system: String), takes proper pairs', () => {
    // (datacontenttype has a grammar of its own, which refuses anything over U+00FF: test/http/header-injection.test.ts.)
    for (const name of ['id', 'source', 'type', 'subject', 'comexampleext']) {
      expect(paths({ ...valid, [name]: 'a\ud800b' }), name).toEqual([name])
      expect(paths({ ...valid, [name]: '\udead' }), name).toEqual([name])
      expect(paths({ ...valid, [name]: 'x\ud83d\ude00' }), name).toEqual([])
    }
    expect(paths({ ...valid, dataschema: 'https://example.com/\udc00' })).toEqual(['dataschema'])
  })

  it('takes Integer extension values in the signed 32-bit range only (type system: Integer)', () => {
    expect(checkEvent({ ...valid, min: -2147483648, max: 2147483647 })).toEqual([])
    for (const bad of [2147483648, -2147483649, Number.MAX_SAFE_INTEGER, 1e21]) expect(paths({ ...valid, ext: bad }), String(bad)).toEqual(['ext'])
  })

  it('takes RFC 3339 timestamps for time', () => {
    for (const time of [
      '2018-04-05T17:31:00Z',
      '2018-04-05T17:31:00.123Z',
      '2018-04-05T17:31:00.123456789Z',
      '2018-04-05T17:31:00+01:00',
      '2018-04-05T17:31:00-08:30',
      '2018-04-05t17:31:00z',
      '2018-04-05 17:31:00Z',
      '2024-02-29T00:00:00Z',
      '2000-02-29T00:00:00Z',
      '2016-12-31T23:59:60Z',
      '1990-12-31T15:59:60-08:00',
      '0001-01-01T00:00:00Z',
      '2018-04-05T17:31:00+23:59',
    ]) {
      expect(paths({ ...valid, time }), time).toEqual([])
    }
    for (const time of [
      'yesterday',
      '2018-04-05',
      '2018-04-05T17:31Z',
      '2018-04-05T17:31:00',
      '2018-04-05T17:31:00+0100',
      '2018-4-5T17:31:00Z',
      '2018-13-05T17:31:00Z',
      '2018-04-32T17:31:00Z',
      '2018-04-05T25:31:00Z',
      '2018-04-05T17:60:00Z',
      '2018-02-30T00:00:00Z',
      '2019-02-29T00:00:00Z',
      '1900-02-29T00:00:00Z',
      '2018-04-31T00:00:00Z',
      '2018-04-05T24:00:00Z',
      '2018-04-05T17:31:61Z',
      '2018-04-05T17:31:00+24:00',
      '2018-04-05T17:31:00+01:60',
      '2018-00-05T17:31:00Z',
      '2018-04-00T17:31:00Z',
      '2018-04-05T17:31:00.Z',
      ' 2018-04-05T17:31:00Z',
      1522949460000,
    ]) {
      expect(paths({ ...valid, time }), String(time)).toEqual(['time'])
    }
  })

  it('takes extension names of lower-case ASCII letters and digits only', () => {
    for (const name of ['a', 'z9', '0', 'comexampleextension1', 'traceparent']) expect(isExtensionName(name), name).toBe(true)
    for (const name of ['', 'A', 'myExt', 'my-ext', 'my_ext', 'my.ext', 'ümlaut', 'a b']) {
      expect(isExtensionName(name), name).toBe(false)
      expect(paths({ ...valid, [name]: 'x' })).toEqual([name])
    }
  })

  it('takes extension values of the type system: string, boolean, integer', () => {
    expect(checkEvent({ ...valid, s: 'x', e: '', b: false, i: -3, z: 0 })).toEqual([])
    for (const bad of [0.5, Number.NaN, Infinity, {}, [], null]) expect(paths({ ...valid, ext: bad }), String(bad)).toEqual(['ext'])
  })

  it('leaves data alone: any value, and the data_base64 member name is not an extension', () => {
    for (const data of [null, 0, 'x', [1], { a: 1 }, new Uint8Array([1])]) expect(checkEvent({ ...valid, data })).toEqual([])
    expect(checkEvent({ ...valid, data_base64: 'AA==' })).toEqual([])
  })

  it('reports every problem at once, each with the attribute it concerns', () => {
    expect(paths({ specversion: '0.3', id: '', time: 'soon', 'Bad-Name': 1, ok: {} })).toEqual(['specversion', 'id', 'source', 'type', 'time', 'Bad-Name', 'ok'])
  })
})

describe('checkEvent properties', () => {
  const RESERVED = new Set(['specversion', 'id', 'source', 'type', 'subject', 'time', 'datacontenttype', 'dataschema', 'data', 'data_base64'])

  it('accepts an extension exactly when its name is lower-case ASCII letters and digits', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 12 }), fc.stringMatching(/^[a-z0-9]{1,12}$/)), fc.string({ unit: 'binary' }), (name, value) => {
        fc.pre(!RESERVED.has(name))
        expect(checkEvent({ ...valid, [name]: value }).length === 0).toBe(/^[a-z0-9]+$/.test(name))
      }),
    )
  })

  it('accepts every valid Date as RFC 3339 time, and the ISO text round-trips', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('0001-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true }), (date) => {
        const event = createEvent({ id: '1', source: '/s', type: 't', time: date })
        expect(new Date(event.time!).getTime()).toBe(date.getTime())
      }),
    )
  })

  it('accepts a calendar day exactly when the proleptic Gregorian calendar has it', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 9999 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 31 }), (year, month, day) => {
        const date = new Date(0)
        date.setUTCFullYear(year, month - 1, day)
        const exists = date.getUTCDate() === day
        const time = `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}T00:00:00Z`
        expect(checkEvent({ ...valid, time }).length === 0).toBe(exists)
      }),
      { numRuns: 2000 },
    )
  })
})

describe('checkEvent time', () => {
  // The grammar of RFC 3339 section 5.6 with every field's range, written as
  // one regular expression; the day against its month as in isTimestamp.
  const REFERENCE = /^(\d{4})-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])[Tt ](?:[01]\d|2[0-3]):[0-5]\d:(?:[0-5]\d|60)(?:\.\d+)?(?:[Zz]|[+-](?:[01]\d|2[0-3]):[0-5]\d)$/
  const referenceValid = (time: string) => {
    const m = REFERENCE.exec(time)
    if (!m) return false
    const last = new Date(0)
    last.setUTCFullYear(Number(m[1]), Number(m[2]), 0)
    return Number(m[3]) <= last.getUTCDate()
  }

  it('takes exactly the timestamps of the RFC 3339 grammar, every field in range (property)', () => {
    const digits = (n: number) => fc.stringMatching(new RegExp(`^\\d{${n}}$`))
    const field = fc.oneof(digits(2), fc.constantFrom('00', '09', '12', '13', '23', '24', '28', '29', '30', '31', '32', '59', '60', '61', '99'), fc.constantFrom('', '1', '123', 'ab', '+1'))
    const zone = fc.oneof(fc.constantFrom('Z', 'z', '', 'UTC', '+', '+0100'), fc.tuple(fc.constantFrom('+', '-'), field, field).map(([sign, h, m]) => `${sign}${h}:${m}`))
    const year = fc.oneof(digits(4), fc.constantFrom('0000', '2000', '1900', '2024', '99999', '123'))
    const time = fc
      .tuple(year, field, field, fc.constantFrom('T', 't', ' ', '_'), field, field, field, fc.constantFrom('', '.5', '.123456789', '.', ',5'), zone)
      .map(([y, mo, d, t, h, mi, s, frac, z]) => `${y}-${mo}-${d}${t}${h}:${mi}:${s}${frac}${z}`)
    fc.assert(
      fc.property(time, (text) => {
        expect(checkEvent({ ...valid, time: text }).length === 0, text).toBe(referenceValid(text))
      }),
      { numRuns: 20_000 },
    )
  })
})

describe('createEvent', () => {
  it('adds specversion, drops undefined and null attributes, turns a Date into RFC 3339 and freezes', () => {
    const event = createEvent({ id: '1', source: '/s', type: 't', subject: undefined, tenant: null, time: new Date(Date.UTC(2018, 3, 5, 17, 31)) })
    expect(event).toEqual({ specversion: '1.0', id: '1', source: '/s', type: 't', time: '2018-04-05T17:31:00.000Z' })
    expect(Object.isFrozen(event)).toBe(true)
  })

  it('takes no attributes from a missing init or from a prototype: an InvalidEventError naming what is missing', () => {
    expect(() => createEvent(null as unknown as CloudEventInit)).toThrow(InvalidEventError)
    expect(() => createEvent(undefined as unknown as CloudEventInit)).toThrow(/id is required/)
    expect(() => createEvent(Object.create({ id: '1', source: '/s', type: 't' }) as CloudEventInit)).toThrow(/id is required/)
  })

  it('keeps data: null, which the JSON format tells apart from no data', () => {
    expect(createEvent({ id: '1', source: '/s', type: 't', data: null })).toHaveProperty('data', null)
    expect(createEvent({ id: '1', source: '/s', type: 't', data: undefined })).not.toHaveProperty('data')
  })

  it('treats a __proto__ key of parsed JSON as a (bad) attribute name, never as a prototype', () => {
    const init = JSON.parse('{"id":"1","source":"/s","type":"t","__proto__":{"subject":"inherited"}}') as CloudEventInit
    expect(() => createEvent(init)).toThrow(/__proto__ is not a valid extension attribute name/)
  })

  it('throws an InvalidEventError naming every bad attribute, as a 400 problem', () => {
    let thrown: unknown
    try {
      createEvent({ id: '', source: '/s', type: 't', time: 'soon', 'My-Ext': 'x' })
    } catch (error) {
      thrown = error
    }
    expect(thrown).toBeInstanceOf(InvalidEventError)
    const error = thrown as InvalidEventError
    expect(error.message).toBe('Invalid CloudEvent: id must be a non-empty string')
    expect(error.issues.map((i) => i.path?.join('.'))).toEqual(['id', 'time', 'My-Ext'])
    const problem = error.toProblem()
    expect(problem.status).toBe(400)
    expect(problem.detail).toContain('time must be an RFC 3339 timestamp')
    expect(problem.issues).toEqual([
      { message: 'must be a non-empty string', path: 'id' },
      { message: 'must be an RFC 3339 timestamp', path: 'time' },
      { message: 'is not a valid extension attribute name (lower-case letters and digits only)', path: 'My-Ext' },
    ])
  })
})

describe('isCloudEvent and withData', () => {
  it('recognises an object with the four required attributes', () => {
    expect(isCloudEvent(createEvent({ id: '1', source: '/s', type: 't' }))).toBe(true)
    expect(isCloudEvent({ ...valid, specversion: '0.3' })).toBe(false)
    for (const value of [null, undefined, 'x', 1, { id: '1', source: '/s', type: 't' }]) expect(isCloudEvent(value)).toBe(false)
  })

  it('replaces data in a frozen copy, or returns the event when data is the same', () => {
    const event: CloudEvent = createEvent({ id: '1', source: '/s', type: 't', data: { n: '1' } })
    const copy = withData(event, { n: 1 })
    expect(copy).toEqual({ ...event, data: { n: 1 } })
    expect(Object.isFrozen(copy)).toBe(true)
    expect(event.data).toEqual({ n: '1' })
    expect(withData(event, event.data)).toBe(event)
  })
})

function without(name: string): Record<string, unknown> {
  return Object.fromEntries(Object.entries(valid).filter(([key]) => key !== name))
}
