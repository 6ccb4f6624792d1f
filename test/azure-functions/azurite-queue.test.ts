/**
 * Round trips through a real Storage queue (azurite): messages sent
 * base64-encoded, received, handed to the function through the library's
 * ProgrammingModel, and settled by what the invocation did, as the host's
 * queue listener settles them (support/azurite-queue.ts).
 */
import './support/host.js'
import { app } from '@azure/functions'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createLogger, createEvent, defineHandler, PermanentError, RetryableError, toJsonFormat } from 'faasade'
import { toAzureFunctions } from 'faasade/azure-functions'
import { invoke } from './support/host.js'
import { pollOnce, startAzuriteQueues, type AzuriteQueues } from './support/azurite-queue.js'

const MAX_DEQUEUE_COUNT = 3
const quiet = createLogger({ sink: () => {} })
const attempts: { id: string; attempt: number | undefined; data: unknown }[] = []
const handler = defineHandler({
  handle(event, ctx) {
    attempts.push({ id: event.id, attempt: ctx.attempt, data: event.data })
    const data = event.data as { failUntil?: number; drop?: boolean }
    if (data.drop) throw new PermanentError('order refused')
    if (data.failUntil !== undefined && (ctx.attempt ?? 1) < data.failUntil) throw new RetryableError('stock service down')
  },
})
const deadLetter = toAzureFunctions(handler, { onDrop: 'dead-letter', log: quiet })
const ack = toAzureFunctions(handler, { onDrop: 'ack', log: quiet })

let queues: AzuriteQueues
beforeAll(async () => {
  queues = await startAzuriteQueues()
  for (const queue of ['orders', 'orders-poison', 'refunds', 'refunds-poison']) await queues.create(queue)
  app.storageQueue('orders', { queueName: 'orders', connection: 'AzureWebJobsStorage', handler: deadLetter.storageQueue })
  app.storageQueue('refunds', { queueName: 'refunds', connection: 'AzureWebJobsStorage', handler: ack.storageQueue })
})
afterAll(() => queues?.stop())

const poll = (queue: string) => pollOnce(queues, queue, (input, triggerMetadata) => invoke(queue, { input, triggerMetadata }), MAX_DEQUEUE_COUNT)

describe('a real queue (azurite)', () => {
  it('a retry comes back with the next dequeue count as ctx.attempt, and the success deletes it', async () => {
    attempts.length = 0
    await queues.send('orders', JSON.stringify({ orderId: 'A1', failUntil: 2 }))
    const first = await poll('orders')
    const second = await poll('orders')
    expect([first?.settled, second?.settled]).toEqual(['released', 'deleted'])
    expect(attempts.map((a) => a.attempt)).toEqual([1, 2])
    expect(attempts[0]!.id).toBe(first!.message.id)
    expect(attempts[0]!.data).toEqual({ orderId: 'A1', failUntil: 2 })
    expect(await queues.receive('orders')).toBeUndefined()
  })

  it("onDrop 'dead-letter': a dropped message is failed each time, and reaches orders-poison after maxDequeueCount", async () => {
    attempts.length = 0
    const event = createEvent({ id: 'order-B2', source: '/shop', type: 'com.example.order.placed', data: { orderId: 'B2', drop: true } })
    const text = JSON.stringify(toJsonFormat(event))
    await queues.send('orders', text)
    const settled = []
    for (let i = 0; i < MAX_DEQUEUE_COUNT; i++) settled.push((await poll('orders'))?.settled)
    expect(settled).toEqual(['released', 'released', 'poisoned'])
    // The structured CloudEvent body was unwrapped each time: its own id, the dequeue count as attempt.
    expect(attempts).toEqual([1, 2, 3].map((attempt) => ({ id: 'order-B2', attempt, data: { orderId: 'B2', drop: true } })))
    expect(await queues.receive('orders')).toBeUndefined()
    expect((await queues.receive('orders-poison'))?.text).toBe(text)
  })

  it("onDrop 'ack': a dropped message is deleted at once, nothing in the poison queue", async () => {
    attempts.length = 0
    await queues.send('refunds', JSON.stringify({ refundId: 'R1', drop: true }))
    expect((await poll('refunds'))?.settled).toBe('deleted')
    expect(attempts).toHaveLength(1)
    expect(await queues.receive('refunds')).toBeUndefined()
    expect(await queues.receive('refunds-poison')).toBeUndefined()
  })
})
