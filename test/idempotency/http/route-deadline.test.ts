/**
 * The Hono idempotency middleware bounds its claim by the invocation's
 * deadline, read from the route's context (routeContext), as the handler
 * middleware does: a key claimed for the whole lease on a Lambda with five
 * seconds left would block retries long after the invocation was killed.
 * Driven through toLambda with a real API Gateway v2 payload.
 */
import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import { toLambda } from 'faasade/aws-lambda'
import { idempotency, memoryStore, type IdempotencyRecord, type IdempotencyStore } from 'faasade/idempotency'
import { fixture, lambdaContext } from '../../aws-lambda/helpers.js'

/** The memory store, noting each claim's record. */
function claimsOf(): { store: IdempotencyStore; claims: IdempotencyRecord[] } {
  const inner = memoryStore()
  const claims: IdempotencyRecord[] = []
  const store: IdempotencyStore = Object.assign(Object.create(inner) as IdempotencyStore, {
    claim: (record: IdempotencyRecord, now: number) => (claims.push(record), inner.claim(record, now)),
  })
  return { store, claims }
}

describe('idempotency() on a Hono route, through toLambda', () => {
  it('claims the key until the invocation deadline at most, not for the whole lease', async () => {
    const { store, claims } = claimsOf()
    const app = new Hono().post('/iam', idempotency({ store, lease: '10m' }), (c) => c.json({ ok: true }))
    const event = fixture('apigw-http--iam-auth')
    event.headers = { ...event.headers, 'idempotency-key': 'k-1' }
    const started = Date.now()
    const reply = await toLambda(app)(event, lambdaContext(5_000))
    expect(reply).toMatchObject({ statusCode: 200 })
    expect(claims).toHaveLength(1)
    // Five seconds left (less the adapter's margin), not ten minutes.
    expect(claims[0]!.expiresAt).toBeLessThanOrEqual(started + 5_000 + 1_000)
    expect(claims[0]!.expiresAt).toBeGreaterThan(started)
  })
})
