/**
 * Binary content mode (HTTP protocol binding 1.0.2, section 3.1): attributes
 * in `ce-*` headers, `datacontenttype` in Content-Type, data as the body.
 * The request shapes follow the binding's own examples.
 */
import { describe, expect, it } from 'vitest'
import { createEvent, decodeCloudEvents, encodeBinary } from 'faasade'
import { ceHeaders, post, recorder, serve, text } from './helpers.js'

const bytes = (...values: number[]) => new Uint8Array(values)

describe('binary mode in', () => {
  it('decodes the binding example: attributes from ce-* headers, JSON data parsed', async () => {
    const { handler, seen } = recorder()
    const request = post(
      ceHeaders({ 'ce-time': '2018-04-05T03:56:24Z', 'content-type': 'application/json' }),
      '{"appinfoA":"abc","appinfoB":123,"appinfoC":true}',
    )
    const { reply } = await serve(handler, request)
    expect(reply.status).toBe(204)
    expect(seen).toEqual([
      {
        specversion: '1.0',
        id: 'A234-1234-1234',
        source: '/mycontext',
        type: 'com.example.someevent',
        time: '2018-04-05T03:56:24Z',
        datacontenttype: 'application/json',
        data: { appinfoA: 'abc', appinfoB: 123, appinfoC: true },
      },
    ])
    expect(Object.isFrozen(seen[0])).toBe(true)
  })

  it('keeps the Content-Type parameters in datacontenttype and still parses application/json; charset=utf-8', () => {
    const [event] = decodeCloudEvents(post(ceHeaders({ 'content-type': 'application/json; charset=utf-8' }), '{"n":1}'))
    expect(event!.datacontenttype).toBe('application/json; charset=utf-8')
    expect(event!.data).toEqual({ n: 1 })
  })

  it('reads a JSON body given as UTF-8 bytes, non-ASCII included', () => {
    const body = new TextEncoder().encode('{"city":"Zürich","emoji":"😀"}')
    const [event] = decodeCloudEvents(post(ceHeaders({ 'content-type': 'application/json' }), body))
    expect(event!.data).toEqual({ city: 'Zürich', emoji: '😀' })
  })

  it('reads a quoted JSON string as a string (json-format.md 3.2, last example)', () => {
    const [event] = decodeCloudEvents(post(ceHeaders({ 'content-type': 'application/json' }), '"I\'m just a string"'))
    expect(event!.data).toBe("I'm just a string")
  })

  it('treats any +json media type as JSON', () => {
    const [event] = decodeCloudEvents(post(ceHeaders({ 'content-type': 'application/vnd.api+json' }), '[1,2]'))
    expect(event!.data).toEqual([1, 2])
  })

  it('hands text/* data over as a string', () => {
    const [event] = decodeCloudEvents(post(ceHeaders({ 'content-type': 'text/plain; charset=utf-8' }), bytes(0x68, 0xc3, 0xa9)))
    expect(event!.data).toBe('hé')
    expect(event!.datacontenttype).toBe('text/plain; charset=utf-8')
  })

  it('hands text in another charset over as the bytes sent, not a 400 (the handler knows the charset)', () => {
    const [latin1] = decodeCloudEvents(post(ceHeaders({ 'content-type': 'text/plain; charset=ISO-8859-1' }), bytes(0x63, 0x61, 0x66, 0xe9)))
    expect(latin1!.data).toEqual(bytes(0x63, 0x61, 0x66, 0xe9))
    expect(latin1!.datacontenttype).toBe('text/plain; charset=ISO-8859-1')
    for (const utf8 of ['text/plain; charset="UTF-8"', 'text/plain;charset=utf8', 'text/csv; header=present; charset=us-ascii']) {
      expect(decodeCloudEvents(post(ceHeaders({ 'content-type': utf8 }), bytes(0x63, 0x61, 0x66)))[0]!.data, utf8).toBe('caf')
    }
  })

  it('hands application/octet-stream data over as the exact bytes, even when they are not UTF-8', () => {
    const body = bytes(0x00, 0xff, 0xfe, 0x80, 0x7f)
    const [event] = decodeCloudEvents(post(ceHeaders({ 'content-type': 'application/octet-stream' }), body))
    expect(event!.data).toBeInstanceOf(Uint8Array)
    expect(Array.from(event!.data as Uint8Array)).toEqual([0x00, 0xff, 0xfe, 0x80, 0x7f])
  })

  it('treats other media types as opaque bytes (the handler decides what they mean)', () => {
    const [xml] = decodeCloudEvents(post(ceHeaders({ 'content-type': 'application/xml' }), '<much wow="xml"/>'))
    expect(new TextDecoder().decode(xml!.data as Uint8Array)).toBe('<much wow="xml"/>')
    const [untyped] = decodeCloudEvents(post(ceHeaders(), bytes(1, 2, 3)))
    expect(untyped!.datacontenttype).toBeUndefined()
    expect(Array.from(untyped!.data as Uint8Array)).toEqual([1, 2, 3])
  })

  it('has no data for an empty body, but keeps the declared datacontenttype', () => {
    const [empty] = decodeCloudEvents(post(ceHeaders({ 'content-type': 'application/json' }), ''))
    expect(empty).not.toHaveProperty('data')
    expect(empty!.datacontenttype).toBe('application/json')
    const [none] = decodeCloudEvents({ method: 'POST', headers: ceHeaders() })
    expect(none).toEqual({ specversion: '1.0', id: 'A234-1234-1234', source: '/mycontext', type: 'com.example.someevent' })
  })

  it('maps every other ce-* header to an attribute, extensions as their canonical strings', () => {
    const [event] = decodeCloudEvents(
      post(
        ceHeaders({
          'ce-subject': 'mynewfile.jpg',
          'ce-dataschema': 'https://example.com/schema.json',
          'ce-comexampleextension1': 'value',
          'ce-comexampleothervalue': '5',
          'ce-traceparent': '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
          'x-request-id': 'not an attribute',
        }),
      ),
    )
    expect(event).toEqual({
      specversion: '1.0',
      id: 'A234-1234-1234',
      source: '/mycontext',
      type: 'com.example.someevent',
      subject: 'mynewfile.jpg',
      dataschema: 'https://example.com/schema.json',
      comexampleextension1: 'value',
      comexampleothervalue: '5',
      traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
    })
  })

  it('takes datacontenttype from Content-Type only: an empty one is none, ce-datacontenttype is not read (section 3.1.1)', () => {
    const [empty] = decodeCloudEvents(post(ceHeaders({ 'content-type': '' }), new Uint8Array([1])))
    expect(empty).not.toHaveProperty('datacontenttype')
    const [header] = decodeCloudEvents(post(ceHeaders({ 'ce-datacontenttype': 'text/plain', 'content-type': 'application/json' }), '1'))
    expect(header!.datacontenttype).toBe('application/json')
    expect(header!.data).toBe(1)
  })

  it('percent-decodes header values (section 3.1.3.2)', () => {
    const [event] = decodeCloudEvents(
      post(
        ceHeaders({
          'ce-subject': 'Euro%20%E2%82%AC%20%F0%9F%98%80',
          'ce-source': '%2Fsensors%2Ftn-1234567',
          'ce-comment': 'say%20%22hi%22%20100%25',
          'ce-lower': '%e2%82%ac',
          'ce-needless': '%41%42C',
        }),
      ),
    )
    expect(event!.subject).toBe('Euro € 😀')
    expect(event!.source).toBe('/sensors/tn-1234567')
    expect(event!.comment).toBe('say "hi" 100%')
    expect(event!.lower).toBe('€')
    expect(event!.needless).toBe('ABC')
  })
})

describe('quoted header values (section 3.1.3.2: older senders, RFC 7230 quoted-string)', () => {
  const subjectOf = (value: string) => decodeCloudEvents(post(ceHeaders({ 'ce-subject': value })))[0]!.subject

  it('unquotes, processing backslash escapes, then percent-decodes once', () => {
    expect(subjectOf('"hello world"')).toBe('hello world')
    expect(subjectOf('"say \\"hi\\""')).toBe('say "hi"')
    expect(subjectOf('"back\\\\slash"')).toBe('back\\slash')
    expect(subjectOf('"Euro%20%E2%82%AC"')).toBe('Euro €')
    expect(subjectOf('"%2522"')).toBe('%22')
  })

  it('reads the four required attributes quoted too', () => {
    const [event] = decodeCloudEvents(post({ 'ce-specversion': '"1.0"', 'ce-id': '"1"', 'ce-source': '"/s"', 'ce-type': '"t"' }))
    expect(event).toEqual({ specversion: '1.0', id: '1', source: '/s', type: 't' })
  })

  it('leaves a double-quote inside a value alone', () => {
    expect(subjectOf('a"b"')).toBe('a"b"')
  })
})

describe('binary mode out', () => {
  const base = { id: 'A234-1234-1234', source: '/mycontext', type: 'com.example.someevent' }

  it('puts attributes in ce-* headers and JSON data in the body, application/json by default', () => {
    const encoded = encodeBinary(createEvent({ ...base, time: '2018-04-05T03:56:24Z', comexampleothervalue: 5, flag: true, data: { a: 1 } }))
    expect(encoded.headers).toEqual({
      'ce-specversion': '1.0',
      'ce-id': 'A234-1234-1234',
      'ce-source': '/mycontext',
      'ce-type': 'com.example.someevent',
      'ce-time': '2018-04-05T03:56:24Z',
      'ce-comexampleothervalue': '5',
      'ce-flag': 'true',
      'content-type': 'application/json',
    })
    expect(encoded.body).toBe('{"a":1}')
  })

  it('writes datacontenttype to Content-Type only, never as ce-datacontenttype (section 3.1.1)', () => {
    const encoded = encodeBinary(createEvent({ ...base, datacontenttype: 'application/json; charset=utf-8', data: 'hi' }))
    expect(encoded.headers['content-type']).toBe('application/json; charset=utf-8')
    expect(encoded.headers).not.toHaveProperty('ce-datacontenttype')
    expect(encoded.body).toBe('"hi"')
  })

  it('sends text data as is and bytes as is', () => {
    const textual = encodeBinary(createEvent({ ...base, datacontenttype: 'text/plain', data: 'plain "text" 100%' }))
    expect(textual.headers['content-type']).toBe('text/plain')
    expect(textual.body).toBe('plain "text" 100%')
    const binary = encodeBinary(createEvent({ ...base, data: bytes(0xff, 0) }))
    expect(binary.headers['content-type']).toBe('application/octet-stream')
    expect(binary.body).toEqual(bytes(0xff, 0))
    const png = encodeBinary(createEvent({ ...base, datacontenttype: 'image/png', data: bytes(0x89, 0x50) }))
    expect(png.headers['content-type']).toBe('image/png')
  })

  it('sends no body for an event without data', () => {
    const encoded = encodeBinary(createEvent(base))
    expect(encoded.body).toBeUndefined()
    expect(encoded.headers).not.toHaveProperty('content-type')
  })

  it('percent-encodes space, double-quote, percent and everything outside printable ASCII, as UTF-8', () => {
    const encoded = encodeBinary(createEvent({ ...base, subject: 'Euro € 😀', note: 'say "hi" 100%', tab: 'a\tb', nbsp: 'a\u00a0b' }))
    expect(encoded.headers['ce-subject']).toBe('Euro%20%E2%82%AC%20%F0%9F%98%80')
    expect(encoded.headers['ce-note']).toBe('say%20%22hi%22%20100%25')
    expect(encoded.headers['ce-tab']).toBe('a%09b')
    expect(encoded.headers['ce-nbsp']).toBe('a%C2%A0b')
    // Printable ASCII other than `"` and `%` goes as it is.
    expect(encodeBinary(createEvent({ ...base, subject: "a/b?c=d&e#f:g@h!$'()*+,;[]~" })).headers['ce-subject']).toBe("a/b?c=d&e#f:g@h!$'()*+,;[]~")
  })

  it('is read back by the decoder into the same event', () => {
    const event = createEvent({ ...base, subject: 'Zürich 100%', datacontenttype: 'text/plain', data: 'grüezi' })
    const encoded = encodeBinary(event)
    expect(decodeCloudEvents({ method: 'POST', ...encoded })).toEqual([event])
    expect(text(encoded)).toBe('grüezi')
  })
})
