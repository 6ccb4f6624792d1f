/**
 * One CloudEvent over HTTP: how each outcome is said in HTTP (docs/architecture.md,
 * the "CloudEvent over HTTP" row). ok: 2xx with the result; retry: 503, or
 * 429 + Retry-After; drop: 400 validation / 422 permanent, problem+json.
 */
import { describe, expect, it } from 'vitest'
import * as z from 'zod'
import {
  createEvent,
  createContext,
  createLogger,
  decodeCloudEvents,
  defineHandler,
  encodeStructured,
  PermanentError,
  RetryableError,
  serveCloudEvents,
  toService,
  ValidationError,
} from 'faasade'
import { ceHeaders, pathsOf, post, problemOf, serve, text } from './helpers.js'

const request = (data: unknown = {}) => post(ceHeaders({ 'content-type': 'application/json' }), JSON.stringify(data))
const returning = (result: unknown) => defineHandler({ handle: () => result })
const throwing = (error: unknown) =>
  defineHandler({
    handle: () => {
      throw error
    },
  })

describe('ok', () => {
  it('is 200 with a JSON result', async () => {
    const { reply } = await serve(returning({ charged: true, amount: 5 }), request())
    expect(reply).toEqual({ status: 200, headers: { 'content-type': 'application/json' }, body: '{"charged":true,"amount":5}' })
  })

  it('is 200 with JSON for falsy results other than undefined', async () => {
    for (const result of [null, 0, false, '']) {
      const { reply } = await serve(returning(result), request())
      expect(reply.status).toBe(200)
      expect(JSON.parse(text(reply))).toBe(result)
    }
  })

  it('is 204 without a body when the handler returns nothing', async () => {
    const { reply } = await serve(returning(undefined), request())
    expect(reply).toEqual({ status: 204, headers: {} })
  })

  it('is 200 with the bytes for a byte result', async () => {
    const { reply } = await serve(returning(new Uint8Array([1, 2, 3])), request())
    expect(reply.status).toBe(200)
    expect(reply.headers['content-type']).toBe('application/octet-stream')
    expect(reply.body).toEqual(new Uint8Array([1, 2, 3]))
  })

  it('is a binary-mode reply for a returned CloudEvent (section 3.1.4, response example)', async () => {
    const answer = createEvent({ id: 'r-1', source: '/billing', type: 'com.example.charged', subject: 'order A1 €', data: { ok: true } })
    const { reply } = await serve(returning(answer), request())
    expect(reply.status).toBe(200)
    expect(reply.headers).toMatchObject({ 'ce-specversion': '1.0', 'ce-id': 'r-1', 'ce-type': 'com.example.charged', 'ce-subject': 'order%20A1%20%E2%82%AC', 'content-type': 'application/json' })
    expect(decodeCloudEvents({ method: 'POST', headers: reply.headers, body: reply.body })).toEqual([{ ...answer, datacontenttype: 'application/json' }])
  })

  it('takes a returned plain event object, its null attributes as absent (as the JSON format does)', async () => {
    const { reply } = await serve(returning({ specversion: '1.0', id: 'r-2', source: '/s', type: 't', subject: null, tenant: null, time: new Date(Date.UTC(2026, 0, 2)) }), request())
    expect(reply.status).toBe(200)
    expect(reply.headers).toEqual({ 'ce-specversion': '1.0', 'ce-id': 'r-2', 'ce-source': '/s', 'ce-type': 't', 'ce-time': '2026-01-02T00:00:00.000Z' })
  })

  it('is the same for structured and binary requests', async () => {
    const handler = defineHandler({ handle: (event) => ({ got: event.data }) })
    const binary = await serve(handler, request({ n: 1 }))
    const encoded = encodeStructured(createEvent({ id: '1', source: '/s', type: 't', data: { n: 1 } }))
    const structured = await serve(handler, post(encoded.headers, encoded.body))
    expect(binary.reply).toEqual(structured.reply)
    expect(JSON.parse(text(binary.reply))).toEqual({ got: { n: 1 } })
  })
})

describe('a result that cannot be put on the wire', () => {
  const cycle: Record<string, unknown> = {}
  cycle.self = cycle
  const badEvents = [
    { specversion: '1.0', id: '1', source: '/s', type: 't', subject: 'half \ud800 a pair' },
    { specversion: '1.0', id: '1', source: '/s', type: 't', 'Bad-Name': 'x' },
    { specversion: '1.0', id: '1', source: '/s', type: 't', time: 'soon' },
  ]

  it('is a 503 problem and an error log, never a crash (the handler ran; the sender must hear of it)', async () => {
    // Found in review: a toJSON that throws one of ours must not pass as that error's status (422 would drop the event).
    const throwsOurs = { toJSON: () => { throw new PermanentError('not ours to say') } }
    for (const result of [{ amount: 10n }, cycle, ...badEvents, throwsOurs]) {
      const { reply, logs } = await serve(returning(result), request())
      expect(problemOf(reply, 503).title).toBe('Internal error')
      expect(logs.filter((l) => l.level === 'error').map((l) => l.msg)).toEqual(['reply could not be encoded'])
    }
  })

  it('is a 503 problem for a batch too', async () => {
    const batch = post({ 'content-type': 'application/cloudevents-batch+json' }, JSON.stringify([{ specversion: '1.0', id: '1', source: '/s', type: 't' }]))
    problemOf((await serve(returning({ amount: 10n }), batch)).reply, 503)
  })
})

describe('retry', () => {
  it('is 503 for a RetryableError', async () => {
    const problem = problemOf((await serve(throwing(new RetryableError('stripe is down')), request())).reply, 503)
    expect(problem.title).toBe('Temporarily unavailable')
  })

  it('is 429 with Retry-After in whole seconds, rounded up, when retryAfterMs is set', async () => {
    const { reply } = await serve(throwing(new RetryableError('throttled', { retryAfterMs: 1500 })), request())
    problemOf(reply, 429)
    expect(reply.headers['retry-after']).toBe('2')
  })

  it('is 503 for any error that is not ours, and says nothing of it', async () => {
    for (const thrown of [new Error('connect ECONNREFUSED 10.0.0.7:5432 password=hunter2'), 'a string', { code: 42 }, null]) {
      const { reply, logs } = await serve(throwing(thrown), request())
      const problem = problemOf(reply, 503)
      expect(problem.title).toBe('Internal error')
      expect(text(reply)).not.toMatch(/hunter2|ECONNREFUSED|a string|42/)
      // The log keeps what the reply hides, for the operator.
      expect(logs.some((l) => l.level === 'error' && l.msg === 'event failed, will be retried')).toBe(true)
    }
  })

  it('is 503 when the deadline passed before the handler ran', async () => {
    const log = createLogger({ sink: () => {} })
    const reply = await serveCloudEvents(toService(returning(1)), request(), {
      log,
      context: () => createContext({ provider: { name: 'test', raw: null }, deadline: Date.now() - 1, log }),
    })
    problemOf(reply, 503)
  })
})

describe('drop', () => {
  it('is 422 for a PermanentError, with its detail', async () => {
    const problem = problemOf((await serve(throwing(new PermanentError('order does not exist', { detail: 'Order A1 does not exist' })), request())).reply, 422)
    expect(problem).toMatchObject({ title: 'Permanent failure', detail: 'Order A1 does not exist' })
  })

  it('is 400 for a failed schema check, naming the bad field', async () => {
    const handler = defineHandler({ data: z.object({ orderId: z.string(), amount: z.number().positive() }), handle: () => 'never' })
    const problem = problemOf((await serve(handler, request({ orderId: 7, amount: -1 }))).reply, 400)
    expect(pathsOf(problem).sort()).toEqual(['amount', 'orderId'])
  })

  it('is 400 for a ValidationError the handler throws', async () => {
    const problem = problemOf((await serve(throwing(new ValidationError('bad', [{ message: 'is required', path: ['customer', 'email'] }])), request())).reply, 400)
    expect(pathsOf(problem)).toEqual(['customer.email'])
  })

  it('is logged as a warning, not an error', async () => {
    const { logs } = await serve(throwing(new PermanentError('no')), request())
    expect(logs.filter((l) => l.level === 'warn').map((l) => l.msg)).toEqual(['event dropped, will not be retried'])
    expect(logs.filter((l) => l.level === 'error')).toEqual([])
  })
})
