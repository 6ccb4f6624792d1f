import type { CloudEventV1 } from 'cloudevents'
import * as v from 'valibot'
import { describe, expectTypeOf, it } from 'vitest'
import * as z from 'zod'
import * as zm from 'zod/mini'
import { defineHandler, defineMiddleware, type CloudEvent, type Context, type Handler } from 'faasade'
import { invoke } from 'faasade/testing'

const withUser = defineMiddleware<{ user: { id: string } }>({ name: 'user', run: (_e, _c, next) => next({ user: { id: 'u1' } }) })
const withFlags = defineMiddleware<{ flags: readonly string[] }>({ name: 'flags', run: (_e, _c, next) => next({ flags: [] }) })

describe('type inference', () => {
  it('infers event.data from a zod, zod/mini or valibot schema', () => {
    defineHandler({
      data: z.object({ orderId: z.string(), amount: z.number() }),
      handle(event) {
        expectTypeOf(event.data).toEqualTypeOf<{ orderId: string; amount: number }>()
      },
    })
    defineHandler({
      data: zm.object({ n: zm.number() }),
      handle(event) {
        expectTypeOf(event.data).toEqualTypeOf<{ n: number }>()
      },
    })
    defineHandler({
      data: v.object({ tags: v.array(v.string()) }),
      handle(event) {
        expectTypeOf(event.data).toEqualTypeOf<{ tags: string[] }>()
      },
    })
  })

  it('uses the schema output (after transforms)', () => {
    defineHandler({
      data: z.object({ at: z.string().transform((s) => new Date(s)) }),
      handle(event) {
        expectTypeOf(event.data.at).toEqualTypeOf<Date>()
      },
    })
  })

  it('leaves data unknown without a schema', () => {
    defineHandler({
      handle(event) {
        expectTypeOf(event.data).toEqualTypeOf<unknown>()
      },
    })
  })

  it("adds each middleware's fields to ctx, with no casts", () => {
    defineHandler({
      use: [withUser, withFlags],
      handle(_event, ctx) {
        expectTypeOf(ctx.user.id).toEqualTypeOf<string>()
        expectTypeOf(ctx.flags).toEqualTypeOf<readonly string[]>()
        expectTypeOf(ctx).toMatchTypeOf<Context>()
      },
    })
  })

  it('rejects a ctx access no middleware provides', () => {
    defineHandler({
      use: [withUser],
      handle(_event, ctx) {
        // @ts-expect-error: no middleware in `use` adds `flags`
        ctx.flags
        // @ts-expect-error: `user.name` does not exist
        ctx.user.name
      },
    })
    defineHandler({
      handle(_event, ctx) {
        // @ts-expect-error: nothing is added without middleware
        ctx.user
      },
    })
  })

  it('makes a middleware hand over what it promised', () => {
    defineMiddleware<{ user: { id: string } }>({
      name: 'broken',
      // @ts-expect-error: next() must be given { user }
      run: (_e, _c, next) => next(),
    })
  })

  it('infers the result type', async () => {
    const h = defineHandler({ data: z.object({ n: z.number() }), handle: (e) => ({ doubled: e.data.n * 2 }) })
    expectTypeOf(h).toEqualTypeOf<Handler<{ n: number }, { doubled: number }>>()
    const run = await invoke(h, {})
    if (run.ok) expectTypeOf(run.result).toEqualTypeOf<{ doubled: number }>()
  })

  it('gives events that satisfy the cloudevents SDK type', () => {
    expectTypeOf<CloudEvent<{ n: number }>>().toMatchTypeOf<CloudEventV1<{ n: number }>>()
    defineHandler({
      data: z.object({ n: z.number() }),
      handle(event) {
        const sdkTyped: CloudEventV1<{ n: number }> = event
        expectTypeOf(sdkTyped.data).toEqualTypeOf<{ n: number } | undefined>()
      },
    })
  })
})
