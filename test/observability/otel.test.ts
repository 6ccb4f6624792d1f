/**
 * Delivery spans through a real OpenTelemetry SDK (sdk-trace-base's
 * in-memory exporter): one span a delivery, its kind, parent, links,
 * attributes and status, and the no-op span when no provider is registered.
 */
import { context, ROOT_CONTEXT, trace, type Context, type ContextManager } from '@opentelemetry/api'
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  DELIVERY_ATTRIBUTES,
  loadOpenTelemetry,
  noopDeliverySpan,
  startDeliverySpan,
  tracerProviderRegistered,
  type DeliveryFacts,
  type DeliverySpan,
} from '../../src/observability/otel.js'
import { parseTraceparent } from '../../src/observability/trace-context.js'
import { importOpenTelemetry } from '../../src/observability/import-api.js'
import { openTelemetryFrom } from '../../src/observability/otel.js'

// As the Node adapters do: the API is imported (once an SDK is registered) by this importer.
openTelemetryFrom(importOpenTelemetry)

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736'
const SPAN = '00f067aa0ba902b7'
const incoming = parseTraceparent(`00-${TRACE}-${SPAN}-01`, 'congo=t61rcWkgMzE')!
const event = { specversion: '1.0', id: 'e-1', source: '/orders', type: 'order.created', subject: 'o-42', data: {} }

const SERVER = 1
const CONSUMER = 4
const UNSET = 0
const ERROR = 2

let exporter: InMemorySpanExporter

function register() {
  exporter = new InMemorySpanExporter()
  trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }))
}

async function start(facts: DeliveryFacts): Promise<DeliverySpan> {
  const started = startDeliverySpan(facts)
  return started instanceof Promise ? await started : started
}

afterEach(() => {
  trace.disable()
  context.disable()
})

describe('without a registered tracer provider', () => {
  it('hands back the one shared no-op span, synchronously', () => {
    expect(tracerProviderRegistered()).toBe(false)
    const span = startDeliverySpan({ trigger: 'http', parent: incoming })
    expect(span).toBe(noopDeliverySpan)
    expect(span).toBe(startDeliverySpan({ trigger: 'pubsub' }))
    expect(noopDeliverySpan.recording).toBe(false)
    expect(noopDeliverySpan.traceContext).toBeUndefined()
    expect(() => {
      noopDeliverySpan.recordError(new Error('x'))
      noopDeliverySpan.end({ kind: 'drop', error: new Error('x') })
    }).not.toThrow()
    expect(Object.isFrozen(noopDeliverySpan)).toBe(true)
    expect(noopDeliverySpan.run(() => 42)).toBe(42)
  })
})

describe('with a registered tracer provider', () => {
  beforeEach(register)

  it('sees the provider, loads the API, then starts spans synchronously', async () => {
    expect(tracerProviderRegistered()).toBe(true)
    expect(await loadOpenTelemetry()).toBe(true)
    const span = startDeliverySpan({ trigger: 'http' })
    expect(span).not.toBeInstanceOf(Promise)
    ;(span as DeliverySpan).end({ kind: 'ok' })
    expect(exporter.getFinishedSpans()).toHaveLength(1)
  })

  it('one CONSUMER span a message delivery, parented to the incoming trace context, with the conventions attributes', async () => {
    const span = await start({
      trigger: 'pubsub',
      parent: incoming,
      invocationId: 'req-1',
      coldStart: true,
      functionName: 'orders',
      cloudProvider: 'aws',
      cloudPlatform: 'aws_lambda',
      cloudRegion: 'eu-west-1',
      event,
      messagingSystem: 'aws_sqs',
      destination: 'orders-queue',
      batchSize: 10,
    })
    expect(span.recording).toBe(true)
    span.end({ kind: 'ok' })
    const [exported, ...more] = exporter.getFinishedSpans()
    expect(more).toHaveLength(0)
    expect(exported!.name).toBe('process orders-queue')
    expect(exported!.kind).toBe(CONSUMER)
    expect(exported!.spanContext().traceId).toBe(TRACE)
    expect(exported!.parentSpanContext).toMatchObject({ traceId: TRACE, spanId: SPAN, isRemote: true })
    expect(exported!.spanContext().traceState?.serialize()).toBe('congo=t61rcWkgMzE')
    expect(exported!.attributes).toEqual({
      'faas.trigger': 'pubsub',
      'faas.invocation_id': 'req-1',
      'faas.coldstart': true,
      'faas.name': 'orders',
      'cloud.provider': 'aws',
      'cloud.platform': 'aws_lambda',
      'cloud.region': 'eu-west-1',
      'cloudevents.event_id': 'e-1',
      'cloudevents.event_source': '/orders',
      'cloudevents.event_type': 'order.created',
      'cloudevents.event_spec_version': '1.0',
      'cloudevents.event_subject': 'o-42',
      'messaging.system': 'aws_sqs',
      'messaging.operation.type': 'process',
      'messaging.destination.name': 'orders-queue',
      'messaging.batch.message_count': 10,
      'faasade.outcome': 'ok',
    })
    expect(exported!.status.code).toBe(UNSET)
    expect(span.traceContext).toEqual({
      traceId: TRACE,
      spanId: exported!.spanContext().spanId,
      sampled: true,
      traceparent: `00-${TRACE}-${exported!.spanContext().spanId}-01`,
      tracestate: 'congo=t61rcWkgMzE',
    })
  })

  it('a SERVER span for HTTP, named by the function; what is missing is not recorded', async () => {
    const span = await start({ trigger: 'http', functionName: 'api', parent: incoming })
    span.end({ kind: 'ok' })
    const [exported] = exporter.getFinishedSpans()
    expect(exported!.kind).toBe(SERVER)
    expect(exported!.name).toBe('api')
    expect(exported!.attributes).toEqual({ 'faas.trigger': 'http', 'faas.name': 'api', 'faasade.outcome': 'ok' })
  })

  it('without an incoming context, a new trace; kind and name as given', async () => {
    const span = await start({ trigger: 'timer', kind: 'server', spanName: 'nightly' })
    span.end()
    const [exported] = exporter.getFinishedSpans()
    expect(exported!.parentSpanContext).toBeUndefined()
    expect(exported!.kind).toBe(SERVER)
    expect(exported!.name).toBe('nightly')
    expect(exported!.spanContext().traceId).not.toBe(TRACE)
  })

  it.each(['retry', 'drop'] as const)('a %s is an ERROR with the error recorded once, even when recorded before', async (kind) => {
    const cause = new TypeError('boom')
    const wrapped = new Error('the handler failed', { cause })
    const span = await start({ trigger: 'pubsub' })
    span.recordError(cause)
    span.recordError(cause)
    span.end({ kind, error: wrapped })
    span.end({ kind: 'ok' })
    const spans = exporter.getFinishedSpans()
    expect(spans).toHaveLength(1)
    const [exported] = spans
    expect(exported!.status).toEqual({ code: ERROR, message: 'the handler failed' })
    expect(exported!.attributes[DELIVERY_ATTRIBUTES.outcome]).toBe(kind)
    expect(exported!.attributes['error.type']).toBe('Error')
    const exceptions = exported!.events.filter((e) => e.name === 'exception')
    expect(exceptions).toHaveLength(1)
    expect(exceptions[0]!.attributes).toMatchObject({ 'exception.type': 'TypeError', 'exception.message': 'boom' })
  })

  it('records an error the outcome carries when none was recorded; a non-Error too', async () => {
    const span = await start({ trigger: 'pubsub' })
    span.end({ kind: 'drop', error: 'plain string' })
    const [exported] = exporter.getFinishedSpans()
    expect(exported!.status).toEqual({ code: ERROR, message: 'plain string' })
    expect(exported!.events.filter((e) => e.name === 'exception')).toHaveLength(1)
    expect(exported!.attributes['error.type']).toBe('string')
  })

  it('links the contexts it is given (the messages of a batch)', async () => {
    const other = parseTraceparent(`00-${'1'.repeat(32)}-${'2'.repeat(16)}-01`)!
    const span = await start({ trigger: 'pubsub', links: [incoming, other], batchSize: 2 })
    span.end({ kind: 'ok' })
    const [exported] = exporter.getFinishedSpans()
    expect(exported!.links.map((l) => l.context.traceId)).toEqual([TRACE, '1'.repeat(32)])
  })

  it('an unsampled incoming context gives a span that is not recorded (the parent-based sampler), still in its trace', async () => {
    const span = await start({ trigger: 'http', parent: parseTraceparent(`00-${TRACE}-${SPAN}-00`)! })
    expect(span.recording).toBe(false)
    expect(span.traceContext).toMatchObject({ traceId: TRACE, sampled: false })
    span.end({ kind: 'ok' })
    expect(exporter.getFinishedSpans()).toHaveLength(0)
  })

  it('under an active span (an instrumentation\'s), that span is the parent and the incoming context a link', async () => {
    context.setGlobalContextManager(new StackContextManager())
    const outer = trace.getTracer('test').startSpan('instrumentation')
    const span = await context.with(trace.setSpan(ROOT_CONTEXT, outer), () => start({ trigger: 'pubsub', parent: incoming }))
    span.end({ kind: 'ok' })
    outer.end()
    const exported = exporter.getFinishedSpans().find((s) => s.name !== 'instrumentation')!
    expect(exported.parentSpanContext?.spanId).toBe(outer.spanContext().spanId)
    expect(exported.links.map((l) => l.context.spanId)).toEqual([SPAN])
  })
})

describe('run', () => {
  beforeEach(register)

  it('makes the delivery span active for the work, so the handler\'s spans are its children', async () => {
    context.setGlobalContextManager(new StackContextManager())
    const span = await start({ trigger: 'pubsub', parent: incoming })
    const result = span.run(() => {
      trace.getTracer('handler').startSpan('handler work').end()
      return 'done'
    })
    span.end({ kind: 'ok' })
    expect(result).toBe('done')
    const spans = exporter.getFinishedSpans()
    const work = spans.find((s) => s.name === 'handler work')!
    expect(work.parentSpanContext?.spanId).toBe(span.traceContext!.spanId)
    expect(work.spanContext().traceId).toBe(TRACE)
    expect(trace.getActiveSpan()).toBeUndefined()
  })
})

/** The smallest context manager: enough for `context.with` around synchronous work. */
class StackContextManager implements ContextManager {
  #stack: Context[] = [ROOT_CONTEXT]
  active(): Context {
    return this.#stack[this.#stack.length - 1]!
  }
  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(ctx: Context, fn: F, thisArg?: ThisParameterType<F>, ...args: A): ReturnType<F> {
    this.#stack.push(ctx)
    try {
      return fn.call(thisArg, ...args)
    } finally {
      this.#stack.pop()
    }
  }
  bind<T>(_ctx: Context, target: T): T {
    return target
  }
  enable(): this {
    return this
  }
  disable(): this {
    this.#stack = [ROOT_CONTEXT]
    return this
  }
}
