/**
 * A handler that reads a Worker's bindings, tested with `invoke` alone: the
 * test hands `invoke` the provider's facts (its name, `env`, raw input,
 * request id) as the Workers adapter would.
 */
import { describe, expect, it } from 'vitest'
import { defineHandler } from 'faasade'
import { workerEnv, workerRaw } from 'faasade/cloudflare-workers'
import { invoke } from 'faasade/testing'

interface Env {
  ORDERS: { put(key: string, value: string): Promise<void> }
}

const placed = defineHandler({
  type: 'com.example.order.placed',
  async handle(event, ctx) {
    await workerEnv<Env>(ctx).ORDERS.put(String((event.data as { orderId: string }).orderId), 'placed')
    return { requestId: ctx.invocation.requestId }
  },
})

describe('invoke with a provider, env and invocation facts', () => {
  it('runs a handler that reads its bindings with workerEnv(ctx)', async () => {
    const kv = new Map<string, string>()
    const env: Env = { ORDERS: { put: async (key, value) => void kv.set(key, value) } }
    const run = await invoke(placed, { type: 'com.example.order.placed', data: { orderId: 'A1' } }, { provider: 'cloudflare-workers', env, invocation: { requestId: 'ray-1' } })
    expect(run).toMatchObject({ ok: true, result: { requestId: 'ray-1' } })
    expect(kv.get('A1')).toBe('placed')
  })

  it('without them, fails with the ConfigurationError that says what is missing (as the cause of the internal error)', async () => {
    const run = await invoke(placed, { type: 'com.example.order.placed', data: { orderId: 'A1' } })
    expect(run.ok).toBe(false)
    expect(!run.ok && run.error.cause).toMatchObject({ name: 'ConfigurationError', message: expect.stringMatching(/workerEnv: this event came from "test"/) })
  })

  it("reaches the execution context through workerRaw(ctx) when the test passes it as raw", async () => {
    let passed = 0
    const handler = defineHandler({ handle: (_event, ctx) => workerRaw(ctx).executionContext.passThroughOnException?.() })
    const executionContext = { waitUntil() {}, passThroughOnException: () => void passed++ }
    const run = await invoke(handler, {}, { provider: 'cloudflare-workers', raw: { env: {}, executionContext }, env: {} })
    expect(run.ok).toBe(true)
    expect(passed).toBe(1)
  })
})
