/**
 * The example's Azure entry (examples/orders/azure/index.ts: the orders
 * service, registered with the real `app`) invoked as the host would: its
 * HTTP API, a CloudEvent over HTTP, an order message on the `orders` queue
 * and the sweep timer.
 */
import './support/host.js'
import { beforeAll, describe, expect, it } from 'vitest'
import { encodeBinary, createEvent } from 'faasade'
import { bindingsOf, invoke, type RpcTypedData } from './support/host.js'
import { httpReply } from './helpers.js'

beforeAll(async () => {
  // The handler reads its Stripe key with fromEnv: on Azure an app setting.
  process.env.STRIPE_API_KEY = 'sk_test_azure'
  await import('../../examples/orders/azure/index.js')
})

const queueMetadata = (id: string, dequeueCount = 1): Record<string, RpcTypedData> => ({
  Id: { json: JSON.stringify(id) },
  DequeueCount: { json: String(dequeueCount) },
  InsertionTime: { json: '"2026-12-07T09:30:12+00:00"' },
  PopReceipt: { json: '"AgAAAAMAAAAAAAAAcS1Nq5gG3QE="' },
})

describe('the orders function app', () => {
  it('registers three functions: api (http, every path), orders (queue), sweep (timer)', () => {
    expect(Object.values(bindingsOf('api'))).toContainEqual(expect.objectContaining({ type: 'httpTrigger', route: '{*path}' }))
    expect(Object.values(bindingsOf('orders'))).toContainEqual(expect.objectContaining({ type: 'queueTrigger', queueName: 'orders' }))
    expect(Object.values(bindingsOf('sweep'))).toContainEqual(expect.objectContaining({ type: 'timerTrigger', schedule: '0 */15 * * * *' }))
  })

  it('serves the Hono routes', async () => {
    const reply = httpReply(await invoke('api', { input: { http: { method: 'GET', url: 'https://orders.azurewebsites.net/orders/A7', headers: {} } } }))
    expect(reply.statusCode).toBe('200')
    expect(JSON.parse(reply.text)).toEqual({ orderId: 'A7', status: 'placed' })
  })

  it('gives a binary-mode CloudEvent to the order.placed handler', async () => {
    const { headers, body } = encodeBinary(createEvent({ id: 'order-A1', source: '//shop.example.com/checkout', type: 'com.example.order.placed', datacontenttype: 'application/json', data: { orderId: 'A1', amount: 25 } }))
    const reply = httpReply(await invoke('api', { input: { http: { method: 'POST', url: 'https://orders.azurewebsites.net/', headers, body: { bytes: Buffer.from(body as string) } } } }))
    expect(reply.statusCode).toBe('200')
    expect(JSON.parse(reply.text)).toEqual({ orderId: 'A1', charged: true })
  })

  it('charges a plain order message from the queue; a blocked one fails its invocation (to orders-poison)', async () => {
    const placed = await invoke('orders', { input: { string: '{"orderId":"Q1","amount":12}' }, triggerMetadata: queueMetadata('5e1d8f0a-0001-4c2b-9a7e-3b2c1d0e9f8a') })
    expect(placed.ok).toBe(true)
    const blocked = await invoke('orders', { input: { string: '{"orderId":"blocked","amount":12}' }, triggerMetadata: queueMetadata('5e1d8f0a-0002-4c2b-9a7e-3b2c1d0e9f8a', 5) })
    expect(blocked.ok).toBe(false)
  })

  it('runs the sweep on each tick', async () => {
    const tick = { json: JSON.stringify({ Schedule: { AdjustForDST: true }, ScheduleStatus: { Last: '2026-12-07T09:00:00+00:00', Next: '2026-12-07T09:15:00+00:00', LastUpdated: '2026-12-07T09:00:00.4+00:00' }, IsPastDue: false }) }
    const result = await invoke('sweep', { input: tick })
    expect(result.ok).toBe(true)
    const lines = result.logs.filter((l) => l.category === 'user').map((l) => JSON.parse(l.message) as { msg: string; at?: string })
    expect(lines).toContainEqual(expect.objectContaining({ msg: 'sweeping unpaid orders', at: '2026-12-07T09:15:00.000Z' }))
  })
})
