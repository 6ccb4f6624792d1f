/**
 * The `cloudevents` SDK (v10) as the reference implementation: what it
 * encodes, we decode into the same event; what we encode, it decodes into
 * the same event. Where the SDK is wrong, the last block writes the
 * difference down instead of copying it:
 * - it validates neither binary nor structured events (cloudevents/sdk-javascript#597);
 * - it neither percent-encodes nor percent-decodes header values (binding 3.1.3.2);
 * - it has no batch encoder;
 * - it makes up `id` and `time` when they are missing, and a bad `time` becomes "now";
 * - it cuts `time` to milliseconds;
 * - binary mode: it reads a JSON body `5`, `true` or `null` as a string, and
 *   writes a string data with a JSON content type unquoted (not JSON);
 * - structured mode: it drops a falsy `data` (0, false, "", null);
 * - its binary encoder throws on an extension named `constructor`.
 */
import { CloudEvent as SdkEvent, HTTP } from 'cloudevents'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createEvent, decodeCloudEvents, encodeBatch, encodeBinary, encodeStructured, type CloudEvent, type HttpRequest } from 'faasade'
import { JSON_EVENT, pathsOf, post, problemOf, recorder, serve } from './helpers.js'

/** Headers as they arrive over HTTP: string values, lower-case names (the SDK writes numbers and booleans as they are). */
function wire(headers: Record<string, unknown>): Record<string, string> {
  const real = new Headers()
  for (const [name, value] of Object.entries(headers)) real.set(name, String(value))
  return Object.fromEntries(real.entries())
}

/** An SDK message as the request our decoder gets. */
function fromSdk(message: { headers: Record<string, unknown>; body?: unknown }): HttpRequest {
  const { body } = message
  return post(wire(message.headers), body instanceof Uint8Array || typeof body === 'string' ? body : undefined)
}

/** The SDK's event as plain attributes (its own class carries getters and undefined members). */
function attributes(event: SdkEvent<unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(event).filter(([name, value]) => value !== undefined && name !== 'data' && name !== 'data_base64'))
}

/** Our event as plain attributes. */
function ours(event: CloudEvent): Record<string, unknown> {
  return Object.fromEntries(Object.entries(event).filter(([name]) => name !== 'data'))
}

const bytes = new Uint8Array([0, 1, 2, 127, 128, 254, 255])
const base = { id: 'A234-1234-1234', source: 'https://example.com/orders', type: 'com.example.someevent', time: '2018-04-05T17:31:00.000Z' }

describe('SDK out, ours in', () => {
  it('binary mode, JSON data, every attribute: the same event (extensions as their canonical strings)', () => {
    const sdk = new SdkEvent({ ...base, subject: 'order-1', dataschema: 'https://example.com/schema', tenant: 'acme', count: 5, flag: true, data: { a: [1, 'x'] } })
    const [event] = decodeCloudEvents(fromSdk(HTTP.binary(sdk)))
    const expected = Object.fromEntries(Object.entries(attributes(sdk)).map(([name, value]) => [name, String(value)]))
    expect(ours(event!)).toEqual({ ...expected, datacontenttype: 'application/json; charset=utf-8' })
    expect(event!.data).toEqual(sdk.data)
  })

  it('binary mode, text and byte data', () => {
    const text = new SdkEvent({ ...base, datacontenttype: 'text/plain', data: 'hello, world' })
    expect(decodeCloudEvents(fromSdk(HTTP.binary(text)))[0]!.data).toBe('hello, world')
    const binary = new SdkEvent({ ...base, datacontenttype: 'application/octet-stream', data: bytes })
    const [event] = decodeCloudEvents(fromSdk(HTTP.binary(binary)))
    expect(event!.data).toEqual(bytes)
    expect(event!.datacontenttype).toBe('application/octet-stream')
  })

  it('structured mode, JSON data: the same event, extension types kept', () => {
    const sdk = new SdkEvent({ ...base, subject: 'Zürich', datacontenttype: 'application/json', tenant: 'acme', count: 5, flag: false, data: { deep: { n: null } } })
    const [event] = decodeCloudEvents(fromSdk(HTTP.structured(sdk)))
    expect(ours(event!)).toEqual(attributes(sdk))
    expect(event!.data).toEqual(sdk.data)
  })

  it('structured mode, byte data: data_base64 read back into the same bytes', () => {
    const sdk = new SdkEvent({ ...base, datacontenttype: 'image/png', data: bytes })
    const [event] = decodeCloudEvents(fromSdk(HTTP.structured(sdk)))
    expect(ours(event!)).toEqual(attributes(sdk))
    expect(event!.data).toEqual(bytes)
  })

  it('is served like our own encoding', async () => {
    const { handler, seen } = recorder()
    const sdk = new SdkEvent({ ...base, data: { orderId: 'A1' } })
    expect((await serve(handler, fromSdk(HTTP.binary(sdk)))).reply.status).toBe(204)
    expect((await serve(handler, fromSdk(HTTP.structured(sdk)))).reply.status).toBe(204)
    expect(seen.map((e) => e.data)).toEqual([{ orderId: 'A1' }, { orderId: 'A1' }])
  })
})

describe('ours out, SDK in', () => {
  const sdkIn = (encoded: { headers: Record<string, string>; body?: string | Uint8Array }) => HTTP.toEvent({ headers: encoded.headers, body: encoded.body }) as SdkEvent<unknown>

  it('binary mode, JSON data, every attribute: the same event', () => {
    const event = createEvent({ ...base, subject: 'order-1', dataschema: 'https://example.com/schema', datacontenttype: 'application/json', tenant: 'acme', data: { a: [1, 'x'] } })
    const sdk = sdkIn(encodeBinary(event))
    expect(attributes(sdk)).toEqual(ours(event))
    expect(sdk.data).toEqual(event.data)
    expect(sdk.validate()).toBe(true)
  })

  it('binary mode, text and byte data', () => {
    const text = createEvent({ ...base, datacontenttype: 'text/plain', data: 'hello, world' })
    expect(sdkIn(encodeBinary(text)).data).toBe('hello, world')
    const binary = createEvent({ ...base, datacontenttype: 'application/octet-stream', data: bytes })
    const sdk = sdkIn(encodeBinary(binary))
    expect(Array.from(sdk.data as Uint8Array)).toEqual(Array.from(bytes))
    expect(sdk.data_base64).toBe('AAECf4D+/w==')
  })

  it('structured mode, JSON and byte data: the same event', () => {
    const json = createEvent({ ...base, subject: 'Zürich "100%"', tenant: 'acme', count: 5, flag: true, data: { n: 1 } })
    const sdk = sdkIn(encodeStructured(json))
    expect(attributes(sdk)).toEqual(ours(json))
    expect(sdk.data).toEqual({ n: 1 })
    const binary = createEvent({ ...base, datacontenttype: 'image/png', data: bytes })
    const sdkBinary = sdkIn(encodeStructured(binary))
    expect(attributes(sdkBinary)).toEqual(ours(binary))
    // The SDK reads data_base64 into a Uint32Array, one element a byte: the values agree.
    expect(Array.from(sdkBinary.data as ArrayLike<number>)).toEqual(Array.from(bytes))
  })

  it('batch mode: the SDK decodes our batch (it has no encoder of its own)', () => {
    const events = [createEvent({ ...base, id: '1', data: { n: 1 } }), createEvent({ ...base, id: '2', datacontenttype: 'text/plain', data: 'two' }), createEvent({ ...base, id: '3', data: bytes })]
    const sdk = HTTP.toEvent({ headers: encodeBatch(events).headers, body: encodeBatch(events).body }) as SdkEvent<unknown>[]
    expect(sdk.map(attributes)).toEqual(events.map(ours))
    expect(sdk.map((e) => e.data)).toEqual([{ n: 1 }, 'two', bytes])
    expect(HTTP).not.toHaveProperty('batch')
  })
})

describe('agreement with the SDK over arbitrary events (where it is right)', () => {
  // Values the SDK reads back as sent: no percent-encoding needed, no falsy data, time in milliseconds.
  const plain = fc.string({ unit: fc.constantFrom(...'abcxyzABCXYZ0189-._~/:@!$&()*+,;='), minLength: 1, maxLength: 16 })
  // Not `constructor`: the SDK's binary encoder throws on it (see below).
  const name = fc
    .stringMatching(/^[a-z0-9]{1,12}$/)
    .filter((n) => !['specversion', 'id', 'source', 'type', 'subject', 'time', 'datacontenttype', 'dataschema', 'data', 'constructor'].includes(n))
  const time = fc.date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true }).map((d) => d.toISOString())
  const data = fc.oneof(
    // JSON data as an object or array: the SDK mishandles JSON scalars (see below).
    fc.record({ datacontenttype: fc.constant('application/json'), data: fc.oneof(fc.dictionary(plain, fc.jsonValue()), fc.array(fc.jsonValue())) }).map((d) => JSON.parse(JSON.stringify(d)) as { datacontenttype: string; data: unknown }),
    fc.record({ datacontenttype: fc.constant('text/plain'), data: plain }),
    fc.record({ datacontenttype: fc.constant('application/octet-stream'), data: fc.uint8Array({ minLength: 1, maxLength: 32 }) }),
  )
  const event = fc
    .record({ id: plain, source: plain, type: plain, subject: plain, time, extensions: fc.dictionary(name, plain, { maxKeys: 3 }), data }, { requiredKeys: ['id', 'source', 'type', 'time', 'extensions', 'data'] })
    .map(({ extensions, data, ...attributes }) => createEvent({ ...extensions, ...attributes, ...data }))
  const sameData = (sdk: unknown, our: unknown) =>
    our instanceof Uint8Array ? expect(Array.from(sdk as ArrayLike<number>)).toEqual(Array.from(our)) : expect(sdk).toEqual(our)

  it('ours out, SDK in: binary and structured give the same attributes and data', () => {
    fc.assert(
      fc.property(event, (ours_) => {
        for (const encoded of [encodeBinary(ours_), encodeStructured(ours_)]) {
          const sdk = HTTP.toEvent({ headers: encoded.headers, body: encoded.body }) as SdkEvent<unknown>
          expect(attributes(sdk)).toEqual(ours(ours_))
          sameData(sdk.data, ours_.data)
        }
      }),
    )
  })

  it('SDK out, ours in: binary and structured give the same attributes and data', () => {
    fc.assert(
      fc.property(event, (ours_) => {
        const sdk = new SdkEvent({ ...ours_ })
        for (const message of [HTTP.binary(sdk), HTTP.structured(sdk)]) {
          const [decoded] = decodeCloudEvents(fromSdk(message))
          expect(ours(decoded!)).toEqual(attributes(sdk))
          sameData(decoded!.data, sdk.data)
        }
      }),
    )
  })
})

describe('where the SDK is wrong and we differ, on purpose', () => {
  it('binary mode: the SDK reads a JSON body 5, true or null as a string; we read JSON', () => {
    for (const [body, value] of [['5', 5], ['true', true], ['null', null]] as const) {
      const request = post({ 'ce-specversion': '1.0', 'ce-id': '1', 'ce-source': '/s', 'ce-type': 't', 'content-type': 'application/json' }, body)
      expect((HTTP.toEvent({ headers: request.headers, body }) as SdkEvent<unknown>).data).toBe(body)
      expect(decodeCloudEvents(request)[0]!.data).toBe(value)
    }
  })

  it('binary mode: the SDK writes a string data with a JSON content type unquoted, which is not JSON: 400 naming data', async () => {
    const message = HTTP.binary(new SdkEvent({ ...base, datacontenttype: 'application/json', data: 'just text' }))
    expect(message.body).toBe('just text')
    expect(pathsOf(problemOf((await serve(recorder().handler, fromSdk(message))).reply, 400))).toEqual(['data'])
    // Ours writes the JSON string.
    expect(encodeBinary(createEvent({ ...base, datacontenttype: 'application/json', data: 'just text' })).body).toBe('"just text"')
  })

  it('the SDK binary encoder throws on an extension named constructor; ours encodes and decodes it', () => {
    expect(() => HTTP.binary(new SdkEvent({ ...base, constructor: 'x' }))).toThrow(TypeError)
    const event = createEvent({ ...base, constructor: 'x' })
    const encoded = encodeBinary(event)
    expect(encoded.headers['ce-constructor']).toBe('x')
    expect(decodeCloudEvents({ method: 'POST', ...encoded })).toEqual([event])
  })

  it('structured mode: the SDK drops a falsy data; we keep it', () => {
    for (const data of [0, false, '', null]) {
      const body = JSON.stringify({ specversion: '1.0', id: '1', source: '/s', type: 't', data })
      expect((HTTP.toEvent({ headers: { 'content-type': JSON_EVENT }, body }) as SdkEvent<unknown>).data).toBeUndefined()
      expect(decodeCloudEvents(post({ 'content-type': JSON_EVENT }, body))[0]).toHaveProperty('data', data)
    }
  })

  it('the SDK cuts time to milliseconds; we keep it as sent', () => {
    const body = JSON.stringify({ specversion: '1.0', id: '1', source: '/s', type: 't', time: '2020-08-08T00:11:44.895529672Z' })
    expect((HTTP.toEvent({ headers: { 'content-type': JSON_EVENT }, body }) as SdkEvent<unknown>).time).toBe('2020-08-08T00:11:44.895Z')
    expect(decodeCloudEvents(post({ 'content-type': JSON_EVENT }, body))[0]!.time).toBe('2020-08-08T00:11:44.895529672Z')
  })

  it('binary mode: the SDK accepts an event without source and type (sdk-javascript#597); we answer 400 naming them', async () => {
    const request = post({ 'ce-specversion': '1.0', 'ce-id': '1', 'content-type': 'application/json' }, '{}')
    const sdk = HTTP.toEvent({ headers: request.headers, body: request.body }) as SdkEvent<unknown>
    expect(sdk.source).toBeUndefined()
    expect(sdk.type).toBeUndefined()
    const problem = problemOf((await serve(recorder().handler, request)).reply, 400)
    expect(pathsOf(problem)).toEqual(['source', 'type'])
  })

  it('structured mode: the SDK accepts a bad extension name and a missing type; we answer 400 naming them', async () => {
    const body = JSON.stringify({ specversion: '1.0', id: '1', source: '/s', 'Bad-Name': 'x' })
    const sdk = HTTP.toEvent({ headers: { 'content-type': JSON_EVENT }, body }) as SdkEvent<unknown>
    expect(sdk['Bad-Name']).toBe('x')
    const problem = problemOf((await serve(recorder().handler, post({ 'content-type': JSON_EVENT }, body))).reply, 400)
    expect(pathsOf(problem)).toEqual(['type', 'Bad-Name'])
  })

  it('the SDK turns a time it cannot read into "now"; we answer 400 naming time', async () => {
    const body = JSON.stringify({ specversion: '1.0', id: '1', source: '/s', type: 't', time: 'last tuesday' })
    const sdk = HTTP.toEvent({ headers: { 'content-type': JSON_EVENT }, body }) as SdkEvent<unknown>
    expect(Number.isNaN(Date.parse(sdk.time!))).toBe(false)
    expect(pathsOf(problemOf((await serve(recorder().handler, post({ 'content-type': JSON_EVENT }, body))).reply, 400))).toEqual(['time'])
  })

  it('the SDK makes up id and time; we keep the event as sent (time is optional)', () => {
    const before = Date.now()
    const sdk = HTTP.toEvent({ headers: { 'content-type': JSON_EVENT }, body: JSON.stringify({ specversion: '1.0', source: '/s', type: 't' }) }) as SdkEvent<unknown>
    const after = Date.now()
    expect(sdk.id).toMatch(/^[0-9a-f-]{36}$/)
    // The time it makes up is the time it read the event: an RFC 3339 instant between before and after.
    expect(sdk.time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/)
    expect(Date.parse(sdk.time!)).toBeGreaterThanOrEqual(before)
    expect(Date.parse(sdk.time!)).toBeLessThanOrEqual(after)
    const [event] = decodeCloudEvents(post({ 'content-type': JSON_EVENT }, JSON.stringify({ specversion: '1.0', id: '1', source: '/s', type: 't' })))
    expect(event).not.toHaveProperty('time')
  })

  it('the SDK writes header values raw; we percent-encode them, which HTTP can carry', () => {
    const sdk = new SdkEvent({ ...base, subject: 'Euro € 😀' })
    expect(HTTP.binary(sdk).headers['ce-subject']).toBe('Euro € 😀')
    // A web Headers object (fetch, Workers) refuses the raw value outright.
    expect(() => new Headers({ 'ce-subject': 'Euro € 😀' })).toThrow(TypeError)
    const encoded = encodeBinary(createEvent({ ...base, subject: 'Euro € 😀' }))
    expect(encoded.headers['ce-subject']).toBe('Euro%20%E2%82%AC%20%F0%9F%98%80')
    expect(new Headers(encoded.headers).get('ce-subject')).toBe('Euro%20%E2%82%AC%20%F0%9F%98%80')
  })

  it('the SDK does not percent-decode, so it reads our encoded value as is; we decode it', () => {
    const encoded = encodeBinary(createEvent({ ...base, subject: 'say "hi" 100%' }))
    expect((HTTP.toEvent({ headers: encoded.headers, body: encoded.body }) as SdkEvent<unknown>).subject).toBe('say%20%22hi%22%20100%25')
    expect(decodeCloudEvents({ method: 'POST', ...encoded })[0]!.subject).toBe('say "hi" 100%')
  })

  it('a raw "%" from the SDK is a broken percent-encoding to a receiver that follows the binding: 400 naming the attribute', async () => {
    const message = HTTP.binary(new SdkEvent({ ...base, subject: '100% sure' }))
    expect(message.headers['ce-subject']).toBe('100% sure')
    const problem = problemOf((await serve(recorder().handler, fromSdk(message))).reply, 400)
    expect(pathsOf(problem)).toEqual(['subject'])
  })
})
