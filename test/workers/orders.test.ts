/**
 * The example's Worker (examples/orders/worker.ts, the service of
 * examples/orders/service.ts: a Hono app, the order.placed handler and the
 * cron sweep), bundled from the package's built output and run in workerd
 * without `nodejs_compat`: the cases issue 5 names, on the example itself.
 */
import { fileURLToPath } from 'node:url'
import type { Miniflare } from 'miniflare'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { createEvent, encodeStructured, toJsonFormat } from 'faasade'
import { buildPackage, type BuiltPackage } from './support/package.js'
import { startWorkerd, testWorker, workerScriptFrom, type TestWorker } from './support/workerd.js'

let pkg: BuiltPackage
let mf: Miniflare
let worker: TestWorker
let logs: Array<Record<string, unknown>>

const binaryHeaders = {
  'ce-specversion': '1.0',
  'ce-id': 'order-A1',
  'ce-source': '//shop.example.com/checkout',
  'ce-type': 'com.example.order.placed',
  'content-type': 'application/json',
}
const post = (headers: Record<string, string>, body: string) => mf.dispatchFetch('http://orders.example.com/', { method: 'POST', headers, body })

beforeAll(async () => {
  pkg = await buildPackage()
  const script = await workerScriptFrom(pkg, fileURLToPath(new URL('../../examples/orders/worker.ts', import.meta.url)))
  // The handler may read its Stripe key with fromEnv: on Workers a secret binding (wrangler secret put).
  ;({ mf, logs } = await startWorkerd([{ name: 'orders', script, compatibilityFlags: [], bindings: { STRIPE_API_KEY: 'sk_test_workerd' } }]))
  worker = await testWorker(mf, 'orders')
})

afterAll(async () => {
  await mf?.dispose()
  await pkg?.remove()
})

describe('the orders Worker over HTTP', () => {
  it('serves the Hono routes', async () => {
    const health = await mf.dispatchFetch('http://orders.example.com/health')
    expect(health.status).toBe(200)
    expect(await health.json()).toEqual({ ok: true })
    const order = await mf.dispatchFetch('http://orders.example.com/orders/A7')
    expect(await order.json()).toEqual({ orderId: 'A7', status: 'placed' })
  })

  it('gives a binary-mode CloudEvent to the order.placed handler', async () => {
    const response = await post(binaryHeaders, JSON.stringify({ orderId: 'A1', amount: 25 }))
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ orderId: 'A1', charged: true })
  })

  it('gives a structured-mode CloudEvent to the same handler', async () => {
    const event = createEvent({ id: 'order-A2', source: '//shop.example.com/checkout', type: 'com.example.order.placed', data: { orderId: 'A2', amount: 5 } })
    const { headers, body } = encodeStructured(event)
    const response = await post(headers, body as string)
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ orderId: 'A2', charged: true })
  })

  it('answers a malformed CloudEvent with 400 problem+json naming the missing attribute', async () => {
    const { 'ce-id': _, ...withoutId } = binaryHeaders
    const response = await post(withoutId, JSON.stringify({ orderId: 'A1', amount: 25 }))
    expect(response.status).toBe(400)
    expect(response.headers.get('content-type')).toBe('application/problem+json')
    const problem = (await response.json()) as { status: number; type: string; issues: Array<{ path?: string }> }
    expect(problem.status).toBe(400)
    expect(problem.type).toBe('https://faasade.dev/problems/invalid-cloudevent')
    expect(problem.issues.map((i) => i.path)).toContain('id')
  })

  it('answers a structured CloudEvent that is not JSON with 400 problem+json', async () => {
    const response = await post({ 'content-type': 'application/cloudevents+json' }, '{"specversion": "1.0", ')
    expect(response.status).toBe(400)
    expect(response.headers.get('content-type')).toBe('application/problem+json')
  })

  it('answers data that fails the schema with 400, and a PermanentError with 422, without a stack', async () => {
    const invalid = await post(binaryHeaders, JSON.stringify({ orderId: 'A1', amount: -3 }))
    expect(invalid.status).toBe(400)
    const problem = (await invalid.json()) as { issues: Array<{ path?: string }> }
    expect(problem.issues.map((i) => i.path)).toEqual(['amount'])
    const blocked = await post(binaryHeaders, JSON.stringify({ orderId: 'blocked', amount: 1 }))
    expect(blocked.status).toBe(422)
    expect(await blocked.text()).not.toMatch(/\n\s+at /)
  })
})

describe('the orders Worker as a queue consumer', () => {
  it("acks a placed order, retries a blocked one towards the DLQ (onDrop: 'dead-letter'), takes a CloudEvent body as is", async () => {
    const at = new Date('2026-11-24T08:00:00Z')
    const asEvent = toJsonFormat(createEvent({ id: 'e-3', source: '//shop.example.com', type: 'com.example.order.placed', data: { orderId: 'A3', amount: 3 } }))
    const result = await worker.queue('orders', [
      { id: 'q1', timestamp: at, body: { orderId: 'A1', amount: 10 }, attempts: 1 },
      { id: 'q2', timestamp: at, body: { orderId: 'blocked', amount: 10 }, attempts: 1 },
      { id: 'q3', timestamp: at, body: asEvent, attempts: 1 },
    ])
    expect([...result.explicitAcks].sort()).toEqual(['q1', 'q3'])
    expect(result.retryMessages).toEqual([{ msgId: 'q2' }])
  })
})

describe('the orders Worker: a batch of 5, message 3 rate limited (retryable), message 4 blocked (permanent)', () => {
  const at = new Date('2026-11-24T09:00:00Z')
  const order = (id: string, orderId: string) => ({ id, timestamp: at, body: { orderId, amount: 10 }, attempts: 1 })

  it("acks 1, 2 and 5; retries 3 after its retryAfterMs (3 s) and 4 with no delay, towards the DLQ (onDrop: 'dead-letter')", async () => {
    const result = await worker.queue('orders', [order('b1', 'B1'), order('b2', 'B2'), order('b3', 'rate-limited'), order('b4', 'blocked'), order('b5', 'B5')])
    expect(result.outcome).toBe('ok')
    expect(result.ackAll).toBe(false)
    expect(result.retryBatch.retry).toBe(false)
    expect([...result.explicitAcks].sort()).toEqual(['b1', 'b2', 'b5'])
    const retried = [...result.retryMessages].sort((a, b) => a.msgId.localeCompare(b.msgId))
    expect(retried).toEqual([{ msgId: 'b3', delaySeconds: 3 }, { msgId: 'b4' }])
  })
})

describe('the orders Worker: the cron trigger of wrangler.toml', () => {
  it('runs the sweep handler (scheduled.type) once, with the cron as the subject', async () => {
    const scheduledTime = new Date('2026-11-25T03:00:00.000Z')
    const result = await worker.scheduled({ cron: '0 3 * * *', scheduledTime })
    expect(result).toEqual({ outcome: 'ok', noRetry: false })
    await vi.waitFor(() =>
      expect(logs.filter((line) => line.msg === 'sweeping unpaid orders')).toEqual([
        expect.objectContaining({ level: 'info', schedule: '0 3 * * *', at: '2026-11-25T03:00:00.000Z', eventType: 'com.example.orders.sweep' }),
      ]),
      { timeout: 10_000 },
    )
  })
})

