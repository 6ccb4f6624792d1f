/**
 * One `Env` for a Worker's Hono routes and its handlers: `workerEnv<typeof
 * app>(ctx)` is the app's `Bindings`, so the two cannot drift apart.
 */
import { Hono } from 'hono'
import { describe, expectTypeOf, it } from 'vitest'
import type { Context } from 'faasade'
import { workerEnv, workerRaw, type BindingsOf } from 'faasade/cloudflare-workers'

interface Kv {
  get(key: string): Promise<string | null>
}
interface Env {
  ORDERS: Kv
  REGION: string
}
const app = new Hono<{ Bindings: Env }>()
declare const ctx: Context

describe('workerEnv', () => {
  it("is the Hono app's Bindings when given the app's type", () => {
    expectTypeOf<BindingsOf<typeof app>>().toEqualTypeOf<Env>()
    expectTypeOf(workerEnv<typeof app>(ctx)).toEqualTypeOf<Env>()
    expectTypeOf(workerEnv<typeof app>(ctx).ORDERS.get).returns.resolves.toEqualTypeOf<string | null>()
  })

  it('is the interface given, as before, and a record of unknowns by default', () => {
    expectTypeOf(workerEnv<Env>(ctx)).toEqualTypeOf<Env>()
    expectTypeOf(workerEnv(ctx)).toEqualTypeOf<Record<string, unknown>>()
  })

  it('a Hono app without Bindings gives a record of unknowns, not {}', () => {
    const plain = new Hono()
    expectTypeOf(workerEnv<typeof plain>(ctx)).toEqualTypeOf<Record<string, unknown>>()
  })

  it('workerRaw types the env the same way and reaches the execution context', () => {
    const raw = workerRaw<typeof app>(ctx)
    expectTypeOf(raw.env).toEqualTypeOf<Env>()
    expectTypeOf(raw.executionContext.passThroughOnException).toEqualTypeOf<(() => void) | undefined>()
    // @ts-expect-error: a binding the app does not declare
    void workerEnv<typeof app>(ctx).DB
  })
})
