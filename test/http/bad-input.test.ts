/**
 * Every way a request can fail to be a CloudEvent we can run. Each gets a
 * 4xx problem+json that names what is wrong, never a 500, never a stack.
 */
import { describe, expect, it } from 'vitest'
import { DEFAULT_MAX_BODY_BYTES, defineHandler, defineService, type HttpRequest } from 'faasade'
import { ceHeaders, JSON_BATCH, JSON_EVENT, pathsOf, post, problemOf, recorder, serve } from './helpers.js'

const valid = { specversion: '1.0', id: '1', source: '/s', type: 't' }
const structured = (event: unknown) => post({ 'content-type': JSON_EVENT }, JSON.stringify(event))
const without = (name: string) => Object.fromEntries(Object.entries(valid).filter(([key]) => key !== name))
const binaryWithout = (header: string) => Object.fromEntries(Object.entries(ceHeaders()).filter(([key]) => key !== header))

interface Case {
  name: string
  request: HttpRequest
  status: number
  /** An issue path the problem must name (`''` for the body itself). */
  path?: string
  /** Text the problem's detail must contain. */
  detail?: RegExp
}

const cases: Case[] = [
  ...['specversion', 'id', 'source', 'type'].flatMap((name): Case[] => [
    { name: `binary: missing ce-${name}`, request: post(binaryWithout(`ce-${name}`)), status: 400, path: name },
    { name: `structured: missing ${name}`, request: structured(without(name)), status: 400, path: name },
    { name: `structured: ${name} null`, request: structured({ ...valid, [name]: null }), status: 400, path: name },
  ]),
  ...['id', 'source', 'type'].flatMap((name): Case[] => [
    { name: `binary: empty ce-${name}`, request: post(ceHeaders({ [`ce-${name}`]: '' })), status: 400, path: name },
    { name: `structured: empty ${name}`, request: structured({ ...valid, [name]: '' }), status: 400, path: name },
    { name: `structured: ${name} not a string`, request: structured({ ...valid, [name]: 42 }), status: 400, path: name },
  ]),
  { name: 'binary: empty ce-specversion', request: post(ceHeaders({ 'ce-specversion': '' })), status: 400, path: 'specversion' },
  { name: 'binary: specversion 0.3', request: post(ceHeaders({ 'ce-specversion': '0.3' })), status: 400, path: 'specversion', detail: /1\.0/ },
  { name: 'structured: specversion 2.0', request: structured({ ...valid, specversion: '2.0' }), status: 400, path: 'specversion' },
  { name: 'structured: specversion as a number', request: structured({ ...valid, specversion: 1 }), status: 400, path: 'specversion' },
  { name: 'binary: time not a timestamp', request: post(ceHeaders({ 'ce-time': 'yesterday' })), status: 400, path: 'time' },
  { name: 'structured: time without a zone', request: structured({ ...valid, time: '2018-04-05T17:31:00' }), status: 400, path: 'time' },
  { name: 'structured: time month 13', request: structured({ ...valid, time: '2018-13-05T17:31:00Z' }), status: 400, path: 'time' },
  { name: 'structured: time as a number', request: structured({ ...valid, time: 1522949460 }), status: 400, path: 'time' },
  { name: 'structured: extension name in upper case', request: structured({ ...valid, myExtension: 'x' }), status: 400, path: 'myExtension' },
  { name: 'structured: extension name with a dash', request: structured({ ...valid, 'my-ext': 'x' }), status: 400, path: 'my-ext' },
  { name: 'structured: extension name with an underscore', request: structured({ ...valid, my_ext: 'x' }), status: 400, path: 'my_ext' },
  { name: 'binary: extension name with a dash', request: post(ceHeaders({ 'ce-my-ext': 'x' })), status: 400, path: 'my-ext' },
  { name: 'binary: a ce-data header (no attribute may be named data)', request: post(ceHeaders({ 'ce-data': 'smuggled' })), status: 400, path: 'data' },
  { name: 'binary: a ce-data header next to a body', request: post(ceHeaders({ 'ce-data': 'x', 'content-type': 'text/plain' }), 'body'), status: 400, path: 'data' },
  { name: 'binary: a ce-data_base64 header', request: post(ceHeaders({ 'ce-data_base64': 'AA==' })), status: 400, path: 'data_base64' },
  {
    name: 'structured: a __proto__ member (never a prototype)',
    request: post({ 'content-type': JSON_EVENT }, '{"__proto__":{"specversion":"1.0","id":"1","source":"/s","type":"t"}}'),
    status: 400,
    path: '__proto__',
  },
  { name: 'binary: a ce-__proto__ header', request: post(ceHeaders({ 'ce-__proto__': 'x' })), status: 400, path: '__proto__' },
  { name: 'structured: extension value an object', request: structured({ ...valid, tenant: { id: 1 } }), status: 400, path: 'tenant' },
  { name: 'structured: extension value a fraction', request: structured({ ...valid, ratio: 0.5 }), status: 400, path: 'ratio' },
  { name: 'structured: subject not a string', request: structured({ ...valid, subject: 5 }), status: 400, path: 'subject' },
  { name: 'structured: datacontenttype empty', request: structured({ ...valid, datacontenttype: '' }), status: 400, path: 'datacontenttype' },
  { name: 'structured: dataschema empty', request: structured({ ...valid, dataschema: '' }), status: 400, path: 'dataschema' },
  { name: 'structured: an unpaired surrogate escaped in JSON', request: post({ 'content-type': JSON_EVENT }, '{"specversion":"1.0","id":"1","source":"/s","type":"t","subject":"\\ud800"}'), status: 400, path: 'subject' },
  { name: 'structured: an integer beyond 32 bits', request: structured({ ...valid, count: 2 ** 31 }), status: 400, path: 'count' },
  { name: 'structured: invalid JSON', request: post({ 'content-type': JSON_EVENT }, '{"specversion":"1.0",'), status: 400, path: '', detail: /JSON/ },
  { name: 'structured: empty body', request: post({ 'content-type': JSON_EVENT }, ''), status: 400, path: '', detail: /JSON/ },
  { name: 'structured: a JSON array', request: structured([valid]), status: 400, path: '', detail: /object/ },
  { name: 'structured: a JSON string', request: structured('event'), status: 400, path: '', detail: /object/ },
  { name: 'binary: invalid JSON data', request: post(ceHeaders({ 'content-type': 'application/json' }), '{oops'), status: 400, path: 'data', detail: /JSON/ },
  { name: 'batch: not an array', request: post({ 'content-type': JSON_BATCH }, JSON.stringify(valid)), status: 400, path: '', detail: /array/ },
  { name: 'batch: invalid JSON', request: post({ 'content-type': JSON_BATCH }, '[{'), status: 400, path: '', detail: /JSON/ },
  { name: 'batch: a member missing its id', request: post({ 'content-type': JSON_BATCH }, JSON.stringify([valid, without('id')])), status: 400, path: '1.id' },
  { name: 'batch: a member that is not an object', request: post({ 'content-type': JSON_BATCH }, JSON.stringify([valid, valid, 7])), status: 400, path: '2' },
  { name: 'batch: a member with both data and data_base64', request: post({ 'content-type': JSON_BATCH }, JSON.stringify([{ ...valid, data: 1, data_base64: 'AA==' }])), status: 400, path: '0.data_base64' },
  { name: 'structured: data and data_base64 together', request: structured({ ...valid, data: 'x', data_base64: 'eA==' }), status: 400, path: 'data_base64' },
  { name: 'structured: data_base64 not base64', request: structured({ ...valid, data_base64: 'not base64!' }), status: 400, path: 'data_base64' },
  { name: 'structured: data_base64 base64url', request: structured({ ...valid, data_base64: '-_-_' }), status: 400, path: 'data_base64' },
  { name: 'structured: data_base64 not a string', request: structured({ ...valid, data_base64: [1, 2] }), status: 400, path: 'data_base64' },
  { name: 'binary: broken percent-encoding (lone %)', request: post(ceHeaders({ 'ce-subject': '100%' })), status: 400, path: 'subject' },
  { name: 'binary: broken percent-encoding (bad hex)', request: post(ceHeaders({ 'ce-subject': 'a%zzb' })), status: 400, path: 'subject' },
  { name: 'binary: percent-encoded bytes that are not UTF-8', request: post(ceHeaders({ 'ce-subject': '%FF%FE' })), status: 400, path: 'subject' },
  { name: 'binary: an overlong UTF-8 encoding (section 3.1.3.2)', request: post(ceHeaders({ 'ce-subject': '%C0%A0' })), status: 400, path: 'subject' },
  { name: 'binary: an encoded lone surrogate', request: post(ceHeaders({ 'ce-subject': '%ED%A0%80' })), status: 400, path: 'subject' },
  { name: 'binary: an unterminated quoted string', request: post(ceHeaders({ 'ce-subject': '"open' })), status: 400, path: 'subject' },
  { name: 'binary: text after a quoted string', request: post(ceHeaders({ 'ce-subject': '"a"b' })), status: 400, path: 'subject' },
  { name: 'binary: a quoted string ending in a backslash', request: post(ceHeaders({ 'ce-subject': '"a\\"' })), status: 400, path: 'subject' },
  { name: 'structured: body not UTF-8', request: post({ 'content-type': JSON_EVENT }, new Uint8Array([0x7b, 0xff, 0x7d])), status: 400, path: '', detail: /UTF-8/ },
  { name: 'batch: body not UTF-8', request: post({ 'content-type': JSON_BATCH }, new Uint8Array([0x5b, 0xc3, 0x5d])), status: 400, path: '', detail: /UTF-8/ },
  { name: 'binary: JSON data not UTF-8', request: post(ceHeaders({ 'content-type': 'application/json' }), new Uint8Array([0x22, 0xff, 0x22])), status: 400, path: 'data', detail: /UTF-8/ },
  { name: 'binary: text data not UTF-8', request: post(ceHeaders({ 'content-type': 'text/plain' }), new Uint8Array([0xc3, 0x28])), status: 400, path: 'data', detail: /UTF-8/ },
  { name: 'not a CloudEvent: no ce-* headers, no CloudEvents media type', request: post({ 'content-type': 'application/json' }, '{}'), status: 400, path: 'content-type', detail: /ce-\*/ },
  { name: 'not a CloudEvent: nothing at all', request: { method: 'GET', headers: {} }, status: 400, path: 'content-type' },
  { name: 'an event format we do not read (application/cloudevents+avro)', request: post({ 'content-type': 'application/cloudevents+avro' }, new Uint8Array([1])), status: 415, path: 'content-type', detail: /avro/ },
  { name: 'a batch format we do not read', request: post({ 'content-type': 'application/cloudevents-batch+protobuf' }, new Uint8Array([1])), status: 415, path: 'content-type' },
]

describe('bad input', () => {
  for (const c of cases) {
    it(`${c.name} -> ${c.status}`, async () => {
      const { handler, seen } = recorder()
      const { reply, logs } = await serve(handler, c.request)
      const problem = problemOf(reply, c.status)
      expect(seen).toEqual([])
      if (c.path !== undefined) {
        if (c.path === '') expect(problem.detail).toMatch(/^body /)
        else expect(pathsOf(problem)).toContain(c.path)
      }
      if (c.detail) expect(problem.detail).toMatch(c.detail)
      expect(problem.type).toBe('https://faasade.dev/problems/invalid-cloudevent')
      expect(logs.map((l) => l.msg)).toEqual(['malformed CloudEvent'])
    })
  }

  it('lists every problem of one event, not only the first', async () => {
    const problem = problemOf((await serve(recorder().handler, structured({ specversion: '1.0', id: '', time: 'soon', Bad: 1 }))).reply, 400)
    expect(pathsOf(problem)).toEqual(['id', 'source', 'type', 'time', 'Bad'])
  })

  it('lists the problems of every bad member of a batch, each under its index, and runs none', async () => {
    const { handler, seen } = recorder()
    const body = JSON.stringify([without('id'), valid, { ...valid, time: 'noon' }, 'x', { ...valid, data: 1, data_base64: 'AA==' }])
    const problem = problemOf((await serve(handler, post({ 'content-type': JSON_BATCH }, body))).reply, 400)
    expect(pathsOf(problem)).toEqual(['0.id', '2.time', '3', '4.data_base64'])
    expect(seen).toEqual([])
  })

  it('lists every broken header of a binary-mode event, each once', async () => {
    const request = post(ceHeaders({ 'ce-id': '%zz', 'ce-subject': '"open', 'ce-data': 'x', 'ce-time': 'noon' }))
    const problem = problemOf((await serve(recorder().handler, request)).reply, 400)
    expect(pathsOf(problem).sort()).toEqual(['data', 'id', 'subject', 'time'])
  })

  it('rejects a body over the 6 MB default with 413, before decoding it', async () => {
    expect(DEFAULT_MAX_BODY_BYTES).toBe(6 * 1024 * 1024)
    const { handler, seen } = recorder()
    const body = new Uint8Array(DEFAULT_MAX_BODY_BYTES + 1).fill(0x20)
    const { reply } = await serve(handler, post({ 'content-type': JSON_EVENT }, body))
    const problem = problemOf(reply, 413)
    expect(problem.detail).toContain(String(DEFAULT_MAX_BODY_BYTES))
    expect(seen).toEqual([])
    // At the limit exactly, the body is decoded (and here found not to be JSON).
    problemOf((await serve(handler, post({ 'content-type': JSON_EVENT }, body.subarray(1)))).reply, 400)
  })

  it('takes a configured limit, counting UTF-8 bytes of a string body', async () => {
    const { handler } = recorder()
    const body = JSON.stringify({ ...valid, data: 'ééééé' })
    const size = new TextEncoder().encode(body).byteLength
    problemOf((await serve(handler, post({ 'content-type': JSON_EVENT }, body), { maxBodyBytes: size - 1 })).reply, 413)
    expect((await serve(handler, post({ 'content-type': JSON_EVENT }, body), { maxBodyBytes: size })).reply.status).toBe(204)
  })

  it('answers a valid event no handler accepts with a 503 problem naming its type (a fault of the deployment)', async () => {
    const service = defineService({ events: [defineHandler({ type: 'com.example.order.placed', handle: () => 1 })] })
    const { reply } = await serve(service, post(ceHeaders({ 'ce-type': 'com.example.invoice.sent' })))
    const problem = problemOf(reply, 503)
    expect(problem.type).toBe('https://faasade.dev/problems/no-handler')
    expect(problem.detail).toContain('com.example.invoice.sent')
  })
})
