/**
 * makeIdempotent: the middleware's guard around any async function, keyed
 * by its arguments; here on the memory store (the stores' own tests run the
 * shared contract on real servers; the DynamoDB port runs this on dynalite).
 */
import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import { ConfigurationError, createLogger } from 'faasade'
import { IdempotencyInProgressError, IdempotencyKeyMissingError, IdempotencyKeyReusedError, makeIdempotent, memoryStore } from 'faasade/idempotency'
import { countingStore, virtualClock } from '../helpers/counting-store.js'
import { gate } from '../helpers/deliver.js'

const quiet = createLogger({ sink: () => {} })

describe('makeIdempotent', () => {
  it('runs a function once per key and replays the JSON round trip of its result', async () => {
    let runs = 0
    const create = makeIdempotent(async (order: { id: string; amount: number }) => ({ n: ++runs, at: new Date(0) }), {
      name: 'create',
      key: (order) => order.id,
      log: quiet,
    })
    expect(await create({ id: 'a', amount: 1 })).toEqual({ n: 1, at: new Date(0) })
    expect(await create({ id: 'a', amount: 1 })).toEqual({ n: 1, at: '1970-01-01T00:00:00.000Z' })
    expect(await create({ id: 'b', amount: 1 })).toEqual({ n: 2, at: new Date(0) })
    expect(runs).toBe(2)
  })

  it('keys on the first argument, whole, by default, and a throw leaves no record', async () => {
    let runs = 0
    const charge = makeIdempotent(async function charge(body: { user: string; cents: number }) {
      runs++
      if (body.cents < 0) throw new Error('negative')
      return runs
    }, { log: quiet })
    expect(await charge({ cents: 5, user: 'u' })).toBe(1)
    expect(await charge({ user: 'u', cents: 5 })).toBe(1) // same data, other key order
    await expect(charge({ user: 'u', cents: -1 })).rejects.toThrow('negative')
    await expect(charge({ user: 'u', cents: -1 })).rejects.toThrow('negative')
    expect(runs).toBe(3)
    await expect(charge(undefined as never)).rejects.toBeInstanceOf(IdempotencyKeyMissingError)
  })

  it('tells a concurrent call with the key to retry, and checks the payload when asked', async () => {
    const held = gate()
    const slow = makeIdempotent(async (id: string, amount: number) => (await held.promise, amount), {
      name: 'slow',
      key: (id) => id,
      payload: (_id, amount) => amount,
      log: quiet,
    })
    const first = slow('k', 5)
    await expect(slow('k', 5)).rejects.toBeInstanceOf(IdempotencyInProgressError)
    held.open()
    expect(await first).toBe(5)
    expect(await slow('k', 5)).toBe(5)
    await expect(slow('k', 6)).rejects.toBeInstanceOf(IdempotencyKeyReusedError)
  })

  it('bounds the lease by the deadline the caller passes', async () => {
    const clock = virtualClock()
    const counting = countingStore(memoryStore())
    const claims: number[] = []
    const store = { ...counting.store, claim: (record: Parameters<typeof counting.store.claim>[0], now: number) => (claims.push(record.expiresAt - now), counting.store.claim(record, now)) }
    const fn = makeIdempotent(async (_id: string, deadline: number) => 'ok', {
      name: 'bounded',
      store,
      now: clock.now,
      lease: '5m',
      key: (id) => id,
      deadline: (_id, deadline) => deadline,
      log: quiet,
    })
    await fn('a', Date.now() + 10_000)
    await fn('b', Infinity)
    expect(claims[0]).toBeGreaterThan(9_000)
    expect(claims[0]).toBeLessThanOrEqual(10_000)
    expect(claims[1]).toBe(300_000)
  })

  it('refuses bad options when defined, with a hint for a typo', () => {
    expect(() => makeIdempotent(async () => 1)).toThrow(/anonymous function needs a name/)
    expect(() => makeIdempotent(async () => 1, { name: 'x', kye: () => 'a' } as never)).toThrow(/did you mean "key"/)
    expect(() => makeIdempotent(async () => 1, { name: 'x', ttl: 86400 })).toThrow(ConfigurationError)
    expect(() => makeIdempotent(async () => 1, { name: 'x', deadline: 5 } as never)).toThrow(ConfigurationError)
  })

  it('serves a Hono route keyed on a body field, with no events or contexts built by hand', async () => {
    let runs = 0
    const store = memoryStore()
    const createGreeting = makeIdempotent(async (body: { name: string }) => ({ id: ++runs, greeting: `hello ${body.name}` }), {
      name: 'greeting',
      store,
      key: (body) => body.name,
      ttl: '1h',
      log: quiet,
    })
    const app = new Hono().post('/greetings', async (c) => c.json(await createGreeting(await c.req.json<{ name: string }>()), 201))
    const post = (name: string) => app.request('/greetings', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name }) })
    const a = await post('ada')
    const b = await post('ada')
    const c = await post('grace')
    expect(await a.json()).toEqual({ id: 1, greeting: 'hello ada' })
    expect(await b.json()).toEqual({ id: 1, greeting: 'hello ada' })
    expect(await c.json()).toEqual({ id: 2, greeting: 'hello grace' })
    expect(runs).toBe(2)
  })
})
