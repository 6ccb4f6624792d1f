/**
 * Structured content mode (HTTP protocol binding 1.0.2, section 3.2) with the
 * JSON event format; the events are the examples of json-format.md 3.2.
 */
import { describe, expect, it } from 'vitest'
import { createEvent, decodeCloudEvents, encodeStructured, toJsonFormat } from 'faasade'
import { ceHeaders, JSON_EVENT, post, recorder, serve, text } from './helpers.js'

const structured = (event: unknown, contentType = JSON_EVENT) => post({ 'content-type': contentType }, JSON.stringify(event))

const thrift = {
  specversion: '1.0',
  type: 'com.example.someevent',
  source: '/mycontext',
  id: 'A234-1234-1234',
  time: '2018-04-05T17:31:00Z',
  comexampleextension1: 'value',
  comexampleothervalue: 5,
  datacontenttype: 'application/vnd.apache.thrift.binary',
  data_base64: 'AAEC/w==',
}

describe('structured mode in', () => {
  it('decodes a JSON-format event with JSON data; extension values keep their JSON types', async () => {
    const { handler, seen } = recorder()
    const event = {
      specversion: '1.0',
      type: 'com.example.someevent',
      source: '/mycontext',
      id: 'C234-1234-1234',
      time: '2018-04-05T17:31:00Z',
      comexampleextension1: 'value',
      comexampleothervalue: 5,
      comexampleflag: false,
      datacontenttype: 'application/json',
      data: { appinfoA: 'abc', appinfoB: 123, appinfoC: true },
    }
    const { reply } = await serve(handler, structured(event))
    expect(reply.status).toBe(204)
    expect(seen).toEqual([event])
  })

  it('reads the media type case-insensitively and ignores its parameters', () => {
    const event = { specversion: '1.0', type: 't', source: '/s', id: '1', data: 1 }
    expect(decodeCloudEvents(structured(event, 'Application/CloudEvents+JSON; charset=UTF-8'))).toEqual([event])
    expect(decodeCloudEvents(structured(event, 'application/cloudevents+json;charset=utf-8'))).toEqual([event])
  })

  it('decodes data_base64 into bytes and keeps datacontenttype', () => {
    const [event] = decodeCloudEvents(structured(thrift))
    expect(event).not.toHaveProperty('data_base64')
    expect(event!.data).toBeInstanceOf(Uint8Array)
    expect(Array.from(event!.data as Uint8Array)).toEqual([0, 1, 2, 255])
    expect(event!.datacontenttype).toBe('application/vnd.apache.thrift.binary')
    expect(event!.comexampleothervalue).toBe(5)
  })

  it('keeps string data of a non-JSON datacontenttype as the string', () => {
    const xml = { specversion: '1.0', type: 't', source: '/s', id: 'B234', datacontenttype: 'application/xml', data: '<much wow="xml"/>' }
    expect(decodeCloudEvents(structured(xml))).toEqual([xml])
  })

  it('keeps a literal JSON string as data when datacontenttype is absent', () => {
    const [event] = decodeCloudEvents(structured({ specversion: '1.0', type: 't', source: '/s', id: 'D234', data: "I'm just a string" }))
    expect(event!.data).toBe("I'm just a string")
    expect(event).not.toHaveProperty('datacontenttype')
  })

  it('treats null attributes as absent (json-format.md 2.2)', () => {
    const [event] = decodeCloudEvents(structured({ specversion: '1.0', type: 't', source: '/s', id: '1', subject: null, time: null, unsetextension: null }))
    expect(event).toEqual({ specversion: '1.0', type: 't', source: '/s', id: '1' })
  })

  it('keeps an explicit null data, distinct from no data (json-format.md 3.1.1)', () => {
    const [event] = decodeCloudEvents(structured({ specversion: '1.0', type: 't', source: '/s', id: '1', data: null }))
    expect(event).toHaveProperty('data', null)
    const [none] = decodeCloudEvents(structured({ specversion: '1.0', type: 't', source: '/s', id: '1' }))
    expect(none).not.toHaveProperty('data')
    expect(JSON.parse(text(encodeStructured(event!)))).toHaveProperty('data', null)
    // Beside data_base64, a null data is only an unset member.
    const [binary] = decodeCloudEvents(structured({ specversion: '1.0', type: 't', source: '/s', id: '1', data: null, data_base64: 'AQ==' }))
    expect(binary!.data).toEqual(new Uint8Array([1]))
  })

  it('reads a body given as UTF-8 bytes', () => {
    const body = new TextEncoder().encode(JSON.stringify({ specversion: '1.0', type: 't', source: '/s', id: '1', subject: 'Zürich 😀', data: 'é' }))
    const [event] = decodeCloudEvents(post({ 'content-type': JSON_EVENT }, body))
    expect(event!.subject).toBe('Zürich 😀')
    expect(event!.data).toBe('é')
  })

  it('takes the body, not the ce-* headers, when both are present (section 3.2.3)', () => {
    const request = post({ ...ceHeaders({ 'ce-id': 'from-header' }), 'content-type': JSON_EVENT }, JSON.stringify({ specversion: '1.0', type: 't', source: '/s', id: 'from-body' }))
    expect(decodeCloudEvents(request)[0]!.id).toBe('from-body')
  })
})

describe('structured mode out', () => {
  it('writes the whole event as application/cloudevents+json; charset=utf-8', () => {
    const event = createEvent({ id: '1', source: '/s', type: 't', time: '2018-04-05T17:31:00Z', tenant: 'acme', count: 3, data: { a: [1, 2] } })
    const encoded = encodeStructured(event)
    expect(encoded.headers).toEqual({ 'content-type': 'application/cloudevents+json; charset=utf-8' })
    expect(JSON.parse(text(encoded))).toEqual({ specversion: '1.0', id: '1', source: '/s', type: 't', time: '2018-04-05T17:31:00Z', tenant: 'acme', count: 3, data: { a: [1, 2] } })
  })

  it('writes bytes as data_base64 and never both data and data_base64 (json-format.md 3.1.1)', () => {
    const event = createEvent({ id: '1', source: '/s', type: 't', datacontenttype: 'application/vnd.apache.thrift.binary', data: new Uint8Array([0, 1, 2, 255]) })
    const json = JSON.parse(text(encodeStructured(event))) as Record<string, unknown>
    expect(json.data_base64).toBe('AAEC/w==')
    expect(json).not.toHaveProperty('data')
    expect(toJsonFormat(event)).toEqual(json)
  })

  it('writes no data member for an event without data', () => {
    expect(JSON.parse(text(encodeStructured(createEvent({ id: '1', source: '/s', type: 't' }))))).toEqual({ specversion: '1.0', id: '1', source: '/s', type: 't' })
  })

  it('is read back by the decoder into the same event', () => {
    const events = [
      createEvent({ id: '1', source: '/s', type: 't', subject: 'Zürich "100%"', n: -7, data: { deep: { list: [null, true, 'x'] } } }),
      createEvent({ id: '2', source: '/s', type: 't', datacontenttype: 'text/plain', data: 'hello' }),
      createEvent({ id: '3', source: '/s', type: 't', data: new Uint8Array([9, 8, 7]) }),
    ]
    for (const event of events) expect(decodeCloudEvents({ method: 'POST', ...encodeStructured(event) })).toEqual([event])
  })
})
