/**
 * Service Bus settled message by message: a trigger registered with
 * `sdkBinding: true` and `autoCompleteMessages: false`, driven through the
 * library's ProgrammingModel as the host drives it. The host sends each
 * message as model binding data (`collectionModelBindingData` for a batch),
 * and the library hands it to the factory that
 * `@azure/functions-extensions-servicebus` registers for the source
 * `AzureServiceBusReceivedMessage`, through `@azure/functions-extensions-base`.
 *
 * What cannot run here is that extension's inside: it decodes the AMQP
 * message the host wrote and settles over the host's gRPC settlement
 * service, and no Service Bus emulator or host runs in this workplace. So
 * the factory registered here is a stand-in with the extension's
 * documented shapes (`ServiceBusMessageContext`: `messages`, `actions`
 * with `complete(message)`, `abandon(message, propertiesToModify?)`,
 * `deadletter(message, propertiesToModify?, deadletterReason?,
 * deadletterErrorDescription?)`): it reads each message from JSON instead
 * of AMQP, with the body as the bytes a producer sent, and records the
 * settlement calls instead of sending them.
 */
import './support/host.js'
import { app } from '@azure/functions'
import type { ModelBindingData, ResourceFactoryResolver as Resolver } from '@azure/functions-extensions-base'
import { createRequire } from 'node:module'
import { beforeAll, describe, expect, it } from 'vitest'
import { createEvent, createLogger, defineHandler, PermanentError, RetryableError, toJsonFormat } from 'faasade'
import { SERVICE_BUS_TYPE, serviceBusSource, toAzureFunctions } from 'faasade/azure-functions'
import { bindingsOf, invoke, type RpcModelBindingData } from './support/host.js'

interface WireMessage {
  body: string
  messageId: string
  contentType?: string
  deliveryCount: number
  enqueuedTimeUtc: string
  sequenceNumber: number
  sessionId?: string
  correlationId?: string
  applicationProperties?: Record<string, unknown>
}

const SOURCE = 'AzureServiceBusReceivedMessage'
const calls: { action: string; messageId: unknown; reason?: string; description?: string }[] = []
let failComplete = false

// The CommonJS instance, the one @azure/functions requires (the package's ESM build is another, with its own registry).
const { ResourceFactoryResolver } = createRequire(import.meta.url)('@azure/functions-extensions-base') as { ResourceFactoryResolver: typeof Resolver }
// The stand-in for the extension's factory (see the comment at the top).
ResourceFactoryResolver.getInstance().registerResourceFactory(SOURCE, (data: ModelBindingData | ModelBindingData[]) => {
  const decode = (one: ModelBindingData) => {
    const wire = JSON.parse(Buffer.from(one.content!).toString('utf8')) as WireMessage
    return { ...wire, body: Buffer.from(wire.body, 'utf8'), enqueuedTimeUtc: new Date(wire.enqueuedTimeUtc), lockToken: `lock-${wire.messageId}` }
  }
  const messages = Array.isArray(data) ? data.map(decode) : [decode(data)]
  const record = (action: string) => async (message: { messageId: unknown }, _props?: Uint8Array, reason?: string, description?: string) => {
    if (action === 'complete' && failComplete) throw new Error('MessageLockLost: the lock supplied is invalid')
    calls.push({ action, messageId: message.messageId, ...(reason === undefined ? {} : { reason, description }) })
  }
  return { messages, actions: { complete: record('complete'), abandon: record('abandon'), deadletter: record('deadletter'), defer: record('defer'), renewMessageLock: record('renew') } }
})

const wire = (message: Partial<WireMessage> & { body: string; messageId: string }): RpcModelBindingData => ({
  version: '1.0',
  source: SOURCE,
  contentType: 'application/octet-stream',
  content: Buffer.from(JSON.stringify({ deliveryCount: 1, enqueuedTimeUtc: '2026-12-07T09:30:12.775Z', sequenceNumber: 7, contentType: 'application/json', ...message })),
})
const batch = (...messages: RpcModelBindingData[]) => ({ collectionModelBindingData: { modelBindingData: messages } })

const seen: { id: string; data: unknown; attempt: number | undefined; datacontenttype?: string; extensions: Record<string, unknown> }[] = []
const handler = defineHandler({
  handle(event, ctx) {
    const { id, data, datacontenttype, ...rest } = event
    seen.push({ id, data, attempt: ctx.attempt, datacontenttype, extensions: rest })
    const fail = (data as { fail?: string } | null)?.fail
    if (fail === 'retry') throw new RetryableError(`busy ${id}`)
    if (fail === 'permanent') throw new PermanentError(`no such customer in ${id}`)
  },
})
const quiet = createLogger({ sink: () => {} })
const lines: Record<string, unknown>[] = []
const recording = createLogger({ sink: (line) => lines.push(JSON.parse(line) as Record<string, unknown>) })

beforeAll(() => {
  const deadLetter = toAzureFunctions(handler, { log: recording })
  const ack = toAzureFunctions(handler, { onDrop: 'ack', log: quiet })
  const common = { connection: 'ServiceBusConnection', sdkBinding: true, autoCompleteMessages: false, cardinality: 'many' as const }
  app.serviceBusQueue('sb-settled', { ...common, queueName: 'orders', handler: deadLetter.serviceBus })
  app.serviceBusTopic('sb-settled-ack', { ...common, topicName: 'orders', subscriptionName: 'audit', handler: ack.serviceBus })
})

const send = (fn: string, input: ReturnType<typeof batch>) => invoke(fn, { input, triggerMetadata: {} })

describe('a Service Bus trigger with sdkBinding settles each message by its outcome', () => {
  it('registers with deferred binding and auto-complete off', () => {
    const trigger = Object.values(bindingsOf('sb-settled')).find((b) => b.type === 'serviceBusTrigger')
    expect(trigger).toMatchObject({ sdkBinding: true, autoCompleteMessages: false, cardinality: 'many', properties: { supportsDeferredBinding: 'true' } })
  })

  it('each received message is a CloudEvent: body bytes parsed by their content type, delivery count as ctx.attempt', async () => {
    seen.length = 0
    calls.length = 0
    const result = await send(
      'sb-settled',
      batch(
        wire({ messageId: 'm-1', body: '{"orderId":"A1"}', deliveryCount: 2, correlationId: 'c-9', sessionId: 'cart-4' }),
        wire({ messageId: 'm-2', body: 'plain words', contentType: 'text/plain' }),
        wire({ messageId: 'm-3', body: 'AAEC', contentType: 'application/octet-stream' }),
      ),
    )
    expect(result.ok).toBe(true)
    expect(seen[0]).toEqual({
      id: 'm-1',
      data: { orderId: 'A1' },
      attempt: 2,
      datacontenttype: 'application/json',
      extensions: { specversion: '1.0', source: serviceBusSource('orders'), type: SERVICE_BUS_TYPE, time: '2026-12-07T09:30:12.775Z', correlationid: 'c-9', sessionid: 'cart-4' },
    })
    expect(seen[1]).toMatchObject({ id: 'm-2', data: 'plain words', datacontenttype: 'text/plain' })
    expect(seen[2]).toMatchObject({ id: 'm-3', datacontenttype: 'application/octet-stream' })
    expect(seen[2]!.data).toBeInstanceOf(Uint8Array)
    expect(calls).toEqual([
      { action: 'complete', messageId: 'm-1' },
      { action: 'complete', messageId: 'm-2' },
      { action: 'complete', messageId: 'm-3' },
    ])
  })

  it('ok completes, retry abandons, a drop is dead-lettered at once with its reason; the invocation succeeds', async () => {
    calls.length = 0
    lines.length = 0
    const result = await send(
      'sb-settled',
      batch(wire({ messageId: 'ok-1', body: '{"n":1}' }), wire({ messageId: 'retry-1', body: '{"fail":"retry"}' }), wire({ messageId: 'drop-1', body: '{"fail":"permanent"}' }), wire({ messageId: 'ok-2', body: '{"n":2}' })),
    )
    expect(result.ok).toBe(true)
    expect(calls).toEqual([
      { action: 'complete', messageId: 'ok-1' },
      { action: 'abandon', messageId: 'retry-1' },
      { action: 'deadletter', messageId: 'drop-1', reason: 'PermanentError', description: 'no such customer in drop-1' },
      { action: 'complete', messageId: 'ok-2' },
    ])
    expect(lines).toContainEqual(expect.objectContaining({ level: 'error', msg: 'Service Bus message dead-lettered', itemId: 'drop-1', errorName: 'PermanentError' }))
  })

  it('a message that is no CloudEvent (a structured body that is not valid) is dead-lettered, not retried', async () => {
    calls.length = 0
    await send('sb-settled', batch(wire({ messageId: 'bad-1', body: JSON.stringify({ specversion: '1.0', id: '' }) })))
    expect(calls).toEqual([expect.objectContaining({ action: 'deadletter', messageId: 'bad-1', reason: 'InvalidEventError' })])
  })

  it("under onDrop 'ack' a drop is completed", async () => {
    calls.length = 0
    await send('sb-settled-ack', batch(wire({ messageId: 'drop-2', body: '{"fail":"permanent"}' }), wire({ messageId: 'retry-2', body: '{"fail":"retry"}' })))
    expect(calls).toEqual([
      { action: 'complete', messageId: 'drop-2' },
      { action: 'abandon', messageId: 'retry-2' },
    ])
  })

  it('CloudEvents pass through: the AMQP binding (cloudEvents_ properties) and a structured body', async () => {
    seen.length = 0
    const structured = createEvent({ id: 'evt-7', source: '/shop', type: 'com.example.order.placed', data: { orderId: 'B7' } })
    await send(
      'sb-settled',
      batch(
        wire({ messageId: 'amqp-1', body: '{"orderId":"B6"}', applicationProperties: { cloudEvents_specversion: '1.0', cloudEvents_id: 'evt-6', cloudEvents_source: '/shop', cloudEvents_type: 'com.example.order.placed', 'cloudEvents:tenant': 'north' } }),
        wire({ messageId: 'structured-1', body: JSON.stringify(toJsonFormat(structured)), contentType: 'application/cloudevents+json' }),
      ),
    )
    expect(seen[0]).toMatchObject({ id: 'evt-6', data: { orderId: 'B6' }, datacontenttype: 'application/json', extensions: { source: '/shop', type: 'com.example.order.placed', tenant: 'north' } })
    expect(seen[1]).toMatchObject({ id: 'evt-7', data: { orderId: 'B7' }, extensions: { source: '/shop' } })
  })

  it('a settlement call that fails is logged and fails the invocation (the message returns when its lock expires)', async () => {
    lines.length = 0
    failComplete = true
    try {
      const result = await send('sb-settled', batch(wire({ messageId: 'lost-1', body: '{"n":3}' })))
      expect(result.ok).toBe(false)
    } finally {
      failComplete = false
    }
    expect(lines).toContainEqual(expect.objectContaining({ level: 'error', msg: 'Service Bus settlement failed: the message comes back when its lock expires', itemId: 'lost-1', settlement: 'complete' }))
  })
})
