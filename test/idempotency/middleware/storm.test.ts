/**
 * The duplicate storm on the memory store: 50 concurrent deliveries of one
 * event through the middleware run the handler exactly once, and every one
 * of them gets the result or an in-progress retry.
 */
import { describe, expect, it } from 'vitest'
import { createEvent, defineHandler } from 'faasade'
import { idempotent, IdempotencyInProgressError, memoryStore } from 'faasade/idempotency'
import { countingStore } from '../helpers/counting-store.js'
import { deliver, gate } from '../helpers/deliver.js'

const event = createEvent({ id: 'storm-1', source: '/queue', type: 'order.placed', data: { orderId: 'A1', amount: 5 } })

function kinds(outcomes: { outcome: { kind: string; error?: unknown; result?: unknown } }[]) {
  let results = 0
  let retries = 0
  for (const { outcome } of outcomes) {
    if (outcome.kind === 'ok' && outcome.result === 'charged once') results++
    else if (outcome.kind === 'retry' && outcome.error instanceof IdempotencyInProgressError) retries++
  }
  return { results, retries }
}

describe('duplicate storm (memory store)', () => {
  it('50 concurrent deliveries run the handler exactly once; all get the result or a retry', async () => {
    const counting = countingStore(memoryStore())
    const hold = gate()
    let runs = 0
    const handler = defineHandler({
      name: 'orders',
      use: [idempotent({ store: counting.store })],
      async handle() {
        runs++
        await hold.promise
        return 'charged once'
      },
    })
    const storm = Array.from({ length: 50 }, () => deliver(handler, event))
    await new Promise((r) => setTimeout(r, 10))
    hold.open()
    const outcomes = await Promise.all(storm)
    expect(runs).toBe(1)
    const { results, retries } = kinds(outcomes)
    expect(results + retries).toBe(50)
    expect(results).toBeGreaterThanOrEqual(1)
    expect(counting.counts.claim).toBe(50)
    expect(counting.counts.complete).toBe(1)

    // The redeliveries of the ones told to retry all get the result, from the cache.
    counting.reset()
    const redelivered = await Promise.all(Array.from({ length: retries }, () => deliver(handler, event)))
    expect(kinds(redelivered).results).toBe(retries)
    expect(counting.total()).toBe(0)
    expect(runs).toBe(1)
  })

  it('50 concurrent deliveries across 50 instances (no shared cache) still run it once', async () => {
    const store = memoryStore()
    let runs = 0
    const instances = Array.from({ length: 50 }, () =>
      defineHandler({ name: 'orders', use: [idempotent({ store, cache: false })], handle: async () => (runs++, await new Promise((r) => setTimeout(r, 1)), 'charged once') }),
    )
    const outcomes = await Promise.all(instances.map((h) => deliver(h, event)))
    expect(runs).toBe(1)
    const { results, retries } = kinds(outcomes)
    expect(results + retries).toBe(50)
  })

  it('when the one run fails, the storm is told to retry and the next wave runs it exactly once more', async () => {
    const store = memoryStore()
    let runs = 0
    let fail = true
    const handler = defineHandler({
      name: 'orders',
      use: [idempotent({ store })],
      async handle() {
        runs++
        await new Promise((r) => setTimeout(r, 1))
        if (fail) throw new Error('card processor down')
        return 'charged once'
      },
    })
    const first = await Promise.all(Array.from({ length: 50 }, () => deliver(handler, event)))
    expect(runs).toBe(1)
    expect(first.every((d) => d.outcome.kind === 'retry')).toBe(true)
    fail = false
    const second = await Promise.all(Array.from({ length: 50 }, () => deliver(handler, event)))
    expect(runs).toBe(2)
    const { results, retries } = kinds(second)
    expect(results + retries).toBe(50)
  })
})
