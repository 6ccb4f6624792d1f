/**
 * The lines of an observed delivery on Lambda, Azure Functions and Cloud
 * Run, field by field: a successful, a retryable-failed and a permanently
 * failed delivery; and a delivery carrying a trace context (an SQS record,
 * a Pub/Sub push, a Service Bus message) gives lines with that trace id
 * and a span id of its own. Each adapter is driven as its platform drives
 * it: Lambda's handler called with the event shape Lambda sends, Azure's
 * through the @azure/functions programming model as the host drives it,
 * Cloud Run's server over real HTTP. (Workers: test/workers/observed.test.ts.)
 */
import '../azure-functions/support/host.js'
import { app } from '@azure/functions'
import { beforeAll, describe, expect, it } from 'vitest'
import { createLogger, defineHandler, PermanentError, RetryableError, type Context } from 'faasade'
import { toLambda } from 'faasade/aws-lambda'
import { toAzureFunctions } from 'faasade/azure-functions'
import { invoke } from '../azure-functions/support/host.js'
import { lambdaContext, sqsRecord } from '../aws-lambda/helpers.js'
import { startServer } from '../cloud-run/support.js'

type Line = Record<string, unknown>

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736'
const SPAN = '00f067aa0ba902b7'
const TRACEPARENT = `00-${TRACE}-${SPAN}-01`
const HEX16 = /^[0-9a-f]{16}$/
const HEX32 = /^[0-9a-f]{32}$/

function capture() {
  const lines: Line[] = []
  return { lines, log: createLogger({ level: 'debug', sink: (line) => lines.push(JSON.parse(line) as Line) }) }
}

/** Succeeds, or fails as the event's data says; records each context's trace. */
function behaving(seen: Context[] = []) {
  return defineHandler({
    handle(event, ctx) {
      seen.push(ctx)
      const fail = (event.data as { fail?: string } | undefined)?.fail
      ctx.log.info('working')
      if (fail === 'retry') throw new RetryableError('try later')
      if (fail === 'permanent') throw new PermanentError('never')
      return 'done'
    },
  })
}

const summaries = (lines: Line[]) => lines.filter((l) => l.msg === 'delivery finished')

describe('Lambda: an SQS batch of three (ok, retryable, permanent)', () => {
  const { lines, log } = capture()
  const seen: Context[] = []
  const handler = toLambda(behaving(seen), { log, onDrop: 'ack' })
  const batch = {
    Records: [
      sqsRecord('m-ok', '{}'),
      sqsRecord('m-retry', JSON.stringify({ fail: 'retry' })),
      sqsRecord('m-drop', JSON.stringify({ fail: 'permanent' })),
    ],
  }

  beforeAll(async () => {
    // The first invocation of this module copy: a cold start.
    await handler(batch, lambdaContext(30_000, 'req-cold'))
  })

  it('every line of each delivery carries the event, the request, the trace and coldStart', () => {
    const working = lines.filter((l) => l.msg === 'working')
    expect(working).toHaveLength(3)
    for (const [i, line] of working.entries()) {
      const id = batch.Records[i]!.messageId
      expect(line).toMatchObject({
        level: 'info',
        eventId: id,
        eventType: 'com.amazonaws.sqs.message',
        eventSource: 'arn:aws:sqs:us-east-2:123456789012:orders',
        requestId: 'req-cold',
        coldStart: true,
      })
      expect(line.traceId).toMatch(HEX32)
      expect(line.spanId).toMatch(HEX16)
      // The handler's ctx.trace is the one the lines carry.
      expect(seen[i]!.trace).toMatchObject({ traceId: line.traceId, spanId: line.spanId })
    }
  })

  it('one summary line a delivery: outcome, duration, attempt, retryable', () => {
    const byId: Record<string, Line> = Object.fromEntries(summaries(lines).map((l) => [String(l.eventId), l]))
    expect(Object.keys(byId).sort()).toEqual(['m-drop', 'm-ok', 'm-retry'])
    expect(byId['m-ok']).toMatchObject({ level: 'info', trigger: 'pubsub', outcome: 'ok', attempt: 1, retryable: false, requestId: 'req-cold', coldStart: true })
    expect(byId['m-retry']).toMatchObject({ outcome: 'retry', attempt: 1, retryable: true })
    expect(byId['m-drop']).toMatchObject({ outcome: 'drop', attempt: 1, retryable: false })
    for (const line of Object.values(byId)) {
      expect(line.durationMs).toBeGreaterThanOrEqual(0)
      // The error is on the kit's failure line, once: not repeated on the summary.
      expect(line).not.toHaveProperty('error')
      expect(line).not.toHaveProperty('errorName')
    }
  })

  it('the failures are logged once each, the retry with its error, the drop with its name only', () => {
    expect(lines.filter((l) => l.msg === 'event failed, will be retried')).toEqual([expect.objectContaining({ deliveryId: 'm-retry', requestId: 'req-cold' })])
    expect(lines.filter((l) => l.msg === 'event dropped, will not be retried')).toEqual([expect.objectContaining({ deliveryId: 'm-drop', errorName: 'PermanentError' })])
  })

  it('a later invocation is no cold start: its lines say nothing of it', async () => {
    lines.length = 0
    await handler({ Records: [sqsRecord('m-warm', '{}')] }, lambdaContext(30_000, 'req-warm'))
    expect(lines.length).toBeGreaterThan(0)
    for (const line of lines) {
      expect(line).toMatchObject({ requestId: 'req-warm' })
      expect(line).not.toHaveProperty('coldStart')
    }
  })
})

describe('Lambda: an SQS record that carries a trace context', () => {
  it('a traceparent message attribute: the lines have its trace id and a span id of their own', async () => {
    const { lines, log } = capture()
    const seen: Context[] = []
    const record = { ...sqsRecord('m-traced', '{}'), messageAttributes: { traceparent: { stringValue: TRACEPARENT, stringListValues: [], binaryListValues: [], dataType: 'String' } } }
    await toLambda(behaving(seen), { log })({ Records: [record] }, lambdaContext())
    for (const line of lines) {
      expect(line.traceId).toBe(TRACE)
      expect(line.spanId).toMatch(HEX16)
      expect(line.spanId).not.toBe(SPAN)
    }
    expect(seen[0]!.trace!.parent).toMatchObject({ traceId: TRACE, spanId: SPAN, sampled: true })
    // What the handler sends on continues the trace, from its own span.
    expect(seen[0]!.trace!.inject({})).toEqual({ traceparent: `00-${TRACE}-${lines[0]!.spanId}-01` })
  })

  it("the AWSTraceHeader system attribute (X-Ray's format) is read when no traceparent is", async () => {
    const { lines, log } = capture()
    const record = sqsRecord('m-xray', '{}')
    const xray = { ...record, attributes: { ...record.attributes, AWSTraceHeader: 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1' } }
    await toLambda(behaving(), { log })({ Records: [xray] }, lambdaContext())
    expect(new Set(lines.map((l) => l.traceId))).toEqual(new Set(['5759e988bd862e3fe1be46a994272793']))
  })

  it("a structured CloudEvent body's traceparent extension wins over the message's carriers: it travels with the event", async () => {
    const { lines, log } = capture()
    const event = { specversion: '1.0', id: 'ce-1', source: '/shop', type: 'com.example.order', traceparent: TRACEPARENT }
    const record = { ...sqsRecord('m-ce', JSON.stringify(event)), messageAttributes: { traceparent: { stringValue: `00-${'a'.repeat(32)}-${'b'.repeat(16)}-01`, dataType: 'String' } } }
    await toLambda(behaving(), { log })({ Records: [record] }, lambdaContext())
    expect(summaries(lines)[0]).toMatchObject({ eventId: 'ce-1', traceId: TRACE })
  })
})

describe('Cloud Run: a Pub/Sub push that carries a trace context', () => {
  const push = (attributes: Record<string, string>, data: unknown) => ({
    message: { attributes, data: Buffer.from(JSON.stringify(data)).toString('base64'), messageId: '2070443601311540', publishTime: '2026-12-07T08:00:00.000Z' },
    subscription: 'projects/shop-prod/subscriptions/orders-push',
    deliveryAttempt: 2,
  })

  it('googclient_traceparent: lines with its trace id, a span id of their own, and Cloud Logging\'s trace field', async () => {
    const { url, logs } = await startServer(behaving(), { projectId: 'shop-prod' })
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-cloud-trace-context': `${'c'.repeat(32)}/1;o=1` }, body: JSON.stringify(push({ googclient_traceparent: TRACEPARENT }, {})) })
    expect(response.status).toBe(204)
    const working = logs.find((l) => l.message === 'working')!
    expect(working).toMatchObject({ severity: 'INFO', eventId: '2070443601311540', traceId: TRACE, 'logging.googleapis.com/trace': `projects/shop-prod/traces/${TRACE}` })
    expect(working.spanId).toMatch(HEX16)
    expect(working.spanId).not.toBe(SPAN)
    // No SDK records the delivery's span: Cloud Logging is pointed at the publisher's, which exists.
    expect(working['logging.googleapis.com/spanId']).toBe(SPAN)
    expect(logs.find((l) => l.message === 'delivery finished')).toMatchObject({ severity: 'INFO', outcome: 'ok', attempt: 2, trigger: 'pubsub', traceId: TRACE })
  })

  it('a retryable failure and a permanent one: their summary lines, and the push answered 503 and 4xx', async () => {
    const { url, logs } = await startServer(behaving(), { projectId: 'shop-prod', onDrop: 'dead-letter' })
    const send = (data: unknown) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(push({}, data)) })
    expect((await send({ fail: 'retry' })).status).toBe(503)
    expect((await send({ fail: 'permanent' })).status).toBeGreaterThanOrEqual(400)
    const done = logs.filter((l) => l.message === 'delivery finished')
    expect(done.map((l) => [l.severity, l.outcome, l.retryable, l.attempt])).toEqual([
      ['INFO', 'retry', true, 2],
      ['INFO', 'drop', false, 2],
    ])
  })
})

describe('Azure Functions: a Service Bus message that carries a trace context', () => {
  const { lines, log } = capture()
  const seen: Context[] = []
  const json = (value: unknown) => ({ json: JSON.stringify(value) })

  beforeAll(() => {
    const functions = toAzureFunctions(behaving(seen), { log, onDrop: 'ack' })
    app.serviceBusQueue('observed-sb', { queueName: 'orders', connection: 'ServiceBusConnection', handler: functions.serviceBus })
  })

  const send = (body: unknown, properties: Record<string, unknown>, traceParent?: string) =>
    invoke('observed-sb', {
      input: json(body),
      triggerMetadata: { MessageId: json('7c2e4b1a9f3d4e5c8b6a0d1e2f3a4b5c'), DeliveryCount: json(3), UserProperties: json(properties) },
      ...(traceParent ? { traceContext: { traceParent, traceState: '', attributes: {} } } : {}),
    })

  it("the message's Diagnostic-Id (as the library hands it): its trace id, a span id of its own", async () => {
    lines.length = 0
    // The host's own invocation context is of another span in the same trace; the message's is the sender's.
    await send({}, { 'Diagnostic-Id': TRACEPARENT }, `00-${TRACE}-${'1'.repeat(16)}-01`)
    const [working, done] = [lines.find((l) => l.msg === 'working')!, summaries(lines)[0]!]
    expect(working).toMatchObject({ traceId: TRACE, eventId: '7c2e4b1a9f3d4e5c8b6a0d1e2f3a4b5c', eventType: expect.any(String), eventSource: expect.any(String) })
    expect(working.spanId).not.toBe(SPAN)
    expect(seen.at(-1)!.trace!.parent).toMatchObject({ traceId: TRACE, spanId: SPAN })
    expect(done).toMatchObject({ outcome: 'ok', attempt: 3, retryable: false, trigger: 'pubsub', requestId: expect.any(String) })
  })

  it("without one, the host's InvocationContext.traceContext", async () => {
    lines.length = 0
    await send({}, {}, TRACEPARENT)
    expect(summaries(lines)[0]).toMatchObject({ traceId: TRACE })
    expect(seen.at(-1)!.trace!.parent?.spanId).toBe(SPAN)
  })

  it('a retryable and a permanent failure: their summary lines', async () => {
    lines.length = 0
    await send({ fail: 'retry' }, {})
    await send({ fail: 'permanent' }, {})
    expect(summaries(lines).map((l) => [l.outcome, l.retryable, l.attempt])).toEqual([
      ['retry', true, 3],
      ['drop', false, 3],
    ])
  })
})
