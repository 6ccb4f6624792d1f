// The middleware and its cache, through a provider made with the public
// defineSecretProvider whose "remote" is an in-process counter: these tests
// are about caching, refresh and options, not a wire format (the provider
// tests cover those against local servers).
import { defineHandler, defineMiddleware, runBatch, ConfigurationError, compose, createContext, createEvent } from 'faasade'
import { defineSecretProvider, fromEnv, secrets, SecretUnavailableError, type RawSecret } from 'faasade/secrets'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import * as z from 'zod'
import { clock, run } from './helpers/run.js'

/** A provider whose answers the test scripts; `calls` counts fetches. */
function scripted(name: string, answer: (call: number) => RawSecret | Error | Promise<RawSecret>, identity: unknown[] = []) {
  const state = { calls: 0 }
  const make = (options: Parameters<typeof defineSecretProvider>[1] = {}) =>
    defineSecretProvider<unknown>({
      kind: 'scripted',
      secretName: name,
      identity,
      async fetch() {
        const reply = await answer(++state.calls)
        if (reply instanceof Error) throw reply
        return reply
      },
    }, options)
  return { state, make }
}

describe('secrets() options', () => {
  it('rejects unknown options, bad values and reserved names at definition time', () => {
    const p = fromEnv('X')
    // @ts-expect-error: typo
    expect(() => secrets({ p }, { tll: 5 })).toThrow(/unknown option "tll" \(did you mean "ttl"\?\)/)
    expect(() => secrets({ p }, { ttl: 0 })).toThrow(ConfigurationError)
    expect(() => secrets({ p }, { ttl: 10_000, maxAge: 5_000 })).toThrow(/maxAge/)
    // @ts-expect-error: refresh is reserved
    expect(() => secrets({ refresh: p })).toThrow(/reserved/)
    // @ts-expect-error: not a provider
    expect(() => secrets({ p: 'DATABASE_URL' })).toThrow(/not a secret provider/)
  })
})

describe('the cache', () => {
  it('is keyed by everything that changes the answer: one secret with two schemas is two entries', async () => {
    const s = scripted('conf', () => ({ text: '{"port":"5432","host":"db"}' }))
    const handler = defineHandler({
      use: [secrets({
        raw: s.make(),
        parsed: s.make({ json: true }),
        port: s.make({ json: true, schema: z.object({ port: z.coerce.number() }) }),
        again: s.make({ json: true }),
      })],
      handle: (_e, ctx) => [ctx.secrets.raw.value, ctx.secrets.parsed.value, ctx.secrets.port.value, ctx.secrets.again.value],
    })
    const { result } = await run(handler)
    expect(result).toEqual(['{"port":"5432","host":"db"}', { port: '5432', host: 'db' }, { port: 5432 }, { port: '5432', host: 'db' }])
    expect(s.state.calls).toBe(3) // `parsed` and `again` are the same secret
  })

  it('shares one fetch across all the items of a batch', async () => {
    const s = scripted('k', () => new Promise((r) => setTimeout(() => r({ text: 'batch-value-1' }), 5)))
    const handler = defineHandler({ use: [secrets({ k: s.make() })], handle: (_e, ctx) => ctx.secrets.k.value })
    const outcomes = await runBatch(Array.from({ length: 50 }), () => run(handler).then((r) => r.result), { concurrency: 50 })
    expect(outcomes.every((o) => o.kind === 'ok' && o.result === 'batch-value-1')).toBe(true)
    expect(s.state.calls).toBe(1)
  })

  it('wraps a custom provider failure that is not ours in a retryable error', async () => {
    const s = scripted('custom', () => new TypeError('socket hang up'))
    const { error } = await run(defineHandler({ use: [secrets({ c: s.make() })], handle: () => 'ran' }))
    expect(error).toBeInstanceOf(SecretUnavailableError)
    expect((error as Error).cause).toBeInstanceOf(TypeError)
  })

  it('(property) never serves a value older than maxAge, never calls remotely within a TTL of a success, and throws only without a usable value', async () => {
    const ttl = 100
    const maxAge = 400
    const step = fc.record({ advance: fc.integer({ min: 0, max: 250 }), fails: fc.boolean() })
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 30 }), async (steps) => {
        const time = clock(0)
        let failing = false
        let version = 0
        const s = scripted('p', () => (failing ? new SecretUnavailableError({ provider: 'scripted', secretName: 'p' }, 'down') : { text: `v${++version}@${time.now()}` }))
        const handler = defineHandler({ use: [secrets({ p: s.make() }, { ttl, maxAge, now: time.now })], handle: (_e, ctx) => ctx.secrets.p.value })
        let lastSuccessAt: number | undefined
        for (const { advance, fails } of steps) {
          time.advance(advance)
          failing = fails
          const before = s.state.calls
          const { result, error } = await run(handler)
          const called = s.state.calls > before
          if (lastSuccessAt !== undefined && time.now() - lastSuccessAt < ttl) expect(called).toBe(false)
          if (result !== undefined) {
            const fetchedAt = Number(String(result).split('@')[1])
            expect(time.now() - fetchedAt).toBeLessThan(maxAge)
            if (called && !fails) lastSuccessAt = time.now()
          } else {
            expect(error).toBeInstanceOf(SecretUnavailableError)
            expect(lastSuccessAt === undefined || time.now() - lastSuccessAt >= maxAge).toBe(true)
          }
        }
      }),
      { numRuns: 200 },
    )
  })
})

describe('refresh and refreshOn', () => {
  it('ctx.secrets.refresh(name) fetches again and updates ctx.secrets', async () => {
    const s = scripted('r', (n) => ({ text: `value-${n}` }))
    const handler = defineHandler({
      use: [secrets({ r: s.make() })],
      async handle(_e, ctx) {
        const before = ctx.secrets.r.value
        const fresh = await ctx.secrets.refresh('r')
        return [before, fresh.value, ctx.secrets.r.value]
      },
    })
    expect((await run(handler)).result).toEqual(['value-1', 'value-2', 'value-2'])
    expect((await run(handler)).result).toEqual(['value-2', 'value-3', 'value-3'])
  })

  it('refresh throws rather than serving stale when the provider fails', async () => {
    const s = scripted('r', (n) => (n === 1 ? { text: 'first-value' } : new SecretUnavailableError({ provider: 'scripted', secretName: 'r' }, 'throttled')))
    const handler = defineHandler({ use: [secrets({ r: s.make() })], handle: (_e, ctx) => ctx.secrets.refresh('r') })
    expect((await run(handler)).error).toBeInstanceOf(SecretUnavailableError)
  })

  it('refreshOn retries the handler once with fresh secrets', async () => {
    const s = scripted('api', (n) => ({ text: `key-${n}` }))
    const seen: string[] = []
    const handler = defineHandler({
      use: [secrets({ api: s.make() }, { refreshOn: (e) => e instanceof Error && e.message === '401' })],
      handle(_e, ctx) {
        seen.push(String(ctx.secrets.api.value))
        if (ctx.secrets.api.value === 'key-1') throw new Error('401')
        return 'charged'
      },
    })
    const { result, logs } = await run(handler)
    expect(result).toBe('charged')
    expect(seen).toEqual(['key-1', 'key-2'])
    expect(logs.some((l) => l.level === 'warn' && String(l.msg).includes('rotated secrets'))).toBe(true)
  })

  it('refreshOn retries only once, and not for other errors', async () => {
    const s = scripted('api', (n) => ({ text: `key-${n}` }))
    let runs = 0
    const always401 = defineHandler({
      use: [secrets({ api: s.make() }, { refreshOn: (e) => e instanceof Error && e.message === '401' })],
      handle() {
        runs++
        throw new Error('401')
      },
    })
    expect(((await run(always401)).error as Error).message).toBe('401')
    expect(runs).toBe(2)
    runs = 0
    const other = defineHandler({ use: [secrets({ api: s.make() }, { refreshOn: () => false })], handle() { runs++; throw new Error('500') } })
    expect(((await run(other)).error as Error).message).toBe('500')
    expect(runs).toBe(1)
  })

  it('the core still refuses a second next() after success, and a third after failures (retriesNext)', async () => {
    let inner = 0
    const twice = (fail: boolean) =>
      defineMiddleware({
        name: 'twice',
        retriesNext: true,
        async run(_e, _c, next) {
          await next().catch(() => undefined)
          await next().catch(() => undefined)
          return next()
        },
      })
    const ctx = () => createContext({ provider: { name: 'test', raw: {} } })
    const event = createEvent({ id: '1', source: '/s', type: 't' })
    const ok = compose([twice(false)], async () => ++inner, { name: 'h' })
    await expect(ok(event, ctx())).rejects.toThrow(/more than once/)
    expect(inner).toBe(1)
    const failing = compose([twice(true)], async () => { inner++; throw new Error('x') }, { name: 'h' })
    inner = 0
    await expect(failing(event, ctx())).rejects.toThrow(/more than once/)
    expect(inner).toBe(2)
  })
})

describe('prefetch', () => {
  it('starts fetching at definition time, so the first invocation makes no call', async () => {
    const s = scripted('pre', () => ({ text: 'prefetched-value' }))
    const middleware = secrets({ pre: s.make() }, { prefetch: true })
    expect(s.state.calls).toBe(1)
    const handler = defineHandler({ use: [middleware], handle: (_e, ctx) => ctx.secrets.pre.value })
    expect((await run(handler)).result).toBe('prefetched-value')
    expect(s.state.calls).toBe(1)
  })

  it('logs a prefetch failure at once, reports it again on first use, and fetches again (errors are not cached)', async () => {
    const s = scripted('pre', (n) => (n === 1 ? new SecretUnavailableError({ provider: 'scripted', secretName: 'pre' }, 'throttled at init') : { text: 'second-try-value' }))
    const lines: string[] = []
    const { createLogger } = await import('faasade')
    const middleware = secrets({ pre: s.make() }, { prefetch: true, log: createLogger({ sink: (l) => lines.push(l) }) })
    await new Promise((r) => setTimeout(r, 0))
    expect(lines.map((l) => JSON.parse(l))).toContainEqual(expect.objectContaining({ level: 'error', msg: 'secret prefetch failed', secret: 'pre' }))
    const handler = defineHandler({ use: [middleware], handle: (_e, ctx) => ctx.secrets.pre.value })
    const first = await run(handler)
    expect(first.result).toBe('second-try-value')
    expect(first.logs).toContainEqual(expect.objectContaining({ level: 'warn', msg: 'secret prefetch had failed; fetching it again', secret: 'pre' }))
    expect(s.state.calls).toBe(2)
    expect((await run(handler)).logs.some((l) => String(l.msg).includes('prefetch'))).toBe(false)
  })

  it('skips providers that cannot be prefetched (env)', async () => {
    process.env.PREFETCH_ENV = 'x'
    const s = scripted('pre', () => ({ text: 'v' }))
    secrets({ e: fromEnv('PREFETCH_ENV'), s: s.make() }, { prefetch: true })
    expect(s.state.calls).toBe(1)
  })
})
