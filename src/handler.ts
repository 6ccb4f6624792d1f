/**
 * `defineHandler`: one event handler, with its schema, filters and
 * middleware, ready for any adapter.
 */
import { compose } from './compose.js'
import type { Context } from './context.js'
import { ConfigurationError, TimeoutError } from './errors.js'
import { withData, type CloudEvent } from './event.js'
import { compileFilter, type EventFilter } from './filter.js'
import type { AddedBy, AnyMiddleware, HandlerInfo } from './middleware.js'
import { toPromise } from './outcome.js'
import { isStandardSchema, validate, type SchemaOutput, type StandardSchema } from './schema.js'

/** The options of {@link defineHandler}. */
export interface HandlerDefinition<S extends StandardSchema | undefined, U extends readonly AnyMiddleware[], R> {
  /** Names the handler in logs and idempotency keys. @defaultValue the exact `type`, else `'handler'` */
  name?: string
  /** Accept only events of this type (exact, `*` wildcards, or a RegExp). */
  type?: EventFilter
  /** Accept only events from this source (exact, `*` wildcards, or a RegExp). */
  source?: EventFilter
  /** Any Standard Schema (zod, zod/mini, valibot): `event.data` is checked, and typed, by it. */
  data?: S
  /**
   * Middleware, outermost first. One written for data of a type unrelated
   * to the schema's output is a type error.
   */
  use?: U
  /**
   * The business logic: runs once the event has passed the filters, the
   * schema and the middleware. What it returns is the delivery's result (the
   * HTTP reply to a CloudEvent sent over HTTP, the return value of a direct
   * invoke); what it throws decides whether the event is retried or dropped
   * (`RetryableError`, `PermanentError` and the rest of the family).
   */
  handle(event: EventOf<S>, ctx: Context & AddedBy<U>): R | Promise<R>
}

/**
 * The event `handle` receives: with a schema, `data` is its output and is
 * present (the schema ran); without one, `data` is `unknown`.
 */
export type EventOf<S> = S extends StandardSchema ? CloudEvent<SchemaOutput<S>> & { readonly data: SchemaOutput<S> } : CloudEvent<unknown>

/**
 * The data a handler's middleware sees: the schema's output, or `unknown`
 * without one. A middleware in `use` must be written for data related to it.
 *
 * @example
 * ```ts
 * type OrderData = DataOf<typeof Order> // { orderId: string }
 * ```
 */
export type DataOf<S> = S extends StandardSchema ? SchemaOutput<S> : unknown

/** A defined handler. Adapters call {@link Handler.run}; users pass it to an adapter. */
export interface Handler<Data = unknown, Result = unknown> {
  readonly kind: 'faasade.handler'
  readonly name: string
  /** Whether this handler takes an event of this type and source. (Readonly, as every member: a handler is frozen.) */
  readonly accepts: (event: Pick<CloudEvent, 'type' | 'source'>) => boolean
  /**
   * Checks the deadline and the data, then runs the middleware and `handle`.
   * Throws the error family of `faasade` (or whatever `handle` threw).
   */
  readonly run: (event: CloudEvent, ctx: Context) => Promise<Result>
  /** Type-only. */
  readonly '~types'?: { readonly data: Data; readonly result: Result }
}

const KNOWN = ['name', 'type', 'source', 'data', 'use', 'handle']

/**
 * Defines an event handler. `event.data` is typed from `data`, and `ctx`
 * gains what each middleware in `use` adds.
 *
 * @example
 * ```ts
 * import { defineHandler } from 'faasade'
 * import * as z from 'zod'
 *
 * export const orderPlaced = defineHandler({
 *   type: 'com.example.order.placed',
 *   data: z.object({ orderId: z.string(), amount: z.number().positive() }),
 *   async handle(event, ctx) {
 *     ctx.log.info('charging', { orderId: event.data.orderId })
 *     return { charged: true }
 *   },
 * })
 * ```
 */
export function defineHandler<
  S extends StandardSchema | undefined = undefined,
  const U extends readonly AnyMiddleware<DataOf<S>>[] = [],
  R = unknown,
>(definition: HandlerDefinition<S, U, R>): Handler<S extends StandardSchema ? SchemaOutput<S> : unknown, Awaited<R>> {
  for (const key of Object.keys(definition)) {
    if (!KNOWN.includes(key)) throw new ConfigurationError(`defineHandler: unknown option "${key}"; known options: ${KNOWN.join(', ')}`)
  }
  if (typeof definition.handle !== 'function') throw new ConfigurationError('defineHandler: `handle` must be a function')
  const schema = definition.data
  if (schema !== undefined && !isStandardSchema(schema)) {
    throw new ConfigurationError('defineHandler: `data` must be a Standard Schema (zod, zod/mini, valibot, …)')
  }
  const use = definition.use ?? []
  for (const [i, m] of use.entries()) {
    if (typeof m?.run !== 'function') throw new ConfigurationError(`defineHandler: use[${i}] is not a middleware`)
  }
  const name = definition.name ?? (typeof definition.type === 'string' && !definition.type.includes('*') ? definition.type : 'handler')
  const typeMatches = compileFilter(definition.type, 'defineHandler: `type`')
  const sourceMatches = compileFilter(definition.source, 'defineHandler: `source`')
  const info: HandlerInfo = Object.freeze({ name, named: definition.name !== undefined, type: definition.type, source: definition.source, data: schema })
  for (const m of use) m.attach?.(info)
  const handle = definition.handle as (event: CloudEvent, ctx: Context) => unknown
  const chain = compose(use, (event, ctx) => toPromise(() => handle(event, ctx)), info)

  return Object.freeze({
    kind: 'faasade.handler' as const,
    name,
    accepts: (event: Pick<CloudEvent, 'type' | 'source'>) => typeMatches(event.type) && sourceMatches(event.source),
    run(event: CloudEvent, ctx: Context) {
      return toPromise(() => {
        // Work started after the deadline would be cut off half done: refuse it whole.
        if (ctx.deadline <= Date.now()) throw new TimeoutError('The invocation deadline passed before the handler ran')
        if (schema === undefined) return chain(event, ctx)
        const data = validate(schema, event.data)
        if (data instanceof Promise) return data.then((valid) => chain(withData(event, valid), ctx))
        return chain(withData(event, data), ctx)
      })
    },
  }) as Handler<any, any>
}

/** True for a value made by {@link defineHandler}. */
export function isHandler(value: unknown): value is Handler {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'faasade.handler'
}
