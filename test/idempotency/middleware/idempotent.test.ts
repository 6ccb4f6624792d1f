import { describe, expect, it } from 'vitest'
import { ConfigurationError, createEvent, defineHandler, defineMiddleware, PermanentError, RetryableError, runBatch, ValidationError, type CloudEvent } from 'faasade'
import {
  idempotent,
  IdempotencyInProgressError,
  IdempotencyKeyMissingError,
  IdempotencyKeyReusedError,
  IdempotencyResultError,
  IdempotencyStoreError,
  isIdempotencyError,
  memoryStore,
  type IdempotencyRecord,
  type IdempotencyStore,
} from 'faasade/idempotency'
import { countingStore, faultyStore, virtualClock } from '../helpers/counting-store.js'
import { deliver, gate } from '../helpers/deliver.js'

const order = (data: unknown = { orderId: 'A1', amount: 5 }, id = 'evt-1') =>
  createEvent({ id, source: '/orders', type: 'com.example.order.placed', data })

function setup(options: Partial<Parameters<typeof idempotent>[0]> = {}, handle: (event: CloudEvent) => unknown = () => ({ charged: true })) {
  const clock = virtualClock()
  const counting = countingStore(memoryStore())
  const runs: CloudEvent[] = []
  const handler = defineHandler({
    name: 'orders',
    use: [idempotent({ store: counting.store, now: clock.now, ...options })],
    handle: async (event) => {
      runs.push(event)
      return handle(event)
    },
  })
  return { clock, counting, runs, handler }
}

const errorOf = (d: { outcome: { kind: string } }) => (d.outcome as { error?: Error }).error

describe('idempotent: first delivery and duplicates', () => {
  it('runs the first delivery and replays the result to a duplicate without running it', async () => {
    const { handler, runs } = setup()
    const first = await deliver(handler, order())
    const second = await deliver(handler, order())
    expect(first.outcome).toEqual({ kind: 'ok', result: { charged: true } })
    expect(second.outcome).toEqual({ kind: 'ok', result: { charged: true } })
    expect(runs).toHaveLength(1)
  })

  it('claims with a fresh UUID as owner every time, and completes under the owner it claimed with', async () => {
    const inner = memoryStore()
    const claims: IdempotencyRecord[] = []
    const completions: IdempotencyRecord[] = []
    const store: IdempotencyStore = {
      ...inner,
      name: 'memory',
      claim: (record, now) => (claims.push(record), inner.claim(record, now)),
      complete: (record) => (completions.push(record), inner.complete(record)),
    }
    const handler = defineHandler({ name: 'orders', use: [idempotent({ store })], handle: () => 'ok' })
    for (const id of ['a', 'b', 'c']) await deliver(handler, order(undefined, id))
    expect(claims.map((c) => c.owner)).toEqual(completions.map((c) => c.owner))
    expect(new Set(claims.map((c) => c.owner)).size).toBe(3)
    for (const { owner } of claims) expect(owner).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
  })

  it('costs 2 round trips on a first delivery, 1 on a duplicate, 0 on a cached duplicate', async () => {
    const cached = setup()
    await deliver(cached.handler, order())
    expect(cached.counting.calls).toEqual(['claim', 'complete'])
    cached.counting.reset()
    await deliver(cached.handler, order())
    expect(cached.counting.total()).toBe(0)

    const uncached = setup({ cache: false })
    await deliver(uncached.handler, order())
    uncached.counting.reset()
    const dup = await deliver(uncached.handler, order())
    expect(dup.outcome.kind).toBe('ok')
    expect(uncached.counting.calls).toEqual(['claim'])
  })

  it('reads the record with get when the store does not return it on a failed claim', async () => {
    const inner = memoryStore()
    const blind: IdempotencyStore = { ...inner, name: 'blind', claim: async (r, now) => {
      const result = await inner.claim(r, now)
      return result.claimed ? result : { claimed: false, existing: undefined }
    } }
    const counting = countingStore(blind)
    let runs = 0
    const handler = defineHandler({ use: [idempotent({ store: counting.store, cache: false })], handle: () => ++runs })
    await deliver(handler, order())
    counting.reset()
    const dup = await deliver(handler, order())
    expect(dup.outcome).toEqual({ kind: 'ok', result: 1 })
    expect(counting.calls).toEqual(['claim', 'get'])
  })

  it('replays the JSON form of the result: Dates as ISO strings, Maps as {}', async () => {
    const at = new Date('2026-01-02T03:04:05.000Z')
    const { handler } = setup({ cache: false }, () => ({ at, seen: new Map([['a', 1]]), gone: undefined, n: 1 }))
    const first = await deliver(handler, order())
    const second = await deliver(handler, order())
    expect(first.outcome.kind === 'ok' && first.outcome.result).toEqual({ at, seen: new Map([['a', 1]]), gone: undefined, n: 1 })
    expect(second.outcome.kind === 'ok' && second.outcome.result).toEqual({ at: '2026-01-02T03:04:05.000Z', seen: {}, n: 1 })
  })

  it('replays undefined for a handler that returned nothing, and runs it once', async () => {
    const { handler, runs } = setup({ cache: false }, () => undefined)
    await deliver(handler, order())
    const dup = await deliver(handler, order())
    expect(dup.outcome).toEqual({ kind: 'ok', result: undefined })
    expect(runs).toHaveLength(1)
  })
})

describe('idempotent: concurrent, expired and failed deliveries', () => {
  it('tells a duplicate that arrives while the first runs to retry after the lease', async () => {
    const hold = gate()
    const started = gate()
    const { handler, clock, runs } = setup({ lease: 60_000 }, async () => (started.open(), await hold.promise, 'done'))
    const first = deliver(handler, order())
    await started.promise
    clock.advance(10_000)
    const dup = await deliver(handler, order())
    const error = errorOf(dup)
    expect(dup.outcome.kind).toBe('retry')
    expect(error).toBeInstanceOf(IdempotencyInProgressError)
    expect(error).toBeInstanceOf(RetryableError)
    expect((error as IdempotencyInProgressError).retryAfterMs).toBe(50_000)
    expect((dup.outcome as { retryAfterMs?: number }).retryAfterMs).toBe(50_000)
    hold.open()
    expect((await first).outcome).toEqual({ kind: 'ok', result: 'done' })
    expect((await deliver(handler, order())).outcome).toEqual({ kind: 'ok', result: 'done' })
    expect(runs).toHaveLength(1)
  })

  it('lets a delivery claim a key whose claimant crashed, once the lease is over', async () => {
    const clock = virtualClock()
    const store = memoryStore()
    let runs = 0
    const handler = defineHandler({ name: 'orders', use: [idempotent({ store, now: clock.now, lease: 30_000 })], handle: () => ++runs })
    // A crashed delivery: it claimed and never completed nor released.
    const started = gate()
    const crashing = defineHandler({ name: 'orders', use: [idempotent({ store, now: clock.now, lease: 30_000 })], handle: () => (started.open(), new Promise(() => {})) })
    void deliver(crashing, order())
    await started.promise
    clock.advance(29_999)
    const early = await deliver(handler, order())
    expect(errorOf(early)).toBeInstanceOf(IdempotencyInProgressError)
    expect((errorOf(early) as IdempotencyInProgressError).retryAfterMs).toBe(1)
    clock.advance(1)
    expect((await deliver(handler, order())).outcome).toEqual({ kind: 'ok', result: 1 })
  })

  it('never lets a lease outlive the invocation deadline', async () => {
    const claims: IdempotencyRecord[] = []
    const inner = memoryStore()
    const spy: IdempotencyStore = { ...inner, claim: (r, now) => (claims.push(r), inner.claim(r, now)) }
    const handler = defineHandler({ use: [idempotent({ store: spy, lease: 600_000 })], handle: () => 1 })
    const deadline = Date.now() + 5_000
    await deliver(handler, order(), { deadline })
    expect(claims[0]!.expiresAt).toBe(deadline)
    expect(claims[0]!.status).toBe('INPROGRESS')
  })

  it('does not run on a claim whose answer came back after its lease ended', async () => {
    const clock = virtualClock()
    const inner = memoryStore()
    const slow: IdempotencyStore = { ...inner, claim: async (r, now) => { const result = await inner.claim(r, now); clock.advance(2_000); return result } }
    let runs = 0
    const handler = defineHandler({ use: [idempotent({ store: slow, lease: 1_000, now: clock.now })], handle: () => ++runs })
    const d = await deliver(handler, order())
    expect(d.outcome.kind).toBe('retry')
    expect(errorOf(d)).toBeInstanceOf(IdempotencyStoreError)
    expect(runs).toBe(0)
    expect(inner.size).toBe(0)
  })

  it('runs again once the stored result has expired (ttl)', async () => {
    const { handler, clock, runs } = setup({ ttl: 1_000 })
    await deliver(handler, order())
    clock.advance(999)
    await deliver(handler, order())
    expect(runs).toHaveLength(1)
    clock.advance(1)
    await deliver(handler, order())
    expect(runs).toHaveLength(2)
  })

  it('releases the claim when the handler fails, so the retry runs it', async () => {
    let fail = true
    const { handler, runs, counting } = setup({}, () => {
      if (fail) throw new Error('payment provider down')
      return 'paid'
    })
    const first = await deliver(handler, order())
    expect(first.outcome.kind).toBe('retry')
    expect(counting.calls).toEqual(['claim', 'release'])
    fail = false
    expect((await deliver(handler, order())).outcome).toEqual({ kind: 'ok', result: 'paid' })
    expect(runs).toHaveLength(2)
  })

  it('rethrows the handler error itself, permanent ones included', async () => {
    const boom = new PermanentError('order cancelled')
    const { handler } = setup({}, () => { throw boom })
    const d = await deliver(handler, order())
    expect(d.outcome).toEqual({ kind: 'drop', error: boom })
  })
})

describe('idempotent: payload check', () => {
  it('refuses the same key with different data, permanently', async () => {
    const { handler, runs } = setup({ cache: false })
    await deliver(handler, order({ orderId: 'A1', amount: 5 }))
    const reused = await deliver(handler, order({ orderId: 'A1', amount: 6 }))
    expect(reused.outcome.kind).toBe('drop')
    expect(errorOf(reused)).toBeInstanceOf(IdempotencyKeyReusedError)
    expect(errorOf(reused)).toBeInstanceOf(PermanentError)
    expect(runs).toHaveLength(1)
  })

  it('refuses it from the local cache too, with no round trip', async () => {
    const { handler, counting } = setup()
    await deliver(handler, order({ orderId: 'A1', amount: 5 }))
    counting.reset()
    const reused = await deliver(handler, order({ orderId: 'A1', amount: 6 }))
    expect(errorOf(reused)).toBeInstanceOf(IdempotencyKeyReusedError)
    expect(counting.total()).toBe(0)
  })

  it('refuses it while the first is still in progress', async () => {
    const hold = gate()
    const started = gate()
    const { handler } = setup({}, () => (started.open(), hold.promise))
    const first = deliver(handler, order({ n: 1 }))
    await started.promise
    expect(errorOf(await deliver(handler, order({ n: 2 })))).toBeInstanceOf(IdempotencyKeyReusedError)
    hold.open()
    await first
  })

  it('does not care about key order', async () => {
    const { handler, runs } = setup({ cache: false })
    await deliver(handler, order({ a: 1, b: { c: 2, d: 3 } }))
    const dup = await deliver(handler, order({ b: { d: 3, c: 2 }, a: 1 }))
    expect(dup.outcome.kind).toBe('ok')
    expect(runs).toHaveLength(1)
  })

  it('hashes the data as delivered, before inner middleware can change it', async () => {
    const mutate = defineMiddleware({
      name: 'mutate',
      run(event, _ctx, next) {
        ;(event.data as { enriched?: string }).enriched = `at ${Math.random()}`
        return next()
      },
    })
    const store = memoryStore()
    let runs = 0
    const handler = defineHandler({ use: [idempotent({ store, cache: false }), mutate], handle: () => ++runs })
    await deliver(handler, order({ orderId: 'A1' }))
    const dup = await deliver(handler, order({ orderId: 'A1' }))
    expect(dup.outcome).toEqual({ kind: 'ok', result: 1 })
  })

  it('hashes only what `payload` picks, or nothing with `payload: false`', async () => {
    const picked = setup({ cache: false, payload: (e) => (e.data as { orderId: string }).orderId })
    await deliver(picked.handler, order({ orderId: 'A1', receivedAt: 1 }))
    expect((await deliver(picked.handler, order({ orderId: 'A1', receivedAt: 2 }))).outcome.kind).toBe('ok')
    expect(errorOf(await deliver(picked.handler, order({ orderId: 'B2', receivedAt: 2 })))).toBeInstanceOf(IdempotencyKeyReusedError)

    const unchecked = setup({ cache: false, payload: false })
    await deliver(unchecked.handler, order({ n: 1 }))
    expect((await deliver(unchecked.handler, order({ n: 2 }))).outcome).toEqual({ kind: 'ok', result: { charged: true } })
    expect(unchecked.runs).toHaveLength(1)
  })
})

describe('idempotent: keys', () => {
  it('uses a key function: two events for one order run once', async () => {
    const { handler, runs } = setup({ key: (e) => (e.data as { orderId?: string }).orderId, payload: false })
    await deliver(handler, order({ orderId: 'A1' }, 'evt-1'))
    await deliver(handler, order({ orderId: 'A1' }, 'evt-2'))
    await deliver(handler, order({ orderId: 'B2' }, 'evt-3'))
    expect(runs.map((e) => e.id)).toEqual(['evt-1', 'evt-3'])
  })

  it('refuses an event the key function finds no key in: a ValidationError, handler not run', async () => {
    for (const key of [() => undefined, () => null, () => '', () => [], () => ['t1', undefined]] as const) {
      const { handler, runs, counting } = setup({ key })
      const d = await deliver(handler, order())
      expect(d.outcome.kind).toBe('drop')
      expect(errorOf(d)).toBeInstanceOf(IdempotencyKeyMissingError)
      expect(errorOf(d)).toBeInstanceOf(ValidationError)
      expect(runs).toHaveLength(0)
      expect(counting.total()).toBe(0)
    }
  })

  it('turns a key function that throws into the same error, with the cause', async () => {
    const cause = new TypeError("Cannot read properties of undefined (reading 'orderId')")
    const { handler } = setup({ key: () => { throw cause } })
    const error = errorOf(await deliver(handler, order()))
    expect(error).toBeInstanceOf(IdempotencyKeyMissingError)
    expect(error?.cause).toBe(cause)
  })

  it('namespaces keys by handler name: two handlers on one store both run', async () => {
    const store = memoryStore()
    const ran: string[] = []
    const a = defineHandler({ name: 'bill', use: [idempotent({ store })], handle: () => ran.push('bill') })
    const b = defineHandler({ name: 'ship', use: [idempotent({ store })], handle: () => ran.push('ship') })
    await deliver(a, order())
    await deliver(b, order())
    await deliver(a, order())
    expect(ran).toEqual(['bill', 'ship'])
    expect(store.size).toBe(2)
  })

  it('keeps each use its own settings on a shared store', async () => {
    const clock = virtualClock()
    const store = memoryStore()
    const ran: string[] = []
    const short = defineHandler({ name: 'short', use: [idempotent({ store, ttl: 1_000, cache: false, now: clock.now })], handle: () => ran.push('short') })
    const long = defineHandler({ name: 'long', use: [idempotent({ store, ttl: 3_600_000, cache: false, now: clock.now })], handle: () => ran.push('long') })
    await deliver(short, order())
    await deliver(long, order())
    clock.advance(2_000)
    await deliver(short, order())
    await deliver(long, order())
    expect(ran).toEqual(['short', 'long', 'short'])
  })
})

describe('idempotent: store faults', () => {
  it('fails closed by default: a retryable IdempotencyStoreError with the cause, handler not run', async () => {
    for (const call of ['claim', 'get'] as const) {
      const inner = memoryStore()
      // With `get` failing, the store must be one that needs it: no `existing` on a failed claim.
      const blind: IdempotencyStore = call === 'get' ? { ...inner, claim: async (r, n) => ((await inner.claim(r, n)).claimed ? { claimed: true } : { claimed: false, existing: undefined }) } : inner
      const faulty = faultyStore(blind)
      let runs = 0
      const handler = defineHandler({ use: [idempotent({ store: faulty.store, cache: false })], handle: () => ++runs })
      if (call === 'get') await deliver(handler, order())
      faulty.failing.add(call)
      const d = await deliver(handler, order())
      expect(d.outcome.kind).toBe('retry')
      const error = errorOf(d) as IdempotencyStoreError
      expect(error).toBeInstanceOf(IdempotencyStoreError)
      expect(error.operation).toBe(call)
      expect(error.cause).toBe(faulty.error)
      expect(error.toProblem()).not.toHaveProperty('cause')
      expect(runs).toBe(call === 'get' ? 1 : 0)
    }
  })

  it('passes on an IdempotencyStoreError the store threw itself, not wrapped twice', async () => {
    const own = new IdempotencyStoreError('memory', 'claim', undefined, { cause: new Error('ECONNREFUSED') })
    const faulty = faultyStore(memoryStore())
    faulty.failing.add('claim')
    faulty.error = own
    const handler = defineHandler({ use: [idempotent({ store: faulty.store })], handle: () => 1 })
    expect(errorOf(await deliver(handler, order()))).toBe(own)
  })

  it("with onStoreError: 'run', runs the handler anyway and logs an error", async () => {
    const faulty = faultyStore(memoryStore())
    faulty.failing.add('claim')
    let runs = 0
    const handler = defineHandler({ use: [idempotent({ store: faulty.store, onStoreError: 'run' })], handle: () => ++runs })
    const d = await deliver(handler, order())
    expect(d.outcome).toEqual({ kind: 'ok', result: 1 })
    expect(d.logs.find((l) => l.level === 'error')).toMatchObject({ operation: 'claim', store: 'memory' })
  })

  it('returns the result when recording it fails, and logs loudly with the key', async () => {
    const clock = virtualClock()
    const faulty = faultyStore(memoryStore())
    let runs = 0
    const handler = defineHandler({ use: [idempotent({ store: faulty.store, now: clock.now, lease: 10_000 })], handle: () => ++runs })
    faulty.failing.add('complete')
    const d = await deliver(handler, order())
    expect(d.outcome).toEqual({ kind: 'ok', result: 1 })
    const line = d.logs.find((l) => l.level === 'error')
    expect(line?.msg).toMatch(/NOT RECORDED/)
    expect(line?.idempotencyKey).toMatch(/^handler:[A-Za-z0-9_-]{43}$/)
    faulty.failing.clear()
    // The claim stands until its lease ends, then a redelivery runs again (and nothing was cached).
    expect(errorOf(await deliver(handler, order()))).toBeInstanceOf(IdempotencyInProgressError)
    clock.advance(10_000)
    expect((await deliver(handler, order())).outcome).toEqual({ kind: 'ok', result: 2 })
  })

  it('logs a failed release and still rethrows the handler error', async () => {
    const faulty = faultyStore(memoryStore())
    faulty.failing.add('release')
    const boom = new Error('handler failed')
    const handler = defineHandler({ use: [idempotent({ store: faulty.store })], handle: () => { throw boom } })
    const d = await deliver(handler, order())
    expect(d.outcome.kind).toBe('retry')
    expect((errorOf(d) as Error).cause).toBe(boom)
    expect(d.logs.find((l) => l.level === 'error')?.msg).toMatch(/not released/)
  })
})

describe('idempotent: results that cannot be recorded', () => {
  it('refuses a result that does not serialise, and releases the claim', async () => {
    for (const bad of [{ n: 10n }, (() => { const a: Record<string, unknown> = {}; a.self = a; return a })(), () => 1]) {
      const { handler, runs, counting } = setup({}, () => bad)
      const d = await deliver(handler, order())
      expect(d.outcome.kind).toBe('drop')
      expect(errorOf(d)).toBeInstanceOf(IdempotencyResultError)
      expect((errorOf(d) as IdempotencyResultError).reason).toBe('not-serialisable')
      expect(counting.calls).toEqual(['claim', 'release'])
      await deliver(handler, order())
      expect(runs).toHaveLength(2)
    }
  })

  it("refuses a result larger than the store's maxRecordBytes, and releases the claim", async () => {
    const store = memoryStore({ maxRecordBytes: 1_000 })
    let runs = 0
    const handler = defineHandler({ use: [idempotent({ store })], handle: () => (++runs, 'x'.repeat(1_000)) })
    const d = await deliver(handler, order())
    expect((errorOf(d) as IdempotencyResultError).reason).toBe('too-large')
    expect(store.size).toBe(0)
    await deliver(handler, order())
    expect(runs).toBe(2)
  })

  it('with storeResult: false records only the completion; a duplicate gets undefined', async () => {
    const store = memoryStore({ maxRecordBytes: 1_000 })
    let runs = 0
    const handler = defineHandler({ use: [idempotent({ store, storeResult: false, cache: false })], handle: () => (++runs, 'x'.repeat(5_000)) })
    expect((await deliver(handler, order())).outcome).toEqual({ kind: 'ok', result: 'x'.repeat(5_000) })
    expect((await deliver(handler, order())).outcome).toEqual({ kind: 'ok', result: undefined })
    expect(runs).toBe(1)
  })
})

describe('idempotent: in a batch', () => {
  it('guards every item on its own', async () => {
    const store = memoryStore()
    const ran: string[] = []
    const handler = defineHandler({ use: [idempotent({ store })], handle: (e) => (ran.push(e.id), e.id) })
    const items = [order({ n: 1 }, 'a'), order({ n: 2 }, 'b'), order({ n: 1 }, 'a')]
    const outcomes = await runBatch(items, (event) => deliver(handler, event).then((d) => {
      if (d.outcome.kind !== 'ok') throw d.outcome.error
      return d.outcome.result
    }), { ordered: true })
    expect(outcomes.map((o) => o.kind === 'ok' && o.result)).toEqual(['a', 'b', 'a'])
    expect(ran).toEqual(['a', 'b'])
  })
})

describe('idempotent: options', () => {
  it('refuses unknown options at definition time, with a hint', () => {
    expect(() => idempotent({ tll: 5 } as never)).toThrow(ConfigurationError)
    expect(() => idempotent({ tll: 5 } as never)).toThrow(/did you mean "ttl"/)
  })

  it('refuses bad values at definition time', () => {
    const bad: object[] = [
      { store: {} },
      { store: 'redis' },
      { ttl: 0 },
      { ttl: -1 },
      { ttl: Infinity },
      { ttl: 1.5 },
      { lease: 2500.25 },
      { lease: '5 sec' },
      { cache: 'yes' },
      { cache: { maxEntries: -1 } },
      { cache: { max: 5 } },
      { onStoreError: 'ignore' },
      { key: 'orderId' },
      { payload: true },
      { storeResult: 'no' },
      { now: 5 },
    ]
    for (const options of bad) expect(() => idempotent(options as never), JSON.stringify(options)).toThrow(ConfigurationError)
  })

  it('defaults to an in-process memory store', async () => {
    let runs = 0
    const handler = defineHandler({ use: [idempotent()], handle: () => ++runs })
    await deliver(handler, order())
    await deliver(handler, order())
    expect(runs).toBe(1)
  })

  it('adds nothing to the context', async () => {
    let keys: string[] = []
    const handler = defineHandler({ use: [idempotent()], handle: (_e, ctx) => { keys = Object.keys(ctx) } })
    await deliver(handler, order())
    const bare = defineHandler({ handle: (_e, ctx) => Object.keys(ctx) })
    expect(keys).toEqual(((await deliver(bare, order())).outcome as { result: string[] }).result)
  })

  it('brands every error of the family', () => {
    expect(isIdempotencyError(new IdempotencyKeyReusedError('k'))).toBe(true)
    expect(isIdempotencyError(new IdempotencyKeyMissingError('no key'))).toBe(true)
    expect(isIdempotencyError(new PermanentError('x'))).toBe(false)
  })
})

describe('idempotent: keyed by the handler schema', () => {
  it('keys on a field the schema checked, and replays to a second event with the same field', async () => {
    const { z } = await import('zod')
    const Greeting = z.object({ name: z.string() })
    let runs = 0
    const handler = defineHandler({
      name: 'greet',
      data: Greeting,
      use: [idempotent({ data: Greeting, key: (e) => e.data.name })],
      handle: (event) => `hello ${event.data.name} #${++runs}`,
    })
    const first = await deliver(handler, order({ name: 'ada' }, 'evt-1'))
    const second = await deliver(handler, order({ name: 'ada' }, 'evt-2'))
    expect(first.outcome).toEqual({ kind: 'ok', result: 'hello ada #1' })
    expect(second.outcome).toEqual({ kind: 'ok', result: 'hello ada #1' })
    expect(runs).toBe(1)
  })

  it('refuses, when the handler is defined, a schema that is not the handler one', async () => {
    const { z } = await import('zod')
    const Greeting = z.object({ name: z.string() })
    const Other = z.object({ name: z.string() })
    expect(() => defineHandler({ name: 'a', data: Greeting, use: [idempotent({ data: Other })], handle: () => 1 })).toThrow(/data is not the schema of handler "a" \(it has another\)/)
    expect(() => defineHandler({ name: 'b', use: [idempotent({ data: Greeting })], handle: () => 1 })).toThrow(/it has none/)
    expect(() => idempotent({ data: 'Greeting' } as never)).toThrow(ConfigurationError)
  })
})

describe('idempotent: a store made per invocation', () => {
  it('makes the store from the first invocation context and reuses it', async () => {
    const { perInvocation } = await import('faasade/idempotency')
    const made: unknown[] = []
    const store = perInvocation('memory', (ctx) => (made.push(ctx.provider.name), memoryStore()))
    let runs = 0
    const handler = defineHandler({ name: 'per-invocation', use: [idempotent({ store })], handle: () => ++runs })
    await deliver(handler, order())
    await deliver(handler, order())
    expect(runs).toBe(1)
    expect(made).toEqual(['test'])
  })

  it('is a DeploymentError, whatever onStoreError says, when the factory cannot make the store', async () => {
    const { perInvocation } = await import('faasade/idempotency')
    const { DeploymentError } = await import('faasade')
    const store = perInvocation('d1', () => {
      throw new Error('env.DB is undefined')
    })
    const handler = defineHandler({ name: 'no-binding', use: [idempotent({ store, onStoreError: 'run' })], handle: () => 1 })
    const error = errorOf(await deliver(handler, order()))
    expect(error).toBeInstanceOf(DeploymentError)
    expect(error?.message).toMatch(/the d1 store for this invocation could not be made: env.DB is undefined/)
  })
})
