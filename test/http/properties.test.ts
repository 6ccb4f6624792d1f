/**
 * Properties of the binding over arbitrary valid events: each encoder and
 * the decoder are inverses, header values survive percent-encoding and come
 * out as printable ASCII, and no request whatsoever gets past the binding as
 * a crash.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  createEvent,
  decodeCloudEvents,
  defineHandler,
  encodeBatch,
  encodeBinary,
  encodeStructured,
  type CloudEvent,
  type HttpReply,
  type HttpRequest,
} from 'faasade'
import { decodeHeaderValue, encodeHeaderValue } from '../../src/http/header-value.js'
import { JSON_BATCH, JSON_EVENT, serve } from './helpers.js'

const RESERVED = new Set(['specversion', 'id', 'source', 'type', 'subject', 'time', 'datacontenttype', 'dataschema', 'data'])

/** Any Unicode text (every code point, surrogate pairs whole). */
const unicode = (minLength = 0) => fc.string({ unit: 'binary', minLength, maxLength: 24 })
const extensionName = fc.stringMatching(/^[a-z0-9]{1,20}$/).filter((name) => !RESERVED.has(name))
const integer = fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 })
const timestamp = fc
  .date({ min: new Date('0001-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true })
  .map((date) => date.toISOString())

type Data = { data: unknown; datacontenttype: string }
const jsonData = fc.record({
  // Through JSON once: JSON.stringify writes -0 as 0, which is JSON's business, not the binding's.
  data: fc.jsonValue().map((value) => JSON.parse(JSON.stringify(value)) as unknown),
  datacontenttype: fc.constantFrom('application/json', 'application/json; charset=utf-8', 'text/json', 'application/vnd.example+json'),
})
const textData = fc.record({ data: unicode(1), datacontenttype: fc.constantFrom('text/plain', 'text/csv; charset=utf-8', 'text/html') })
const byteData = fc.record({
  data: fc.uint8Array({ minLength: 1, maxLength: 64 }),
  datacontenttype: fc.constantFrom('application/octet-stream', 'image/png', 'application/vnd.apache.thrift.binary'),
})
const anyData: fc.Arbitrary<Data | undefined> = fc.option(fc.oneof(jsonData, textData, byteData), { nil: undefined })

/** An arbitrary valid event; `values` draws the extension values. */
function events(values: fc.Arbitrary<string | number | boolean>, data: fc.Arbitrary<Data | undefined> = anyData): fc.Arbitrary<CloudEvent> {
  return fc
    .record(
      {
        id: unicode(1),
        source: unicode(1),
        type: unicode(1),
        subject: unicode(),
        time: timestamp,
        dataschema: fc.webUrl(),
        extensions: fc.dictionary(extensionName, values, { maxKeys: 4 }),
        data,
      },
      { requiredKeys: ['id', 'source', 'type', 'extensions', 'data'] },
    )
    .map(({ extensions, data, ...attributes }) => createEvent({ ...extensions, ...attributes, ...data }))
}

const extensionValue = fc.oneof(unicode(), fc.boolean(), integer)

/** A reply or encoding as it arrives at the other end of a real connection: the body as UTF-8 bytes. */
function overTheWire(encoded: Pick<HttpReply, 'headers' | 'body'>): HttpRequest {
  const body = typeof encoded.body === 'string' ? new TextEncoder().encode(encoded.body) : encoded.body
  return { method: 'POST', headers: encoded.headers, body }
}

describe('round trips', () => {
  it('encodeBinary -> decode is the identity (binary mode carries extension values as strings)', () => {
    fc.assert(
      fc.property(events(unicode()), (event) => {
        expect(decodeCloudEvents(overTheWire(encodeBinary(event)))).toEqual([event])
      }),
    )
  })

  it('encodeBinary -> decode turns other extension values into their canonical strings', () => {
    fc.assert(
      fc.property(events(fc.oneof(fc.boolean(), integer), fc.constant(undefined)), (event) => {
        const [decoded] = decodeCloudEvents(overTheWire(encodeBinary(event)))
        expect(decoded).toEqual(Object.fromEntries(Object.entries(event).map(([name, value]) => [name, String(value)])))
      }),
    )
  })

  it('encodeBinary -> decode of data without datacontenttype makes the implied type explicit', () => {
    const untyped = fc.oneof(
      jsonData.map(({ data }) => ({ data, expected: 'application/json' })),
      byteData.map(({ data }) => ({ data, expected: 'application/octet-stream' })),
    )
    fc.assert(
      fc.property(untyped, ({ data, expected }) => {
        const event = createEvent({ id: '1', source: '/s', type: 't', data })
        expect(decodeCloudEvents(overTheWire(encodeBinary(event)))).toEqual([{ ...event, datacontenttype: expected }])
      }),
    )
  })

  it('encodeStructured -> decode is the identity', () => {
    fc.assert(
      fc.property(events(extensionValue), (event) => {
        expect(decodeCloudEvents(overTheWire(encodeStructured(event)))).toEqual([event])
      }),
    )
  })

  it('encodeBatch -> decode is the identity, order kept', () => {
    fc.assert(
      fc.property(fc.array(events(extensionValue), { maxLength: 6 }), (batch) => {
        expect(decodeCloudEvents(overTheWire(encodeBatch(batch)))).toEqual(batch)
      }),
    )
  })
})

describe('header values', () => {
  const SAFE = /^(?:[\x21\x23\x24\x26-\x7e]|%[0-9A-F]{2})*$/

  it('decode(encode(s)) is s, and encode(s) is printable ASCII without space or " except %XX escapes', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 64 }), (value) => {
        const encoded = encodeHeaderValue(value)
        expect(encoded).toMatch(SAFE)
        expect(decodeHeaderValue(encoded)).toBe(value)
      }),
    )
  })

  it('decodes the quoted-string form of any encoded value to the same value', () => {
    const quote = (value: string) => `"${value.replace(/["\\]/g, (char) => `\\${char}`)}"`
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 64 }), (value) => {
        expect(decodeHeaderValue(quote(encodeHeaderValue(value)))).toBe(value)
      }),
    )
  })

  it('leaves printable ASCII other than " and % as it is', () => {
    const plain = fc.string({ unit: fc.constantFrom(...'!#$&\'()*+,-./0123456789:;<=>?@ABCXYZ[\\]^_`abcxyz{|}~'), maxLength: 64 })
    fc.assert(
      fc.property(plain, (value) => {
        expect(encodeHeaderValue(value)).toBe(value)
      }),
    )
  })

  it('decodes lower-case hex and needless escapes (section 3.1.3.2)', () => {
    const escapeAll = (value: string) =>
      Array.from(new TextEncoder().encode(value), (byte) => `%${byte.toString(16).padStart(2, '0')}`).join('')
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 32 }), (value) => {
        expect(decodeHeaderValue(encodeHeaderValue(value).replace(/%[0-9A-F]{2}/g, (escape) => escape.toLowerCase()))).toBe(value)
        expect(decodeHeaderValue(escapeAll(value))).toBe(value)
      }),
    )
  })
})

describe('no request crashes the binding', () => {
  const handler = defineHandler({ handle: () => undefined })
  const contentType = fc.constantFrom(JSON_EVENT, JSON_BATCH, 'application/json', 'text/plain', 'application/octet-stream', 'application/cloudevents+avro', '')
  const headerValue = fc.string({ unit: fc.constantFrom(...'abc1.0%2F-:"\\ é'), maxLength: 12 })
  const headers = fc
    .record({ 'content-type': contentType, extra: fc.dictionary(fc.constantFrom('ce-specversion', 'ce-id', 'ce-source', 'ce-type', 'ce-time', 'ce-subject', 'ce-x', 'ce-Bad', 'ce-data'), headerValue) })
    .map(({ extra, ...rest }) => ({ ...rest, ...extra }))
  const body = fc.oneof(
    fc.uint8Array({ maxLength: 64 }),
    fc.jsonValue().map((value) => JSON.stringify(value)),
    fc.array(fc.dictionary(fc.constantFrom('specversion', 'id', 'source', 'type', 'time', 'data', 'data_base64', 'X'), fc.jsonValue()), { maxLength: 3 }).map((v) => JSON.stringify(v)),
    fc.dictionary(fc.constantFrom('specversion', 'id', 'source', 'type', 'time', 'data', 'data_base64', 'X'), fc.oneof(fc.jsonValue(), fc.constant('1.0'))).map((v) => JSON.stringify(v)),
  )

  it('answers 2xx, or a 4xx problem+json, for any headers and body', async () => {
    await fc.assert(
      fc.asyncProperty(headers, body, async (headers, body) => {
        const { reply } = await serve(handler, { method: 'POST', headers, body })
        if (reply.status >= 300) {
          expect(reply.status).toBeGreaterThanOrEqual(400)
          expect(reply.status).toBeLessThan(500)
          expect(reply.headers['content-type']).toBe('application/problem+json')
        }
      }),
    )
  })
})
