/**
 * The shared conformance table (test/conformance/cases.ts) through the
 * plain server door on 127.0.0.1, each case in its native Cloud Run shape,
 * checking the native reply (the HTTP status) and what the handler recorded:
 *
 * - `event`: one Pub/Sub push whose message data is the structured
 *   CloudEvent (unwrapped by the push mapper), `deliveryAttempt: 1`.
 * - `batch`, `ordered-batch`: Pub/Sub pushes one message a request, and an
 *   ordering key orders delivery, not a batch: each event is its own push,
 *   settled on its own, so the expected outcome of each is its own
 *   behaviour's (as the Workers runner does for its unordered queues).
 * - `http-*`: CloudEvents over HTTP in each mode.
 * - `deadlinePassed`: a request timeout shorter than `timeoutMarginMs`.
 *
 * Each case runs under both drop policies: `'dead-letter'` (the default: a
 * drop is its 4xx) and `'ack'` (a drop is a 204).
 */
import { describe, expect, it } from 'vitest'
import { createEvent, defineService, encodeBatch, encodeBinary, encodeStructured, type CloudEvent, type Outcome } from 'faasade'
import type { CloudRunServeOptions } from 'faasade/cloud-run'
import { cases, httpStatusFor, type ConformanceCase } from '../conformance/cases.js'
import { recordingHandler, type Recorded } from '../conformance/handler.js'
import { startServer } from './support.js'

async function serverFor(c: ConformanceCase, options: CloudRunServeOptions = {}) {
  const record: Recorded = {}
  const late: CloudRunServeOptions = c.deadlinePassed ? { timeoutSeconds: 0.001, timeoutMarginMs: 100 } : {}
  const { url } = await startServer(defineService({ events: [recordingHandler(record)] }), { ...late, ...options })
  return { url, record }
}

/** A push of one message whose data is the event in the JSON format. */
function push(url: string, event: CloudEvent, n: number) {
  const envelope = {
    message: { data: Buffer.from(encodeStructured(event).body as string).toString('base64'), messageId: `msg-${n}`, publishTime: '2026-11-24T08:00:00.000Z', attributes: {} },
    subscription: 'projects/conformance/subscriptions/suite',
    deliveryAttempt: 1,
  }
  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(envelope) })
}

const OUTCOME_OF: Record<string, Outcome['kind']> = { ok: 'ok', permanent: 'drop', retry: 'retry', throw: 'retry' }
const ERROR_OF: Record<string, string | undefined> = { ok: undefined, permanent: 'PermanentError', retry: 'RetryableError', throw: 'UnexpectedError' }

/** The status a push must get for an outcome: 204 when done, else the error's. */
function pushStatus(kind: Outcome['kind'], error: string | undefined, onDrop: 'dead-letter' | 'ack'): number {
  if (kind === 'ok' || (kind === 'drop' && onDrop === 'ack')) return 204
  return httpStatusFor[error!]!
}

async function overPush(c: ConformanceCase, onDrop: 'dead-letter' | 'ack') {
  const { url, record } = await serverFor(c, { onDrop })
  const events = c.events.map((e) => createEvent(e))
  const oneByOne = c.delivery !== 'event'
  for (const [i, event] of events.entries()) {
    const behaviour = (event.data as { behaviour: string }).behaviour
    const kind = oneByOne ? OUTCOME_OF[behaviour]! : c.expect.outcomes[i]!
    const error = oneByOne ? ERROR_OF[behaviour] : c.expect.errors?.[i]
    const response = await push(url, event, i)
    expect(response.status, `${event.id}: ${kind}`).toBe(pushStatus(kind, error, onDrop))
    const seen = record[event.id]
    if (c.expect.handlerRan === false) expect(seen).toEqual({ error })
    else if (kind === 'ok') {
      expect(seen?.result?.attempt).toBe(1)
      const observed = c.expect.observed?.[i]
      if (observed && !oneByOne) expect(seen?.result?.observed).toMatchObject(observed)
    } else expect(seen?.error).toBe(error)
  }
}

async function overHttp(c: ConformanceCase) {
  const { url } = await serverFor(c)
  const events = c.events.map((e) => createEvent(e))
  const encoded = c.delivery === 'http-batch' ? encodeBatch(events) : c.delivery === 'http-binary' ? encodeBinary(events[0]!) : encodeStructured(events[0]!)
  const response = await fetch(url, { method: 'POST', headers: encoded.headers, body: encoded.body as string })
  const body = await response.json()
  if (c.delivery === 'http-batch') {
    expect(response.status).toBe(200)
    expect(body.map((i: { outcome: string }) => i.outcome)).toEqual(c.expect.outcomes)
    c.expect.observed?.forEach((o, i) => o && expect(body[i].result.observed).toMatchObject(o))
    return
  }
  const error = c.expect.errors?.[0]
  expect(response.status).toBe(error === undefined ? 200 : httpStatusFor[error])
  if (c.expect.observed?.[0]) expect(body.observed).toMatchObject(c.expect.observed[0])
}

describe('conformance through serve', () => {
  for (const c of cases) {
    if (c.delivery.startsWith('http-')) {
      it(`${c.name} (${c.delivery})`, () => overHttp(c))
      continue
    }
    it(`${c.name} (${c.delivery}, Pub/Sub push)`, () => overPush(c, 'dead-letter'))
    it(`${c.name} (${c.delivery}, Pub/Sub push, onDrop: 'ack')`, () => overPush(c, 'ack'))
  }

  it('the event cases, sent as single CloudEvents over HTTP, get the statuses of the table', async () => {
    for (const c of cases.filter((c) => c.delivery === 'event')) {
      const { url } = await serverFor(c)
      const encoded = encodeStructured(createEvent(c.events[0]!))
      const response = await fetch(url, { method: 'POST', headers: encoded.headers, body: encoded.body as string })
      const error = c.expect.errors?.[0]
      expect(response.status, c.name).toBe(error === undefined ? 200 : httpStatusFor[error])
    }
  })
})
