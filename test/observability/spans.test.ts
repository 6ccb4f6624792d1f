/**
 * Observed deliveries with a real OpenTelemetry SDK registered
 * (sdk-trace-base's in-memory exporter, sdk-metrics with a reader the test
 * collects from): one span a delivery, of the right kind, parented to the
 * incoming context, with the FaaS, cloud, CloudEvents and messaging
 * attributes and the outcome as its status; ctx.trace is the span's own;
 * the delivery metrics; and a chain across two adapters, a Lambda handler
 * sending a CloudEvent on to a Cloud Run server, that is one trace.
 */
import { context, metrics, trace } from '@opentelemetry/api'
import { MeterProvider, MetricReader, type DataPoint } from '@opentelemetry/sdk-metrics'
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createEvent, createLogger, defineHandler, PermanentError, toJsonFormat, type Context } from 'faasade'
import { toLambda } from 'faasade/aws-lambda'
import { lambdaContext, sqsRecord } from '../aws-lambda/helpers.js'
import { startServer } from '../cloud-run/support.js'

const SERVER = 1
const CONSUMER = 4
const UNSET = 0
const ERROR = 2

const quiet = createLogger({ sink: () => {} })
const traceparent = (traceId: string, spanId: string) => `00-${traceId}-${spanId}-01`
const withAttribute = (record: ReturnType<typeof sqsRecord>, value: string) => ({ ...record, messageAttributes: { traceparent: { stringValue: value, dataType: 'String' } } })

class TestReader extends MetricReader {
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}
}

let exporter: InMemorySpanExporter
let reader: TestReader

beforeEach(() => {
  exporter = new InMemorySpanExporter()
  trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }))
  reader = new TestReader()
  metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }))
})

afterEach(() => {
  trace.disable()
  metrics.disable()
  context.disable()
})

describe('Lambda, an SQS batch of two records, each with its own trace context', () => {
  const A = { trace: 'a'.repeat(32), span: '1'.repeat(16) }
  const B = { trace: 'b'.repeat(32), span: '2'.repeat(16) }

  it('one CONSUMER span a record, parented to that record, with the attributes; the failure as the status, recorded once', async () => {
    const seen: Context[] = []
    const handler = toLambda(
      defineHandler({
        handle(event, ctx) {
          seen.push(ctx)
          if (event.id === 'm-b') throw new PermanentError('never')
        },
      }),
      { log: quiet, onDrop: 'ack' },
    )
    await handler({ Records: [withAttribute(sqsRecord('m-a', '{}'), traceparent(A.trace, A.span)), withAttribute(sqsRecord('m-b', '{}'), traceparent(B.trace, B.span))] }, lambdaContext(30_000, 'req-spans'))
    const spans = exporter.getFinishedSpans()
    expect(spans).toHaveLength(2)
    const [a, b] = ['m-a', 'm-b'].map((id) => spans.find((s) => s.attributes['cloudevents.event_id'] === id)!)
    expect(a!.kind).toBe(CONSUMER)
    expect(a!.name).toBe('process orders')
    expect(a!.spanContext().traceId).toBe(A.trace)
    expect(a!.parentSpanContext).toMatchObject({ traceId: A.trace, spanId: A.span, isRemote: true })
    expect(b!.spanContext().traceId).toBe(B.trace)
    expect(b!.parentSpanContext).toMatchObject({ spanId: B.span })
    expect(a!.attributes).toMatchObject({
      'faas.trigger': 'pubsub',
      'faas.invocation_id': 'req-spans',
      'cloud.provider': 'aws',
      'cloud.platform': 'aws_lambda',
      'cloudevents.event_id': 'm-a',
      'cloudevents.event_source': 'arn:aws:sqs:us-east-2:123456789012:orders',
      'cloudevents.event_type': 'com.amazonaws.sqs.message',
      'cloudevents.event_spec_version': '1.0',
      'messaging.system': 'aws_sqs',
      'messaging.destination.name': 'orders',
      'messaging.batch.message_count': 2,
      'faasade.outcome': 'ok',
    })
    expect(a!.status.code).toBe(UNSET)
    expect(b!.status).toMatchObject({ code: ERROR, message: 'never' })
    expect(b!.attributes).toMatchObject({ 'faasade.outcome': 'drop', 'error.type': 'PermanentError' })
    expect(b!.events.filter((e) => e.name === 'exception')).toHaveLength(1)
    // ctx.trace is the recorded span's own context.
    const ctxA = seen.find((c) => c.trace?.traceId === A.trace)!
    expect(ctxA.trace).toMatchObject({ spanId: a!.spanContext().spanId, recording: true })
  })

  it('the delivery metrics: invocations by outcome, errors, duration', async () => {
    const handler = toLambda(defineHandler({ handle: (event) => { if (event.id === 'm-2') throw new PermanentError('no') } }), { log: quiet, onDrop: 'ack' })
    await handler({ Records: [sqsRecord('m-1', '{}'), sqsRecord('m-2', '{}')] }, lambdaContext())
    const { resourceMetrics } = await reader.collect()
    const byName = new Map<string, DataPoint<unknown>[]>()
    for (const scope of resourceMetrics.scopeMetrics) for (const metric of scope.metrics) byName.set(metric.descriptor.name, metric.dataPoints as DataPoint<unknown>[])
    const invocations = byName.get('faas.invocations')!
    expect(invocations.map((p) => [p.attributes['faasade.outcome'], p.value]).sort()).toEqual([
      ['drop', 1],
      ['ok', 1],
    ])
    expect(invocations[0]!.attributes).toMatchObject({ 'faas.trigger': 'pubsub', 'cloud.provider': 'aws' })
    expect(byName.get('faas.errors')![0]!.value).toBe(1)
    expect(byName.get('faas.invoke_duration')).toHaveLength(1)
  })
})

describe('a chain across two adapters', () => {
  it('a Lambda handler sends a CloudEvent on (ctx.trace.inject) to a Cloud Run service: one trace, the second span a child of the first', async () => {
    const received: Context[] = []
    const downstream = await startServer(
      defineHandler({
        type: 'com.example.invoice.requested',
        handle: (_event, ctx) => void received.push(ctx),
      }),
      { log: quiet },
    )
    const upstream = toLambda(
      defineHandler({
        async handle(event, ctx) {
          const next = createEvent(ctx.trace!.inject({ id: `invoice-${event.id}`, source: '/orders', type: 'com.example.invoice.requested', data: { order: event.id } }))
          const response = await fetch(downstream.url, { method: 'POST', headers: { 'content-type': 'application/cloudevents+json' }, body: JSON.stringify(toJsonFormat(next)) })
          if (!response.ok) throw new Error(`downstream answered ${response.status}`)
        },
      }),
      { log: quiet },
    )
    const origin = { trace: 'c'.repeat(32), span: '3'.repeat(16) }
    const reply = await upstream({ Records: [withAttribute(sqsRecord('order-7', '{}'), traceparent(origin.trace, origin.span))] }, lambdaContext())
    expect(reply).toEqual({ batchItemFailures: [] })
    const spans = exporter.getFinishedSpans()
    const first = spans.find((s) => s.attributes['cloudevents.event_id'] === 'order-7')!
    const second = spans.find((s) => s.attributes['cloudevents.event_id'] === 'invoice-order-7')!
    expect(first.spanContext().traceId).toBe(origin.trace)
    expect(second.spanContext().traceId).toBe(origin.trace)
    expect(second.parentSpanContext?.spanId).toBe(first.spanContext().spanId)
    expect(second.kind).toBe(SERVER)
    expect(second.attributes).toMatchObject({ 'cloud.provider': 'gcp', 'cloud.platform': 'gcp_cloud_run' })
    expect(received[0]!.trace!.traceId).toBe(origin.trace)
  })
})
