/**
 * No event attribute can put a line break (or any byte a header cannot hold)
 * into a reply's headers. `datacontenttype` becomes Content-Type as it is, so
 * it must be a media type (RFC 9110 section 8.3.1); every other attribute is
 * percent-encoded into its `ce-*` header; and the binary encoder refuses a
 * header it could not write rather than writing a broken one.
 */
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { checkEvent, createEvent, decodeCloudEvents, defineHandler, encodeBinary, InvalidEventError, type CloudEvent } from 'faasade'
import { ceHeaders, JSON_EVENT, post, recorder, serve, text } from './helpers.js'

const base = { id: '1', source: '/s', type: 'com.example.t' }
const INJECTION = 'text/plain\r\nSet-Cookie: session=attacker'
// What Node's http module refuses in a header value (its checkInvalidHeaderChar).
const NOT_A_HEADER_VALUE = /[^\t\x20-\x7e\x80-\xff]/

const GOOD = [
  'application/json',
  'text/plain',
  '*/*',
  'application/json; charset=utf-8',
  'application/json;charset=utf-8',
  'text/plain;charset=UTF-8',
  'text/plain ; charset=utf-8',
  'text/plain;\tcharset=utf-8',
  'application/vnd.api+json',
  'application/cloudevents+json; charset=utf-8',
  'application/vnd.apache.thrift.binary',
  'application/x-amz-json-1.0',
  "application/vnd.a!#$%&'*+.^_`|~-z",
  'text/csv; header=present; charset=us-ascii',
  'multipart/form-data; boundary="----a b; c=d"',
  'text/plain; charset="utf-8"',
  'text/plain; name="a\\"b\\\\c"',
  'text/plain; name="Z\u00fcrich"', // obs-text: a byte over 0x7F, which a header may carry
  'text/plain;', // RFC 9110: a parameter may be empty ...
  'text/plain; ;a=b',
  'text/plain; ', // ... and OWS follows the `;`
  'text/plain ', // trailing whitespace: HTTP strips it
]

const BAD = [
  INJECTION,
  'text/plain\nX-Evil: 1',
  'text/plain\r',
  'text/plain\u0000',
  'text/plain\u007f',
  'text/plain; a="b\r\nc"',
  'text/plain; a="\u0001"',
  'json',
  'application/',
  '/json',
  'application/json/extra',
  'application json',
  ' text/plain',
  'text/plain; charset',
  'text/plain; charset=',
  'text/plain; =utf-8',
  'text/plain; charset="unterminated',
  'text/plain; a=b c',
  'text/plain; a=b;c',
  'application/json, text/plain',
  'text/(plain)',
  't\u00ebxt/plain',
  'text/plain; name="\u65e5\u672c"', // over 0xFF: no header byte for it
  'x\ud83d\ude00',
]

describe('datacontenttype is a media type (RFC 9110)', () => {
  it.each(GOOD)('takes %j', (type) => {
    expect(checkEvent({ specversion: '1.0', ...base, datacontenttype: type })).toEqual([])
    expect(createEvent({ ...base, datacontenttype: type }).datacontenttype).toBe(type)
  })

  it.each(BAD)('refuses %j, naming datacontenttype', (type) => {
    expect(checkEvent({ specversion: '1.0', ...base, datacontenttype: type }).map((issue) => issue.path)).toEqual([['datacontenttype']])
    const error = (() => {
      try {
        createEvent({ ...base, datacontenttype: type })
      } catch (caught) {
        return caught
      }
    })()
    expect(error).toBeInstanceOf(InvalidEventError)
    expect((error as InvalidEventError).issues[0]?.path).toEqual(['datacontenttype'])
  })

  it('checks a long hostile value in linear time (the per-test timeout fails a stall)', { timeout: 5_000 }, () => {
    for (const hostile of [`a/b${' ;'.repeat(50_000)}x`, `a/b${'; '.repeat(50_000)}=`, `a/b; c="${'\\"'.repeat(50_000)}`, `a/b${' '.repeat(100_000)}x`, `a/b;${' ;'.repeat(30_000)} ;a=b;x=`]) {
      expect(checkEvent({ specversion: '1.0', ...base, datacontenttype: hostile })).toHaveLength(1)
    }
  })

  it('a structured-mode event with a bad datacontenttype is a 400 naming it', async () => {
    const { handler, seen } = recorder()
    const { reply } = await serve(handler, post({ 'content-type': JSON_EVENT }, JSON.stringify({ specversion: '1.0', ...base, datacontenttype: INJECTION })))
    expect(reply.status).toBe(400)
    expect(text(reply)).toContain('datacontenttype')
    expect(seen).toEqual([])
  })

  it('a binary-mode Content-Type that is not a media type is a 400 naming datacontenttype', () => {
    let error: unknown
    try {
      decodeCloudEvents(post(ceHeaders({ 'content-type': 'application/json, text/plain' }), '{}'))
    } catch (caught) {
      error = caught
    }
    expect(error).toBeInstanceOf(InvalidEventError)
    expect((error as InvalidEventError).issues.map((issue) => issue.path)).toEqual([['datacontenttype']])
  })
})

describe('a returned event cannot inject a header', () => {
  const request = post(ceHeaders({ 'content-type': 'application/json' }), '{}')

  it.each([
    ['datacontenttype', { datacontenttype: INJECTION, data: 'x' }],
    ['datacontenttype without data', { datacontenttype: INJECTION }],
    ['datacontenttype with NUL', { datacontenttype: 'text/plain\u0000' }],
  ])('a handler returning a bad %s gets a typed failure, not the header', async (_what, attributes) => {
    // A plain object, as a handler may build one, not through createEvent.
    const handler = defineHandler({ handle: () => ({ specversion: '1.0', ...base, ...attributes }) })
    const { reply, logs } = await serve(handler, request)
    expect(reply.status).toBe(503)
    expect(reply.headers['content-type']).toBe('application/problem+json')
    for (const [name, value] of Object.entries(reply.headers)) {
      expect(value, name).not.toMatch(NOT_A_HEADER_VALUE)
      expect(value, name).not.toContain('Set-Cookie')
    }
    expect(text(reply)).not.toContain('attacker')
    expect(logs.some((line) => line.msg === 'reply could not be encoded')).toBe(true)
  })

  it('extension values with CR, LF and NUL go out percent-encoded, and read back the same', async () => {
    const handler = defineHandler({ handle: () => createEvent({ ...base, evil: 'a\r\nSet-Cookie: s=1\u0000', note: 'line\nbreak' }) })
    const { reply } = await serve(handler, request)
    expect(reply.status).toBe(200)
    expect(reply.headers['ce-evil']).toBe('a%0D%0ASet-Cookie:%20s=1%00')
    for (const value of Object.values(reply.headers)) expect(value).not.toMatch(NOT_A_HEADER_VALUE)
    const [back] = decodeCloudEvents(post(reply.headers, reply.body))
    expect(back!.evil).toBe('a\r\nSet-Cookie: s=1\u0000')
    expect(back!.note).toBe('line\nbreak')
  })
})

describe('encodeBinary refuses what cannot be a header', () => {
  // encodeBinary is public: it may be handed an event that no check has seen.
  const unchecked = (attributes: Record<string, unknown>) => ({ specversion: '1.0', ...base, ...attributes }) as unknown as CloudEvent

  it.each([
    ['datacontenttype', { datacontenttype: INJECTION, data: 'x' }],
    ['datacontenttype', { datacontenttype: 'text/plain\u0000' }],
    ['datacontenttype', { datacontenttype: 'text/plain; a="\u0100"', data: 'x' }],
    ['evil\r\nx', { 'evil\r\nx': 'v' }],
    ['Bad-Name', { 'Bad-Name': 'v' }],
  ])('throws a TypeError naming %j', (name, attributes) => {
    expect(() => encodeBinary(unchecked(attributes))).toThrow(TypeError)
    expect(() => encodeBinary(unchecked(attributes))).toThrow(JSON.stringify(name))
  })

  it('writes only valid header values for any event createEvent takes', () => {
    const anyText = fc.string({ unit: 'binary', maxLength: 12 })
    fc.assert(
      fc.property(anyText, anyText, anyText, fc.option(anyText, { nil: undefined }), (id, subject, ext, type) => {
        let event: CloudEvent
        try {
          event = createEvent({ ...base, id: id || 'x', subject, ext, datacontenttype: type })
        } catch (error) {
          expect(error).toBeInstanceOf(InvalidEventError)
          return
        }
        const { headers } = encodeBinary(event)
        for (const [name, value] of Object.entries(headers)) {
          expect(name).toMatch(/^[a-z0-9-]+$/)
          expect(value).not.toMatch(NOT_A_HEADER_VALUE)
        }
      }),
      { numRuns: 2_000 },
    )
  })
})
