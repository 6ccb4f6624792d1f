/**
 * Batched content mode (HTTP protocol binding 1.0.2, section 3.3; JSON batch
 * format, json-format.md 4) and the batch reply: one entry an event, in
 * order, and one status that tells the sender what to do with the request.
 */
import { describe, expect, it } from 'vitest'
import {
  batchReply,
  createEvent,
  decodeCloudEvents,
  defineHandler,
  defineService,
  encodeBatch,
  PermanentError,
  RetryableError,
  ValidationError,
  type Outcome,
} from 'faasade'
import { JSON_BATCH, post, recorder, serve, text } from './helpers.js'

const batchOf = (events: unknown[]) => post({ 'content-type': JSON_BATCH }, JSON.stringify(events))

type Act = { act: 'ok' | 'retry' | 'throttle' | 'drop' | 'invalid' | 'crash'; waitMs?: number; retryAfterMs?: number }

/** Does what the event's data says, after waiting `waitMs` (to shuffle completion order). */
const actor = defineHandler({
  type: 'com.example.act',
  async handle(event) {
    const { act, waitMs = 0, retryAfterMs } = event.data as Act
    if (waitMs) await new Promise((resolve) => setTimeout(resolve, waitMs))
    if (act === 'retry') throw new RetryableError('try later')
    if (act === 'throttle') throw new RetryableError('slow down', { retryAfterMs })
    if (act === 'drop') throw new PermanentError('never')
    if (act === 'invalid') throw new ValidationError('bad data', [{ message: 'is required', path: ['orderId'] }])
    if (act === 'crash') throw new Error('db password is hunter2')
    return { done: event.id }
  },
})

const item = (id: string, data: Act) => ({ specversion: '1.0', id, source: '/batch', type: 'com.example.act', data })

type Entry = { id: string; source: string; outcome: string; result?: unknown; problem?: { status: number; title: string } }
const entries = (reply: { body?: string | Uint8Array }) => JSON.parse(text(reply)) as Entry[]

describe('batch mode in', () => {
  it('decodes the json-format.md 4.3 example: bytes and JSON data, each event its own', async () => {
    const { handler, seen } = recorder()
    const example = [
      {
        specversion: '1.0',
        type: 'com.example.someevent',
        source: '/mycontext/4',
        id: 'B234-1234-1234',
        time: '2018-04-05T17:31:00Z',
        comexampleextension1: 'value',
        comexampleothervalue: 5,
        datacontenttype: 'application/vnd.apache.thrift.binary',
        data_base64: 'AAEC/w==',
      },
      {
        specversion: '1.0',
        type: 'com.example.someotherevent',
        source: '/mycontext/9',
        id: 'C234-1234-1234',
        time: '2018-04-05T17:31:05Z',
        comexampleextension1: 'value',
        comexampleothervalue: 5,
        datacontenttype: 'application/json',
        data: { appinfoA: 'abc', appinfoB: 123, appinfoC: true },
      },
    ]
    const { reply } = await serve(handler, post({ 'content-type': 'application/cloudevents-batch+json; charset=UTF-8' }, JSON.stringify(example)))
    expect(reply.status).toBe(200)
    expect(reply.headers['content-type']).toBe('application/json')
    expect(seen).toHaveLength(2)
    const { data_base64: _, ...first } = example[0]!
    expect(seen[0]).toEqual({ ...first, data: new Uint8Array([0, 1, 2, 255]) })
    expect(seen[1]).toEqual(example[1])
    expect(entries(reply)).toEqual([
      { id: 'B234-1234-1234', source: '/mycontext/4', outcome: 'ok' },
      { id: 'C234-1234-1234', source: '/mycontext/9', outcome: 'ok' },
    ])
  })

  it('accepts an empty batch (section 3.3.2) and replies with an empty list', async () => {
    const { reply } = await serve(actor, batchOf([]))
    expect(reply.status).toBe(200)
    expect(entries(reply)).toEqual([])
  })
})

describe('batch mode out', () => {
  it('writes a JSON array of JSON-format events, bytes as data_base64', () => {
    const events = [
      createEvent({ id: '1', source: '/s', type: 't', data: { a: 1 } }),
      createEvent({ id: '2', source: '/s', type: 't', datacontenttype: 'image/png', data: new Uint8Array([0x89, 0x50]) }),
      createEvent({ id: '3', source: '/s', type: 't', tenant: 'acme' }),
    ]
    const encoded = encodeBatch(events)
    expect(encoded.headers).toEqual({ 'content-type': 'application/cloudevents-batch+json; charset=utf-8' })
    expect(JSON.parse(text(encoded))).toEqual([
      { specversion: '1.0', id: '1', source: '/s', type: 't', data: { a: 1 } },
      { specversion: '1.0', id: '2', source: '/s', type: 't', datacontenttype: 'image/png', data_base64: 'iVA=' },
      { specversion: '1.0', id: '3', source: '/s', type: 't', tenant: 'acme' },
    ])
    expect(decodeCloudEvents({ method: 'POST', ...encoded })).toEqual(events)
    expect(JSON.parse(text(encodeBatch([])))).toEqual([])
  })
})

describe('batch reply', () => {
  it('has one entry an event, in request order, however the items finish', async () => {
    const { reply } = await serve(actor, batchOf([item('a', { act: 'ok', waitMs: 30 }), item('b', { act: 'ok', waitMs: 1 }), item('c', { act: 'ok', waitMs: 15 })]))
    expect(reply.status).toBe(200)
    expect(entries(reply)).toEqual([
      { id: 'a', source: '/batch', outcome: 'ok', result: { done: 'a' } },
      { id: 'b', source: '/batch', outcome: 'ok', result: { done: 'b' } },
      { id: 'c', source: '/batch', outcome: 'ok', result: { done: 'c' } },
    ])
  })

  it('gives a returned CloudEvent in the JSON format and bytes as result_base64, not as index-keyed objects', async () => {
    const handler = defineHandler({
      handle: (event) => (event.id === 'a' ? createEvent({ id: 'r', source: '/replies', type: 'com.example.reply', data: new Uint8Array([1, 2]) }) : new Uint8Array([255])),
    })
    const { reply } = await serve(handler, batchOf([item('a', { act: 'ok' }), item('b', { act: 'ok' })]))
    expect(reply.status).toBe(200)
    expect(entries(reply)).toEqual([
      { id: 'a', source: '/batch', outcome: 'ok', result: { specversion: '1.0', id: 'r', source: '/replies', type: 'com.example.reply', data_base64: 'AQI=' } },
      { id: 'b', source: '/batch', outcome: 'ok', result_base64: '/w==' },
    ])
  })

  it('is 503 when any item asks for a retry, with each failed item as a problem', async () => {
    const { reply, logs } = await serve(actor, batchOf([item('a', { act: 'ok' }), item('b', { act: 'retry' }), item('c', { act: 'drop' }), item('d', { act: 'crash' })]))
    expect(reply.status).toBe(503)
    expect(reply.headers).not.toHaveProperty('retry-after')
    const [a, b, c, d] = entries(reply)
    expect(a).toMatchObject({ id: 'a', outcome: 'ok' })
    expect(b).toMatchObject({ id: 'b', outcome: 'retry', problem: { status: 503, title: 'Temporarily unavailable' } })
    expect(c).toMatchObject({ id: 'c', outcome: 'drop', problem: { status: 422, title: 'Permanent failure' } })
    expect(d).toMatchObject({ id: 'd', outcome: 'retry', problem: { status: 503, title: 'Internal error' } })
    expect(text(reply)).not.toContain('hunter2')
    expect(text(reply)).not.toMatch(/\n\s+at /)
    // The failures are logged with the event they belong to.
    expect(logs.filter((l) => l.level === 'error').map((l) => l.eventId)).toEqual(['b', 'd'])
    expect(logs.filter((l) => l.level === 'warn').map((l) => l.eventId)).toEqual(['c'])
  })

  it('is 429 with the longest Retry-After, in whole seconds rounded up, when every retry says when', async () => {
    const { reply } = await serve(actor, batchOf([item('a', { act: 'throttle', retryAfterMs: 1200 }), item('b', { act: 'ok' }), item('c', { act: 'throttle', retryAfterMs: 2001 })]))
    expect(reply.status).toBe(429)
    expect(reply.headers['retry-after']).toBe('3')
  })

  it('is 503 without Retry-After when some retry does not say when', async () => {
    const { reply } = await serve(actor, batchOf([item('a', { act: 'throttle', retryAfterMs: 1000 }), item('b', { act: 'retry' })]))
    expect(reply.status).toBe(503)
    expect(reply.headers).not.toHaveProperty('retry-after')
  })

  it("is the first dropped item's status when nothing is to be retried", async () => {
    const first = await serve(actor, batchOf([item('a', { act: 'ok' }), item('b', { act: 'invalid' }), item('c', { act: 'drop' })]))
    expect(first.reply.status).toBe(400)
    expect(entries(first.reply)[1]).toMatchObject({ outcome: 'drop', problem: { status: 400, issues: [{ message: 'is required', path: 'orderId' }] } })
    const second = await serve(actor, batchOf([item('a', { act: 'drop' }), item('b', { act: 'invalid' })]))
    expect(second.reply.status).toBe(422)
  })

  it('is 503 for items no handler accepts (a fault of the deployment), reported per item', async () => {
    const service = defineService({ events: [actor] })
    const { reply } = await serve(service, batchOf([item('a', { act: 'ok' }), { specversion: '1.0', id: 'b', source: '/batch', type: 'com.example.unknown' }]))
    expect(reply.status).toBe(503)
    expect(entries(reply)[1]).toMatchObject({ id: 'b', outcome: 'retry', problem: { status: 503 } })
  })

  it('follows the documented status rules for any mix of outcomes', () => {
    const events = [0, 1, 2].map((i) => createEvent({ id: String(i), source: '/s', type: 't' }))
    const ok: Outcome = { kind: 'ok', result: 1 }
    const retry: Outcome = { kind: 'retry', error: new RetryableError('r'), retryAfterMs: undefined }
    const wait = (ms: number): Outcome => ({ kind: 'retry', error: new RetryableError('w', { retryAfterMs: ms }), retryAfterMs: ms })
    const drop: Outcome = { kind: 'drop', error: new PermanentError('d') }
    const invalid: Outcome = { kind: 'drop', error: new ValidationError('v') }
    expect(batchReply(events, [ok, ok, ok]).status).toBe(200)
    expect(batchReply(events, [ok, drop, retry]).status).toBe(503)
    expect(batchReply(events, [wait(500), drop, wait(100)])).toMatchObject({ status: 429, headers: { 'retry-after': '1' } })
    expect(batchReply(events, [ok, invalid, drop]).status).toBe(400)
    expect(batchReply(events, [drop, invalid, ok]).status).toBe(422)
  })
})
