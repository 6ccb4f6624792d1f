/**
 * The Storage queue trigger through the library's own ProgrammingModel:
 * the host's RPC input (the message text, base64-decoded by the host) and
 * PascalCase trigger metadata in, and the invocation's fate out: completed
 * (the host deletes the message) or failed (the host makes it visible
 * again, and after maxDequeueCount moves it to <queue>-poison).
 */
import './support/host.js'
import { app } from '@azure/functions'
import { beforeAll, describe, expect, it } from 'vitest'
import { createLogger, defineHandler, PermanentError, RetryableError, toJsonFormat, createEvent, type Context } from 'faasade'
import { STORAGE_QUEUE_TYPE, storageQueueSource, toAzureFunctions } from 'faasade/azure-functions'
import { recordingHandler, userLines } from './helpers.js'
import { bindingsOf, invoke, type RpcTypedData } from './support/host.js'

/** What the host sends with a message: dequeued for the `dequeueCount`-th time. */
function metadata(text: string, dequeueCount = 1): Record<string, RpcTypedData> {
  return {
    QueueTrigger: { string: text },
    DequeueCount: { json: String(dequeueCount) },
    ExpirationTime: { json: '"2026-12-14T09:30:12+00:00"' },
    Id: { json: '"3f0c6a52-9d1e-4b7a-8e55-1c2d3e4f5a6b"' },
    InsertionTime: { json: '"2026-12-07T09:30:12+00:00"' },
    NextVisibleTime: { json: '"2026-12-07T09:40:13+00:00"' },
    PopReceipt: { json: '"AgAAAAMAAAAAAAAAcS1Nq5gG3QE="' },
    sys: { json: JSON.stringify({ MethodName: 'orders', UtcNow: '2026-12-07T09:30:13.2205399Z', RandGuid: '0b9f3c1e-5a7d-4e2b-9c8f-6d5e4f3a2b1c' }) },
  }
}
const MESSAGE_ID = '3f0c6a52-9d1e-4b7a-8e55-1c2d3e4f5a6b'
const send = (fn: string, text: string, dequeueCount = 1) => invoke(fn, { input: { string: text }, triggerMetadata: metadata(text, dequeueCount) })

const recorder = recordingHandler()
const ack = toAzureFunctions(recorder.handler, { onDrop: 'ack' })
const deadLetter = toAzureFunctions(recorder.handler, { onDrop: 'dead-letter' })
const typed = toAzureFunctions(recorder.handler, { storageQueue: { type: (message, meta, queue) => `com.example.${queue}.${(message as { kind: string }).kind}@${meta.dequeueCount}` }, functionTimeoutMs: 60_000, timeoutMarginMs: 500 })

beforeAll(() => {
  app.storageQueue('orders', { queueName: 'orders', connection: 'AzureWebJobsStorage', handler: ack.storageQueue })
  app.storageQueue('orders-dlq', { queueName: 'orders', connection: 'AzureWebJobsStorage', handler: deadLetter.storageQueue })
  app.storageQueue('typed', { queueName: 'typed-queue', connection: 'AzureWebJobsStorage', handler: typed.storageQueue })
})

describe('a message is a CloudEvent', () => {
  it('registers as a queueTrigger binding', () => {
    expect(Object.values(bindingsOf('orders'))).toContainEqual(expect.objectContaining({ type: 'queueTrigger', direction: 'in', queueName: 'orders', connection: 'AzureWebJobsStorage' }))
  })

  it('JSON text: the parsed message as data, the message id, the queue as source, insertionTime as time, dequeueCount as ctx.attempt', async () => {
    recorder.seen.length = 0
    const result = await send('orders', '{"orderId":"A1","amount":42}', 3)
    expect(result.ok).toBe(true)
    const [{ event, ctx }] = recorder.seen as [(typeof recorder.seen)[0]]
    expect({ ...event }).toEqual({
      specversion: '1.0',
      id: MESSAGE_ID,
      source: storageQueueSource('orders'),
      type: STORAGE_QUEUE_TYPE,
      time: '2026-12-07T09:30:12.000Z',
      datacontenttype: 'application/json',
      data: { orderId: 'A1', amount: 42 },
    })
    expect(event.source).toBe('//queue.storage.azure.com/orders')
    expect(ctx.attempt).toBe(3)
    expect(ctx.provider.name).toBe('azure-functions')
    const raw = ctx.provider.raw as { input: unknown; context: { functionName: string; triggerMetadata: Record<string, unknown> } }
    expect(raw.input).toEqual({ orderId: 'A1', amount: 42 })
    expect(raw.context.functionName).toBe('orders')
    expect(raw.context.triggerMetadata).toMatchObject({ id: MESSAGE_ID, dequeueCount: 3, popReceipt: 'AgAAAAMAAAAAAAAAcS1Nq5gG3QE=' })
  })

  it('text that is not JSON stays a string (text/plain)', async () => {
    recorder.seen.length = 0
    await send('orders', 'ship order A1')
    expect(recorder.seen[0]!.event).toMatchObject({ datacontenttype: 'text/plain', data: 'ship order A1' })
  })

  it('a structured CloudEvent body is unwrapped: its own attributes, still the dequeue count as ctx.attempt', async () => {
    recorder.seen.length = 0
    const inner = createEvent({ id: 'order-A1', source: '/shop', type: 'com.example.order.placed', subject: 'A1', datacontenttype: 'application/json', data: { orderId: 'A1' }, traceid: 'x1' })
    expect((await send('orders', JSON.stringify(toJsonFormat(inner)), 2)).ok).toBe(true)
    const [{ event, ctx }] = recorder.seen as [(typeof recorder.seen)[0]]
    expect({ ...event }).toEqual({ ...inner })
    expect(ctx.attempt).toBe(2)
  })

  it('the storageQueue.type option routes by message, metadata and queue name', async () => {
    recorder.seen.length = 0
    await send('typed', '{"kind":"refund"}', 4)
    expect(recorder.seen[0]!.event.type).toBe('com.example.typed-queue.refund@4')
    expect(recorder.seen[0]!.event.source).toBe('//queue.storage.azure.com/typed-queue')
  })
})

describe('outcomes', () => {
  it('ok: the invocation completes (the host deletes the message)', async () => {
    expect((await send('orders', '{"n":1}')).ok).toBe(true)
  })

  it("retry: the invocation fails with the handler's own error, for the host to retry", async () => {
    const retry = await send('orders', '{"fail":"retry"}')
    expect(retry.ok).toBe(false)
    expect((retry as { error: unknown }).error).toBeInstanceOf(RetryableError)
    const thrown = await send('orders', '{"fail":"throw"}')
    expect(thrown.ok).toBe(false)
    // The original error, not a wrapper: the portal shows the real cause.
    expect((thrown as { error: Error }).error.message).toBe(`boom ${MESSAGE_ID}`)
    expect(userLines(thrown)).toContainEqual({ level: 'error', line: expect.objectContaining({ msg: 'event failed, will be retried', deliveryId: MESSAGE_ID, attempt: 1 }) })
  })

  it("drop with onDrop 'ack': logged through context.warn, the invocation completes", async () => {
    const result = await send('orders', '{"fail":"permanent"}')
    expect(result.ok).toBe(true)
    expect(userLines(result)).toContainEqual({ level: 'warning', line: expect.objectContaining({ msg: 'event dropped, will not be retried', deliveryId: MESSAGE_ID }) })
  })

  it("drop with onDrop 'dead-letter': the invocation fails, so the message reaches <queue>-poison after maxDequeueCount", async () => {
    const result = await send('orders-dlq', '{"fail":"permanent"}', 5)
    expect(result.ok).toBe(false)
    expect((result as { error: unknown }).error).toBeInstanceOf(PermanentError)
  })

  it('a body that claims to be a CloudEvent but is not a valid one is a drop, not a retry', async () => {
    recorder.seen.length = 0
    const bad = JSON.stringify({ specversion: '1.0', id: 'x', type: 'com.example.t' })
    expect((await send('orders', bad)).ok).toBe(true)
    expect((await send('orders-dlq', bad)).ok).toBe(false)
    expect(recorder.seen).toHaveLength(0)
  })
})

describe('the invocation', () => {
  const seen: Context[] = []
  const observer = toAzureFunctions(
    defineHandler({
      handle(_event, ctx) {
        seen.push(ctx)
        ctx.log.info('charging', { orderId: 'A1' })
        ctx.log.debug('hidden at the default level')
        ctx.log.warn('slow')
      },
    }),
    { functionTimeoutMs: 60_000, timeoutMarginMs: 500 },
  )
  const withLogger = toAzureFunctions(
    defineHandler({ handle: (_event, ctx) => void seen.push(ctx) }),
    { log: createLogger({ sink: () => {} }) },
  )
  beforeAll(() => {
    app.storageQueue('observed', { queueName: 'observed', connection: 'AzureWebJobsStorage', handler: observer.storageQueue })
    app.storageQueue('default-timeout', { queueName: 'observed', connection: 'AzureWebJobsStorage', handler: withLogger.storageQueue })
  })

  it('ctx.log writes through context.log / warn, ctx.deadline is functionTimeoutMs less the margin from the start', async () => {
    seen.length = 0
    const before = Date.now()
    const result = await invoke('observed', { input: { string: '{}' }, triggerMetadata: metadata('{}'), traceContext: { traceParent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', traceState: '', attributes: {} } })
    const after = Date.now()
    const lines = userLines(result)
    expect(lines.map((l) => [l.level, l.line.msg])).toEqual([
      ['information', 'charging'],
      ['warning', 'slow'],
      // The delivery's summary line (test/observability has its fields).
      ['information', 'delivery finished'],
    ])
    expect(lines[0]!.line).toMatchObject({ level: 'info', orderId: 'A1' })
    const [ctx] = seen
    expect(ctx!.deadline).toBeGreaterThanOrEqual(before + 60_000 - 500)
    expect(ctx!.deadline).toBeLessThanOrEqual(after + 60_000 - 500)
    expect(ctx!.invocation.traceparent).toBe('00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01')
  })

  it('the default deadline is 5 minutes (the Consumption plan) less 100 ms; a given logger is used instead of the context', async () => {
    seen.length = 0
    const before = Date.now()
    const result = await invoke('default-timeout', { input: { string: '{}' }, triggerMetadata: metadata('{}') })
    expect(seen[0]!.deadline - before).toBeGreaterThanOrEqual(300_000 - 100 - 5)
    expect(seen[0]!.deadline - before).toBeLessThanOrEqual(300_000 - 100 + 1_000)
    expect(userLines(result)).toEqual([])
  })
})
