import { Hono } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { describe, expect, it } from 'vitest'
import { ConfigurationError, createLogger } from 'faasade'
import { idempotency, memoryStore, parseIdempotencyKey, type IdempotencyOptions } from 'faasade/idempotency'
import { countingStore, faultyStore, virtualClock } from '../helpers/counting-store.js'
import { gate } from '../helpers/deliver.js'

function app(options: IdempotencyOptions = {}, route?: (c: import('hono').Context) => Response | Promise<Response>) {
  const counting = countingStore(options.store ?? memoryStore())
  const logs: Record<string, unknown>[] = []
  const log = createLogger({ sink: (line) => logs.push(JSON.parse(line) as Record<string, unknown>) })
  const runs: unknown[] = []
  const hono = new Hono()
  // Quiet, like a production app's handler: Hono's default prints the error.
  hono.onError((error, c) => (error instanceof HTTPException ? error.getResponse() : c.json({ error: 'internal' }, 500)))
  hono.use('*', idempotency({ log, ...options, store: counting.store }))
  const handle = route ?? (async (c) => {
    const body = await c.req.json<{ amount: number }>()
    runs.push(body)
    c.header('x-payment-id', `pay_${runs.length}`)
    return c.json({ id: `pay_${runs.length}`, amount: body.amount }, 201)
  })
  hono.post('/payments', async (c) => (runs.length, handle(c)))
  hono.post('/payments/other', (c) => c.json({ other: true }))
  hono.get('/payments', (c) => (runs.push('get'), c.json({ list: [] })))
  const post = (body: unknown = { amount: 5 }, key: string | null = '"k-1"', path = '/payments', headers: Record<string, string> = {}) =>
    hono.request(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(key === null ? {} : { 'idempotency-key': key }), ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    })
  return { hono, post, runs, counting, logs }
}

async function problemOf(res: Response) {
  expect(res.headers.get('content-type')).toBe('application/problem+json')
  return (await res.json()) as { type: string; title: string; status: number; detail?: string }
}

describe('idempotency() on a Hono app: replay', () => {
  it('runs the first request and replays status, headers and body to a retry', async () => {
    const { post, runs } = app()
    const first = await post()
    expect(first.status).toBe(201)
    expect(await first.json()).toEqual({ id: 'pay_1', amount: 5 })
    expect(first.headers.get('idempotent-replayed')).toBeNull()

    const again = await post()
    expect(again.status).toBe(201)
    expect(again.headers.get('x-payment-id')).toBe('pay_1')
    expect(again.headers.get('content-type')).toMatch(/^application\/json/)
    expect(again.headers.get('idempotent-replayed')).toBe('true')
    expect(await again.json()).toEqual({ id: 'pay_1', amount: 5 })
    expect(runs).toHaveLength(1)
  })

  it('leaves the request body readable by the route', async () => {
    const { post, runs } = app()
    await post({ amount: 42 })
    expect(runs).toEqual([{ amount: 42 }])
  })

  it('works behind a middleware that already read the body', async () => {
    const hono = new Hono()
    let runs = 0
    hono.use('*', async (c, next) => {
      c.set('parsed' as never, (await c.req.json()) as never)
      await next()
    })
    hono.use('*', idempotency({ store: memoryStore() }))
    hono.post('/pay', async (c) => c.json({ run: ++runs, body: await c.req.json() }))
    const pay = (amount: number) => hono.request('/pay', { method: 'POST', headers: { 'idempotency-key': 'k' }, body: JSON.stringify({ amount }) })
    expect(await (await pay(5)).json()).toEqual({ run: 1, body: { amount: 5 } })
    expect(await (await pay(5)).json()).toEqual({ run: 1, body: { amount: 5 } })
    expect((await pay(6)).status).toBe(422)
  })

  it('reads the key as a Structured Field string or a bare token, the same key either way', async () => {
    const { post, runs } = app()
    await post({ amount: 5 }, '"abc-123"')
    const bare = await post({ amount: 5 }, 'abc-123')
    expect(bare.headers.get('idempotent-replayed')).toBe('true')
    expect(runs).toHaveLength(1)
    expect(parseIdempotencyKey('"a\\"b"')).toBe('a"b')
    expect(parseIdempotencyKey('"unterminated')).toBeUndefined()
    expect(parseIdempotencyKey('two words')).toBeUndefined()
    expect(parseIdempotencyKey('""')).toBeUndefined()
    expect(parseIdempotencyKey('x'.repeat(256))).toBeUndefined()
  })

  it('costs 2 round trips on a first request, 1 on a replay, 0 on a cached replay', async () => {
    const uncached = app({ cache: false })
    await uncached.post()
    expect(uncached.counting.calls).toEqual(['claim', 'complete'])
    uncached.counting.reset()
    await uncached.post()
    expect(uncached.counting.calls).toEqual(['claim'])

    const cached = app()
    await cached.post()
    cached.counting.reset()
    expect((await cached.post()).headers.get('idempotent-replayed')).toBe('true')
    expect(cached.counting.total()).toBe(0)
  })

  it('replays a body that is not text byte for byte, and an empty 204', async () => {
    const bytes = new Uint8Array([0, 255, 1, 254, 128, 10])
    const binary = app({}, () => new Response(bytes, { status: 200, headers: { 'content-type': 'application/octet-stream' } }))
    await binary.post()
    const again = await binary.post()
    expect(again.headers.get('idempotent-replayed')).toBe('true')
    expect(new Uint8Array(await again.arrayBuffer())).toEqual(bytes)

    const empty = app({}, () => new Response(null, { status: 204 }))
    await empty.post()
    const replayed = await empty.post()
    expect(replayed.status).toBe(204)
    expect(replayed.headers.get('idempotent-replayed')).toBe('true')
  })

  it('does not replay cookies', async () => {
    const { post } = app({}, (c) => {
      c.header('set-cookie', 'session=secret')
      return c.json({ ok: true })
    })
    expect((await post()).headers.get('set-cookie')).toBe('session=secret')
    expect((await post()).headers.get('set-cookie')).toBeNull()
  })

  it('replays a 4xx the route answered, but not one it threw', async () => {
    const answered = app({}, (c) => (answered.runs.push(1), c.json({ error: 'card declined' }, 402)))
    await answered.post()
    expect((await answered.post()).status).toBe(402)
    expect(answered.runs).toHaveLength(1)

    const thrown = app({}, () => {
      thrown.runs.push(1)
      throw new HTTPException(400, { message: 'bad' })
    })
    await thrown.post()
    await thrown.post()
    expect(thrown.runs).toHaveLength(2)
  })

  it('releases the key on a 5xx, a thrown error, or a status that asks for a retry', async () => {
    for (const route of [
      (c: import('hono').Context) => c.json({}, 503),
      (c: import('hono').Context) => c.json({}, 429),
      () => {
        throw new Error('db down')
      },
    ]) {
      let n = 0
      const { post } = app({}, (c) => (n++, route(c)))
      await post()
      await post()
      expect(n).toBe(2)
    }
  })

  it('scopes keys: the same key from two accounts runs twice', async () => {
    const { post, runs } = app({ scope: (c) => c.req.header('x-account') })
    await post({ amount: 5 }, '"k"', '/payments', { 'x-account': 'acct_1' })
    await post({ amount: 5 }, '"k"', '/payments', { 'x-account': 'acct_2' })
    const again = await post({ amount: 5 }, '"k"', '/payments', { 'x-account': 'acct_1' })
    expect(again.headers.get('idempotent-replayed')).toBe('true')
    expect(runs).toHaveLength(2)
  })

  it('lets GET and requests without a key pass through when not required', async () => {
    const { hono, post, runs } = app()
    await hono.request('/payments')
    await hono.request('/payments')
    await post({ amount: 1 }, null)
    await post({ amount: 1 }, null)
    expect(runs).toEqual(['get', 'get', { amount: 1 }, { amount: 1 }])
  })
})

describe('idempotency() on a Hono app: problems', () => {
  it('answers a concurrent request with 409 problem+json and Retry-After', async () => {
    const clock = virtualClock()
    const hold = gate()
    const started = gate()
    const { post, runs } = app({ now: clock.now, lease: 30_000 }, async (c) => {
      runs.push(1)
      started.open()
      await hold.promise
      return c.json({ done: true })
    })
    const first = post()
    await started.promise
    clock.advance(10_000)
    const concurrent = await post()
    expect(concurrent.status).toBe(409)
    expect(concurrent.headers.get('retry-after')).toBe('20')
    const body = await problemOf(concurrent)
    expect(body.status).toBe(409)
    expect(body.type).toMatch(/in-progress$/)
    hold.open()
    expect((await first).status).toBe(200)
    expect((await post()).headers.get('idempotent-replayed')).toBe('true')
    expect(runs).toHaveLength(1)
  })

  it('answers the same key with a different body, or another path, with 422', async () => {
    const { post, runs } = app()
    await post({ amount: 5 })
    const other = await post({ amount: 6 })
    expect(other.status).toBe(422)
    expect((await problemOf(other)).type).toMatch(/key-reused$/)
    expect((await post({ amount: 5 }, '"k-1"', '/payments/other')).status).toBe(422)
    expect(runs).toHaveLength(1)
  })

  it('answers a missing or malformed key with 400 where one is required', async () => {
    const { post, runs } = app({ required: true })
    const missing = await post({ amount: 5 }, null)
    expect(missing.status).toBe(400)
    const body = await problemOf(missing)
    expect(body.type).toMatch(/key-missing$/)
    expect(body).toMatchObject({ issues: [{ path: 'Idempotency-Key' }] })
    expect((await post({ amount: 5 }, '"not closed')).status).toBe(400)
    expect(runs).toHaveLength(0)
  })

  it('answers 503 problem+json when the store is down, and does not run the route', async () => {
    const faulty = faultyStore(memoryStore())
    faulty.failing.add('claim')
    const { post, runs } = app({ store: faulty.store })
    const res = await post()
    expect(res.status).toBe(503)
    const body = await problemOf(res)
    expect(JSON.stringify(body)).not.toMatch(/store is down/)
    expect(runs).toHaveLength(0)
  })

  it("runs the route anyway with onStoreError: 'run'", async () => {
    const faulty = faultyStore(memoryStore())
    faulty.failing.add('claim')
    const { post, runs, logs } = app({ store: faulty.store, onStoreError: 'run' })
    expect((await post()).status).toBe(201)
    expect(runs).toHaveLength(1)
    expect(logs.some((l) => l.level === 'error')).toBe(true)
  })

  it('sends a response too large to store, releases the key and logs', async () => {
    const { post, runs, logs } = app({ store: memoryStore({ maxRecordBytes: 2_000 }) }, (c) => (runs.push(1), c.text('x'.repeat(5_000))))
    expect(await (await post()).text()).toHaveLength(5_000)
    expect(logs.find((l) => l.level === 'error')).toMatchObject({ reason: 'too-large' })
    await post()
    expect(runs).toHaveLength(2)
  })

  it('refuses unknown or bad options at definition time', () => {
    expect(() => idempotency({ requried: true } as never)).toThrow(/did you mean "required"/)
    expect(() => idempotency({ methods: [] })).toThrow(ConfigurationError)
    expect(() => idempotency({ methods: 'POST' as never })).toThrow(ConfigurationError)
    expect(() => idempotency({ scope: 'account' as never })).toThrow(ConfigurationError)
    expect(() => idempotency({ ttl: -5 })).toThrow(ConfigurationError)
  })
})
