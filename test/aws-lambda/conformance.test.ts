/**
 * The shared conformance table (test/conformance/cases.ts) through
 * `toLambda`, each case in its native Lambda shape, checking the native reply:
 *
 * - `event`: one SQS record whose body is the structured CloudEvent (the
 *   shape that carries every attribute a case sets); `batch`: an SQS batch.
 *   The reply is `batchItemFailures`: retried events are in it, ok and
 *   dropped ones are not (with `onDrop: 'dead-letter'`, dropped ones are too). SQS
 *   has no per-message delay in the reply, so `retryAfterMs` is not said.
 * - `ordered-batch`: a FIFO SQS batch and a Kinesis batch.
 * - `http-*`: API Gateway HTTP API (v2) requests in each mode.
 * - `deadlinePassed`: a Lambda context with no time left.
 *
 * `batchItemFailures` says the same for ok and drop, so the handler under
 * test also records, per event id, what it returned or threw.
 */
import { describe, expect, it } from 'vitest'
import { createEvent, defineService, encodeBatch, encodeBinary, encodeStructured, type CloudEvent, type Outcome } from 'faasade'
import { toLambda } from 'faasade/aws-lambda'
import { cases, httpStatusFor, type ConformanceCase } from '../conformance/cases.js'
import { recordingHandler, type Recorded } from '../conformance/handler.js'
import { apiGatewayV2Event } from './events.js'
import { captureLog, kinesisRecord, lambdaContext, sqsRecord } from './helpers.js'

function recordingService() {
  const record: Recorded = {}
  return { service: defineService({ events: [recordingHandler(record)] }), record }
}

const context = (c: ConformanceCase) => lambdaContext(c.deadlinePassed ? 0 : 30_000)

type Shape = 'sqs' | 'fifo' | 'kinesis'

function nativeBatch(events: CloudEvent[], shape: Shape) {
  const body = (e: CloudEvent) => encodeStructured(e).body as string
  if (shape === 'kinesis') return { ids: events.map((_, i) => `seq-${i}`), event: { Records: events.map((e, i) => kinesisRecord(`seq-${i}`, body(e))) } }
  const fifo = shape === 'fifo' ? (i: number) => ({ fifo: { group: 'conformance', sequence: String(100 + i) } }) : () => ({})
  return { ids: events.map((_, i) => `msg-${i}`), event: { Records: events.map((e, i) => sqsRecord(`msg-${i}`, body(e), fifo(i))) } }
}

/** What the reply must list: the ids of the events whose outcome is retry (and drop, with onDrop: 'dead-letter'). */
function expectedFailures(c: ConformanceCase, ids: string[], failPermanent: boolean): string[] {
  const reported = (o: Outcome['kind']) => o === 'retry' || (failPermanent && o === 'drop')
  const outcomes = c.expect.outcomes
  if (c.delivery === 'ordered-batch' && failPermanent) {
    const first = outcomes.findIndex(reported)
    return first < 0 ? [] : ids.slice(first)
  }
  return ids.filter((_, i) => reported(outcomes[i]!))
}

async function overBatch(c: ConformanceCase, shape: Shape, failPermanent: boolean) {
  const { service, record } = recordingService()
  const events = c.events.map((e) => createEvent(e))
  const { ids, event } = nativeBatch(events, shape)
  const reply = await toLambda(service, { onDrop: failPermanent ? 'dead-letter' : 'ack', log: captureLog().log })(event, context(c))
  expect(reply).toEqual({ batchItemFailures: expectedFailures(c, ids, failPermanent).map((itemIdentifier) => ({ itemIdentifier })) })
  // What each event came to, by the handler's own record (skipped events were never run).
  events.forEach((e, i) => {
    const kind = c.expect.outcomes[i]
    const error = c.expect.errors?.[i]
    const seen = record[e.id]
    if (error === 'SkippedError') expect(seen).toBeUndefined()
    else if (c.expect.handlerRan === false) expect(seen).toEqual({ error })
    else if (kind === 'ok') expect(seen?.result).toMatchObject({ n: (e.data as { n: number }).n, observed: { id: e.id, source: e.source, type: e.type, data: e.data } })
    else expect(seen?.error).toBe(error)
    const observed = c.expect.observed?.[i]
    if (observed) expect(seen?.result?.observed).toMatchObject(observed)
    if (kind === 'ok') expect(seen?.result?.attempt).toBe(shape === 'kinesis' ? null : 1)
  })
}

async function overHttp(c: ConformanceCase) {
  const { service } = recordingService()
  const events = c.events.map((e) => createEvent(e))
  const encoded = c.delivery === 'http-batch' ? encodeBatch(events) : c.delivery === 'http-binary' ? encodeBinary(events[0]!) : encodeStructured(events[0]!)
  const request = { ...apiGatewayV2Event(), headers: encoded.headers, body: encoded.body as string, cookies: undefined }
  const reply = (await toLambda(service, { log: captureLog().log })(request, context(c))) as { statusCode: number; headers: Record<string, string>; cookies: string[]; body: string; isBase64Encoded: boolean }
  expect(Object.keys(reply).sort()).toEqual(['body', 'cookies', 'headers', 'isBase64Encoded', 'statusCode'])
  expect(reply.isBase64Encoded).toBe(false)
  const body = JSON.parse(reply.body)
  if (c.delivery === 'http-batch') {
    expect(reply.statusCode).toBe(200)
    expect(body.map((i: { outcome: string }) => i.outcome)).toEqual(c.expect.outcomes)
    c.expect.observed?.forEach((o, i) => o && expect(body[i].result.observed).toMatchObject(o))
    return
  }
  const error = c.expect.errors?.[0]
  expect(reply.statusCode).toBe(error === undefined ? 200 : httpStatusFor[error])
  if (c.expect.observed?.[0]) expect(body.observed).toMatchObject(c.expect.observed[0])
}

describe('conformance through toLambda', () => {
  for (const c of cases) {
    if (c.delivery.startsWith('http-')) {
      it(`${c.name} (${c.delivery}, API Gateway v2)`, () => overHttp(c))
      continue
    }
    const shapes: Shape[] = c.delivery === 'ordered-batch' ? ['fifo', 'kinesis'] : ['sqs']
    for (const shape of shapes) {
      it(`${c.name} (${c.delivery}, ${shape})`, () => overBatch(c, shape, false))
      it(`${c.name} (${c.delivery}, ${shape}, onDrop: 'dead-letter')`, () => overBatch(c, shape, true))
    }
  }

  it('the event cases, sent to API Gateway v2 as single CloudEvents, get the statuses of the table', async () => {
    for (const c of cases.filter((c) => c.delivery === 'event')) {
      const { service } = recordingService()
      const encoded = encodeStructured(createEvent(c.events[0]!))
      const reply = (await toLambda(service, { log: captureLog().log })({ ...apiGatewayV2Event(), headers: encoded.headers, body: encoded.body }, context(c))) as { statusCode: number }
      const error = c.expect.errors?.[0]
      expect(reply.statusCode, c.name).toBe(error === undefined ? 200 : httpStatusFor[error])
    }
  })
})
