/**
 * The Service Bus trigger (queue and topic subscription) through the
 * library's ProgrammingModel, with the metadata the host sends (PascalCase
 * RPC data, camelCased by the library). The host settles the message by the
 * invocation: completed, or abandoned for redelivery (then dead-lettered at
 * the entity's max delivery count).
 */
import './support/host.js'
import { app } from '@azure/functions'
import { beforeAll, describe, expect, it } from 'vitest'
import { createEvent, createLogger, PermanentError, RetryableError, toJsonFormat } from 'faasade'
import { SERVICE_BUS_TYPE, serviceBusSource, toAzureFunctions } from 'faasade/azure-functions'
import { recordingHandler } from './helpers.js'
import { bindingsOf, invoke, type RpcTypedData } from './support/host.js'

const MESSAGE_ID = '7c2e4b1a9f3d4e5c8b6a0d1e2f3a4b5c'
const json = (value: unknown): RpcTypedData => ({ json: JSON.stringify(value) })
function metadata(deliveryCount = 1, entityPath = 'orders'): Record<string, RpcTypedData> {
  return {
    MessageReceiver: json({ RegisteredPlugins: [], ReceiveMode: 0, PrefetchCount: 0, Path: entityPath, IsClosedOrClosing: false }),
    DeliveryCount: json(deliveryCount),
    LockToken: json('00000000-0000-0000-0000-000000000000'),
    ExpiresAtUtc: json('2026-12-21T09:30:12.775Z'),
    EnqueuedTimeUtc: json('2026-12-07T09:30:12.775Z'),
    MessageId: json(MESSAGE_ID),
    ContentType: json('application/json'),
    SequenceNumber: json(42),
    UserProperties: json({ $AzureWebJobsParentId: '1f2e3d4c-5b6a-4987-8a6b-5c4d3e2f1a0b', Tenant: 'north' }),
  }
}

const recorder = recordingHandler()
const quiet = createLogger({ sink: () => {} })
const ack = toAzureFunctions(recorder.handler, { onDrop: 'ack', log: quiet })
const deadLetter = toAzureFunctions(recorder.handler, { onDrop: 'dead-letter', log: quiet, serviceBus: { type: (_m, meta, entity) => `com.example.${entity.replace(/\//g, '.')}.${meta.sequenceNumber}` } })

beforeAll(() => {
  app.serviceBusQueue('sb-orders', { queueName: 'orders', connection: 'ServiceBusConnection', handler: ack.serviceBus })
  app.serviceBusQueue('sb-batch', { queueName: 'orders', connection: 'ServiceBusConnection', cardinality: 'many', handler: ack.serviceBus })
  app.serviceBusTopic('sb-billing', { topicName: 'orders', subscriptionName: 'billing', connection: 'ServiceBusConnection', handler: deadLetter.serviceBus })
})

const send = (fn: string, input: RpcTypedData, deliveryCount = 1) => invoke(fn, { input, triggerMetadata: metadata(deliveryCount) })

describe('a Service Bus message is a CloudEvent', () => {
  it('registers as serviceBusTrigger bindings (queue and topic)', () => {
    expect(Object.values(bindingsOf('sb-orders'))).toContainEqual(expect.objectContaining({ type: 'serviceBusTrigger', queueName: 'orders' }))
    expect(Object.values(bindingsOf('sb-billing'))).toContainEqual(expect.objectContaining({ type: 'serviceBusTrigger', topicName: 'orders', subscriptionName: 'billing' }))
  })

  it('messageId as id, the queue as source, enqueuedTimeUtc as time, the body as data, deliveryCount as ctx.attempt', async () => {
    recorder.seen.length = 0
    expect((await send('sb-orders', json({ orderId: 'A1' }), 2)).ok).toBe(true)
    const [{ event, ctx }] = recorder.seen as [(typeof recorder.seen)[0]]
    expect({ ...event }).toEqual({
      specversion: '1.0',
      id: MESSAGE_ID,
      source: serviceBusSource('orders'),
      type: SERVICE_BUS_TYPE,
      time: '2026-12-07T09:30:12.775Z',
      datacontenttype: 'application/json',
      data: { orderId: 'A1' },
    })
    expect(ctx.attempt).toBe(2)
    const raw = ctx.provider.raw as { context: { triggerMetadata: Record<string, unknown> } }
    expect(raw.context.triggerMetadata).toMatchObject({ messageId: MESSAGE_ID, sequenceNumber: 42, userProperties: { tenant: 'north' } })
  })

  it('a topic subscription is its own source; the serviceBus.type option gets the entity and metadata', async () => {
    recorder.seen.length = 0
    await send('sb-billing', { string: 'invoice 17' })
    expect(recorder.seen[0]!.event).toMatchObject({ source: '//servicebus.azure.com/orders/subscriptions/billing', type: 'com.example.orders.subscriptions.billing.42', datacontenttype: 'text/plain', data: 'invoice 17' })
  })

  it('a structured CloudEvent body passes through', async () => {
    recorder.seen.length = 0
    const inner = createEvent({ id: 'order-C3', source: '/shop', type: 'com.example.order.placed', data: { orderId: 'C3' } })
    await send('sb-orders', json(toJsonFormat(inner)), 3)
    expect({ ...recorder.seen[0]!.event }).toEqual({ ...inner })
    expect(recorder.seen[0]!.ctx.attempt).toBe(3)
  })
})

describe('outcomes: the host settles by the invocation', () => {
  it('ok completes; retry fails it (abandoned, redelivered) with the handler’s error', async () => {
    expect((await send('sb-orders', json({ n: 1 }))).ok).toBe(true)
    const retry = await send('sb-orders', json({ fail: 'retry' }))
    expect(retry.ok).toBe(false)
    expect((retry as { error: unknown }).error).toBeInstanceOf(RetryableError)
  })

  it("a drop completes under onDrop 'ack', fails under 'dead-letter' (dead-lettered at the max delivery count)", async () => {
    expect((await send('sb-orders', json({ fail: 'permanent' }))).ok).toBe(true)
    const dropped = await send('sb-billing', json({ fail: 'permanent' }), 10)
    expect(dropped.ok).toBe(false)
    expect((dropped as { error: unknown }).error).toBeInstanceOf(PermanentError)
  })
})

describe('a batch (cardinality many) and what a message carries besides its body', () => {
  // The host's batch metadata: each member an array, its name suffixed Array.
  const batchMetadata = (ids: string[]): Record<string, RpcTypedData> => ({
    MessageIdArray: json(ids),
    DeliveryCountArray: json(ids.map((_, i) => i + 1)),
    EnqueuedTimeUtcArray: json(ids.map(() => '2026-12-07T09:30:12.775Z')),
    SequenceNumberArray: json(ids.map((_, i) => 50 + i)),
    CorrelationIdArray: json(ids.map((id) => `corr-${id}`)),
    SessionIdArray: json(ids.map(() => null)),
    UserPropertiesArray: json(ids.map(() => ({}))),
  })

  it('one event a message, each with its own metadata; the invocation fails when any fails (the host abandons the batch)', async () => {
    recorder.seen.length = 0
    const ok = await invoke('sb-batch', { input: json([{ n: 1 }, { n: 2 }]), triggerMetadata: batchMetadata(['b-1', 'b-2']) })
    expect(ok.ok).toBe(true)
    expect(recorder.seen.map(({ event, ctx }) => [event.id, ctx.attempt, event.correlationid])).toEqual([
      ['b-1', 1, 'corr-b-1'],
      ['b-2', 2, 'corr-b-2'],
    ])
    const failed = await invoke('sb-batch', { input: json([{ n: 3 }, { fail: 'retry' }]), triggerMetadata: batchMetadata(['b-3', 'b-4']) })
    expect(failed.ok).toBe(false)
  })

  it('correlationId and sessionId as extensions; a CloudEvent in the AMQP binding (cloudEvents_ properties) passes through', async () => {
    recorder.seen.length = 0
    const carried = { ...metadata(), CorrelationId: json('corr-1'), SessionId: json('cart-7'), UserProperties: json({ cloudEvents_specversion: '1.0', cloudEvents_id: 'evt-1', cloudEvents_source: '/shop', cloudEvents_type: 'com.example.order.placed' }) }
    await invoke('sb-orders', { input: json({ orderId: 'D4' }), triggerMetadata: carried })
    expect({ ...recorder.seen[0]!.event }).toEqual({ specversion: '1.0', id: 'evt-1', source: '/shop', type: 'com.example.order.placed', datacontenttype: 'application/json', data: { orderId: 'D4' } })
    recorder.seen.length = 0
    await invoke('sb-orders', { input: json({ orderId: 'D5' }), triggerMetadata: { ...metadata(), CorrelationId: json('corr-2'), SessionId: json('cart-8') } })
    expect(recorder.seen[0]!.event).toMatchObject({ id: MESSAGE_ID, correlationid: 'corr-2', sessionid: 'cart-8' })
  })
})
