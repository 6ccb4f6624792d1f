import type { MiddlewareHandler } from 'hono'
import { describe, expectTypeOf, it } from 'vitest'
import * as z from 'zod'
import { defineHandler, type Context, type Middleware } from 'faasade'
import {
  idempotency,
  idempotent,
  memoryStore,
  type Duration,
  type IdempotencyStore,
  type IdempotentOptions,
  type KeyFunction,
  type StoreFactory,
} from 'faasade/idempotency'

const store = memoryStore()

describe('idempotent types', () => {
  it('is a middleware that adds nothing to the context', () => {
    expectTypeOf(idempotent({ store })).toEqualTypeOf<Middleware<{}>>()
    defineHandler({
      data: z.object({ orderId: z.string() }),
      use: [idempotent({ store })],
      handle(event, ctx) {
        expectTypeOf(ctx).toEqualTypeOf<Context>()
        expectTypeOf(event.data.orderId).toBeString()
      },
    })
  })

  it('types the key and payload functions from the Data parameter, without casts', () => {
    idempotent<{ orderId: string; tenant: string }>({
      store,
      key: (event) => {
        expectTypeOf(event.data).toEqualTypeOf<{ orderId: string; tenant: string } | undefined>()
        return [event.data?.tenant, event.data?.orderId]
      },
      payload: (event) => event.data?.orderId,
    })
    idempotent({ key: (event) => event.subject })
    expectTypeOf<KeyFunction>().returns.toEqualTypeOf<string | number | boolean | bigint | null | undefined | readonly (string | number | boolean | bigint | null | undefined)[]>()
  })

  it('types key and payload by the handler schema passed once, with no cast, and refuses a mismatch', () => {
    const Greeting = z.object({ name: z.string(), count: z.number() })
    const handler = defineHandler({
      name: 'greet',
      data: Greeting,
      use: [
        idempotent({
          store,
          data: Greeting,
          key: (e) => {
            expectTypeOf(e.data).toEqualTypeOf<{ name: string; count: number }>()
            return e.data.name
          },
          payload: (e) => e.data.count,
        }),
      ],
      handle: (event) => event.data.name,
    })
    expectTypeOf(handler.name).toBeString()
    expectTypeOf(idempotent({ data: Greeting })).toEqualTypeOf<Middleware<{}, { name: string; count: number }>>()
    // A middleware written for other data does not fit this handler:
    defineHandler({
      data: Greeting,
      // @ts-expect-error: { orderId: string } is unrelated to the schema's output
      use: [idempotent<{ orderId: string }>({ store, key: (e) => e.data?.orderId })],
      handle: () => undefined,
    })
    // ...nor does one that names a schema of other data:
    defineHandler({
      data: Greeting,
      // @ts-expect-error: the key function's schema is not the handler's
      use: [idempotent({ data: z.object({ orderId: z.string() }), key: (e) => e.data.orderId })],
      handle: () => undefined,
    })
    // Typed by hand, where the handler has no schema, as before:
    defineHandler({ use: [idempotent<{ orderId: string }>({ store, key: (e) => e.data?.orderId })], handle: () => undefined })
    // @ts-expect-error: a key function typed by a schema sees data that is present
    idempotent({ data: Greeting, key: (e) => e.data?.missing })
  })

  it('types its options', () => {
    expectTypeOf<IdempotentOptions['ttl']>().toEqualTypeOf<Duration | undefined>()
    idempotent({ store, ttl: '24h', lease: '90s' })
    idempotent({ store, ttl: '1h30m', lease: 300_000 })
    expectTypeOf<IdempotentOptions['onStoreError']>().toEqualTypeOf<'fail' | 'run' | undefined>()
    expectTypeOf<IdempotentOptions['store']>().toEqualTypeOf<IdempotencyStore | StoreFactory | undefined>()
    // @ts-expect-error: an unknown option is a type error as well as a ConfigurationError
    idempotent({ store, tll: 5 })
    // @ts-expect-error: a duration string names its unit
    idempotent({ store, ttl: '1 hour' })
    // @ts-expect-error: the policy is 'fail' or 'run'
    idempotent({ store, onStoreError: 'ignore' })
    // @ts-expect-error: a key is a function of the event
    idempotent({ store, key: 'orderId' })
    // @ts-expect-error: payload is a function, or false
    idempotent({ store, payload: true })
  })

  it('gives a Hono middleware', () => {
    expectTypeOf(idempotency({ store, required: true })).toEqualTypeOf<MiddlewareHandler>()
    idempotency({ scope: (c) => c.req.header('x-account') })
    // @ts-expect-error: a typo in the options
    idempotency({ requried: true })
  })
})
