// The Idempotency-Key middleware with two callers: one caller's stored
// response must never be replayed to another who sends the same key and
// body with other credentials.
import { Hono, type Context } from 'hono'
import { describe, expect, it } from 'vitest'
import { ConfigurationError } from 'faasade'
import { idempotency, memoryStore, type IdempotencyOptions } from 'faasade/idempotency'

type Env = { Variables: { account: string | undefined } }

function app(options: IdempotencyOptions = {}) {
  const runs: string[] = []
  const hono = new Hono<Env>()
  // What an auth middleware does: establish the caller from what it verified.
  hono.use('*', async (c, next) => {
    const token = c.req.header('authorization')?.replace(/^Bearer /, '')
    c.set('account', token === undefined ? undefined : token.split('.')[0])
    await next()
  })
  hono.use('*', idempotency({ store: memoryStore(), ...options }))
  hono.post('/payments', async (c) => {
    const body = await c.req.json<{ amount: number }>()
    const who = c.get('account') ?? c.req.header('x-api-key') ?? 'anonymous'
    runs.push(who)
    return c.json({ id: `pay_${runs.length}`, for: who, amount: body.amount }, 201)
  })
  const post = (headers: Record<string, string>, key = '"k-1"') =>
    hono.request('/payments', { method: 'POST', headers: { 'content-type': 'application/json', 'idempotency-key': key, ...headers }, body: JSON.stringify({ amount: 5 }) })
  return { post, runs }
}

describe('idempotency(): a key belongs to the caller that sent it', () => {
  it('by default, keeps apart two callers with different Authorization', async () => {
    const { post, runs } = app()
    const alice = await post({ authorization: 'Bearer alice.1' })
    expect(alice.status).toBe(201)
    const bob = await post({ authorization: 'Bearer bob.1' })
    expect(bob.status).toBe(201)
    expect(bob.headers.get('idempotent-replayed')).toBeNull()
    expect(await bob.json()).toMatchObject({ id: 'pay_2', for: 'bob' })
    const aliceAgain = await post({ authorization: 'Bearer alice.1' })
    expect(aliceAgain.headers.get('idempotent-replayed')).toBe('true')
    expect(await aliceAgain.json()).toMatchObject({ id: 'pay_1', for: 'alice' })
    expect(runs).toEqual(['alice', 'bob'])
  })

  it('by default, keeps apart two callers with different cookies', async () => {
    const { post, runs } = app()
    await post({ cookie: 'session=alice' })
    const bob = await post({ cookie: 'session=bob' })
    expect(bob.headers.get('idempotent-replayed')).toBeNull()
    expect(runs).toHaveLength(2)
    expect((await post({ cookie: 'session=alice' })).headers.get('idempotent-replayed')).toBe('true')
  })

  it('keeps apart callers by the headers named in credentialHeaders', async () => {
    const { post, runs } = app({ credentialHeaders: ['X-Api-Key'] })
    await post({ 'x-api-key': 'key_alice' })
    const bob = await post({ 'x-api-key': 'key_bob' })
    expect(bob.headers.get('idempotent-replayed')).toBeNull()
    expect((await post({ 'x-api-key': 'key_alice' })).headers.get('idempotent-replayed')).toBe('true')
    expect(runs).toEqual(['key_alice', 'key_bob'])
  })

  it('with a scope from what auth established, keeps callers apart and one caller together across tokens', async () => {
    const { post, runs } = app({ scope: (c) => (c as Context<Env>).get('account') })
    await post({ authorization: 'Bearer alice.1' })
    const bob = await post({ authorization: 'Bearer bob.1' })
    expect(bob.headers.get('idempotent-replayed')).toBeNull()
    // Alice's retry after her token was refreshed is still her retry.
    const refreshed = await post({ authorization: 'Bearer alice.2' })
    expect(refreshed.headers.get('idempotent-replayed')).toBe('true')
    expect(await refreshed.json()).toMatchObject({ id: 'pay_1', for: 'alice' })
    expect(runs).toEqual(['alice', 'bob'])
  })

  it('falls back to the credentials when the scope finds no caller', async () => {
    const { post, runs } = app({ scope: (c) => (c as Context<Env>).get('account'), credentialHeaders: ['x-api-key'] })
    await post({ 'x-api-key': 'key_alice' })
    const bob = await post({ 'x-api-key': 'key_bob' })
    expect(bob.headers.get('idempotent-replayed')).toBeNull()
    expect(runs).toEqual(['key_alice', 'key_bob'])
  })

  it('never mistakes a scope for credentials that spell the same', async () => {
    const { post, runs } = app({ scope: (c) => c.req.header('x-tenant') })
    await post({ 'x-tenant': 'Bearer alice.1' })
    // No tenant: the credentials scope it, and they must not meet the tenant's key.
    const other = await post({ authorization: 'Bearer alice.1' })
    expect(other.headers.get('idempotent-replayed')).toBeNull()
    expect(runs).toHaveLength(2)
  })

  it('checks credentialHeaders', () => {
    expect(() => idempotency({ credentialHeaders: 'x-api-key' as never })).toThrow(ConfigurationError)
    expect(() => idempotency({ credentialHeaders: [''] })).toThrow(ConfigurationError)
    expect(() => idempotency({ credentialHeaders: [42 as never] })).toThrow(ConfigurationError)
  })
})
