/**
 * Middleware: a function around the rest of the chain. It declares what it
 * adds to the context in its type, and hands those fields to `next`, so a
 * middleware cannot forget to supply what it promised.
 *
 * @example
 * ```ts
 * import { defineMiddleware } from 'faasade'
 * export const timing = () => defineMiddleware<{ startedAt: number }>({
 *   name: 'timing',
 *   async run(event, ctx, next) {
 *     const startedAt = Date.now()
 *     try { return await next({ startedAt }) }
 *     finally { ctx.log.info('done', { ms: Date.now() - startedAt }) }
 *   },
 * })
 * ```
 */
import type { Context } from './context.js'
import type { CloudEvent } from './event.js'
import type { EventFilter } from './filter.js'
import { ConfigurationError } from './errors.js'
import type { StandardSchema } from './schema.js'

/** Calls the rest of the chain with this middleware's context additions. */
export type Next<Add extends object> = {} extends Add
  ? (additions?: Add) => Promise<unknown>
  : (additions: Add) => Promise<unknown>

/** Facts about the handler a middleware runs in, fixed at definition time. */
export interface HandlerInfo {
  /** The handler's name: its `name` option, else its exact `type`, else `'handler'`. */
  readonly name: string
  /**
   * Whether `name` is the handler's own `name` option. A defaulted name says
   * what the handler listens to, not which handler it is: two handlers of
   * one type get the same one.
   * @defaultValue true
   */
  readonly named?: boolean
  /** The handler's `type` filter as given, for messages. */
  readonly type?: EventFilter
  /** The handler's `source` filter as given, for messages. */
  readonly source?: EventFilter
  /**
   * The handler's `data` schema, if it has one: a middleware typed by a
   * schema of its own (`idempotent({ data })`) checks it is the same one.
   */
  readonly data?: StandardSchema
}

/**
 * Any middleware, whatever it adds to the context: what a handler's `use`
 * list holds (`Data`: the handler's data). Its `next` is typed `never` so that a middleware of every
 * `Add` fits (a method's parameters are compared both ways), and `~adds`
 * is kept, so that the list's element types, which `AddedBy` reads, stay
 * exactly as written.
 *
 * @example
 * ```ts
 * const stack: readonly AnyMiddleware[] = [idempotent({ store }), secrets({ apiKey: fromEnv('API_KEY') })]
 * ```
 */
export interface AnyMiddleware<Data = unknown> {
  readonly name: string
  /** As {@link Middleware.run}, whatever the `next` it is written for. */
  run(event: CloudEvent, ctx: Context, next: never, handler: HandlerInfo): Promise<unknown>
  /** As {@link Middleware.attach}. */
  attach?(handler: HandlerInfo): void
  readonly retriesNext?: boolean
  readonly '~adds'?: object
  /** As {@link Middleware}'s: a handler whose data is of an unrelated type refuses the middleware. */
  '~data'?(data: Data): void
}

/**
 * A middleware that adds `Add` to the handler's context. `Data` is the event
 * data it was written for (`unknown`: any): a handler whose schema gives
 * data of an unrelated type refuses it at compile time.
 */
export interface Middleware<Add extends object = {}, Data = unknown> {
  readonly name: string
  /**
   * Runs around the rest of the chain: return without calling `next` to
   * short-circuit; the middlewares outside this one still see the result.
   */
  run(event: CloudEvent, ctx: Context, next: Next<Add>, handler: HandlerInfo): Promise<unknown>
  /**
   * Called once for each handler that lists this middleware in `use`, when
   * that handler is defined: the place to refuse, with a
   * `ConfigurationError`, a handler the middleware cannot serve safely, so
   * that the mistake fails at start-up rather than on a delivery.
   *
   * @example
   * ```ts
   * const once = () => defineMiddleware({
   *   name: 'once',
   *   attach(handler) {
   *     if (handler.named === false) throw new ConfigurationError(`once: name the handler of type ${handler.type}`)
   *   },
   *   run: (event, ctx, next) => next(),
   * })
   * ```
   */
  attach?(handler: HandlerInfo): void
  /**
   * Lets `run` call `next` once more after its first call rejected, for a
   * middleware that retries the rest of the chain (the secrets middleware's
   * `refreshOn`). Any other second call is still refused.
   * @defaultValue false
   */
  readonly retriesNext?: boolean
  /** Type-only marker of what this middleware adds; never set at run time. */
  readonly '~adds'?: Add
  /**
   * Type-only marker of the data this middleware was written for; never set
   * at run time. A method, so that it compares both ways: a middleware for
   * `{ orderId: string }` fits a handler whose data is that or a subtype (or
   * has no schema), not one whose data is unrelated.
   */
  '~data'?(data: Data): void
}

/** The context fields a list of middleware adds, in order. */
export type AddedBy<U extends readonly unknown[]> = U extends readonly [infer Head, ...infer Rest]
  ? (Head extends Middleware<infer A> ? A : {}) & AddedBy<Rest>
  : {}

/** Identity function that types a middleware's additions. */
export function defineMiddleware<Add extends object = {}, Data = unknown>(middleware: Middleware<Add, Data>): Middleware<Add, Data> {
  if (typeof middleware?.run !== 'function' || typeof middleware.name !== 'string') {
    throw new ConfigurationError('defineMiddleware needs { name: string, run(event, ctx, next) }')
  }
  return middleware
}

/**
 * Rejects option keys a middleware does not know, so a typo fails when the
 * handler is defined instead of silently falling back to a default.
 */
export function checkOptions(owner: string, options: object | undefined, known: readonly string[]): void {
  if (options === undefined) return
  if (typeof options !== 'object' || options === null) throw new ConfigurationError(`${owner}: options must be an object`)
  for (const key of Object.keys(options)) {
    if (known.includes(key)) continue
    const hint = known.find((k) => closeTo(k, key))
    throw new ConfigurationError(
      `${owner}: unknown option "${key}"${hint ? ` (did you mean "${hint}"?)` : ''}; known options: ${known.join(', ')}`,
    )
  }
}

function closeTo(a: string, b: string): boolean {
  if (a.toLowerCase() === b.toLowerCase()) return true
  if (Math.abs(a.length - b.length) > 2) return false
  // Levenshtein distance at most 2, enough for typos.
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    const cur = [i]
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1))
    }
    prev = cur
  }
  return prev[b.length]! <= 2
}
