// The `now` option and the invocation deadline: the deadline is real time,
// `now` may be a test's clock far from it. A lease is worked out on one clock
// (the injected one), with the time the invocation has left.
import { describe, expect, it } from 'vitest'
import { createEvent, defineHandler, TimeoutError } from 'faasade'
import { idempotent, memoryStore, type IdempotencyRecord, type IdempotencyStore } from 'faasade/idempotency'
import { virtualClock } from '../helpers/counting-store.js'
import { deliver, gate } from '../helpers/deliver.js'

const YEAR = 365 * 24 * 3600_000
const order = (id = 'evt-1') => createEvent({ id, source: '/orders', type: 'com.example.order.placed', data: { orderId: 'A1' } })

function spying() {
  const inner = memoryStore()
  const claims: IdempotencyRecord[] = []
  const store: IdempotencyStore = { ...inner, name: 'memory', claim: (record, now) => (claims.push(record), inner.claim(record, now)) }
  return { store, claims }
}

describe('idempotent: the injected clock and the deadline', () => {
  it('runs with a clock far ahead of real time, and the lease ends with the invocation on that clock', async () => {
    const now = () => Date.now() + 10 * YEAR
    const { store, claims } = spying()
    let runs = 0
    const handler = defineHandler({ name: 'orders', use: [idempotent({ store, now, lease: 600_000 })], handle: () => ++runs })
    const before = now()
    const first = await deliver(handler, order(), { deadline: Date.now() + 30_000 })
    expect(first.outcome).toEqual({ kind: 'ok', result: 1 })
    // About 30 s from the injected now, not the real deadline (which is ten years behind it).
    expect(claims[0]!.expiresAt - before).toBeGreaterThan(25_000)
    expect(claims[0]!.expiresAt - before).toBeLessThanOrEqual(30_000 + 1_000)
    expect((await deliver(handler, order(), { deadline: Date.now() + 30_000 })).outcome).toEqual({ kind: 'ok', result: 1 })
    expect(runs).toBe(1)
  })

  it('with a clock far behind real time, still ends the lease at the deadline, not after the whole lease', async () => {
    const now = () => Date.now() - 10 * YEAR
    const { store, claims } = spying()
    const handler = defineHandler({ name: 'orders', use: [idempotent({ store, now, lease: 600_000 })], handle: () => 'ok' })
    const before = now()
    expect((await deliver(handler, order(), { deadline: Date.now() + 5_000 })).outcome).toEqual({ kind: 'ok', result: 'ok' })
    expect(claims[0]!.expiresAt - before).toBeGreaterThan(1_000) // and nowhere near the 600 s lease
    expect(claims[0]!.expiresAt - before).toBeLessThanOrEqual(5_000 + 1_000)
  })

  it('lets a test move its clock past a crashed claim’s lease: the redelivery runs, with a deadline', async () => {
    const clock = virtualClock(Date.now())
    const store = memoryStore()
    let runs = 0
    const use = [idempotent({ store, now: clock.now, lease: 30_000 })] as const
    const started = gate()
    const crashing = defineHandler({ name: 'orders', use, handle: () => (started.open(), new Promise(() => {})) })
    const handler = defineHandler({ name: 'orders', use, handle: () => ++runs })
    void deliver(crashing, order(), { deadline: Date.now() + 60_000 })
    await started.promise
    clock.advance(30_001)
    const redelivery = await deliver(handler, order(), { deadline: Date.now() + 10_000 })
    expect(redelivery.outcome).toEqual({ kind: 'ok', result: 1 })
  })

  it('still refuses to run when the deadline passes while the key is claimed', async () => {
    const now = () => Date.now() + 10 * YEAR
    let runs = 0
    const inner = memoryStore()
    const slow: IdempotencyStore = {
      ...inner,
      name: 'memory',
      claim: async (record, at) => {
        const result = await inner.claim(record, at)
        await new Promise((resolve) => setTimeout(resolve, 60))
        return result
      },
    }
    const tight = defineHandler({ name: 'tight', use: [idempotent({ store: slow, now })], handle: () => ++runs })
    const d = await deliver(tight, order(), { deadline: Date.now() + 30 })
    expect(d.outcome.kind).toBe('retry')
    expect((d.outcome as { error?: unknown }).error).toBeInstanceOf(TimeoutError)
    expect(runs).toBe(0)
  })
})
