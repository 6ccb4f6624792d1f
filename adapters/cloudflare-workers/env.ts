/**
 * The Worker's `env` bindings (KV, D1, queues, secrets, vars) and the rest
 * of its invocation from inside a handler, where only `ctx` reaches.
 */
import type { Context } from '../../src/context.js'
import { ConfigurationError } from '../../src/errors.js'
import { PROVIDER_NAME } from './to-worker.js'
import type { WorkersRaw } from './workers-types.js'

/**
 * The `Bindings` of an HTTP app, read from its `fetch(request, env)`: with
 * Hono, `new Hono<{ Bindings: Env }>()` gives `Env`. What {@link workerEnv}
 * returns when given the app's type, so that routes and handlers share one
 * declaration of the bindings.
 *
 * @example
 * ```ts
 * const app = new Hono<{ Bindings: { DB: D1Database } }>()
 * type Env = BindingsOf<typeof app>   // { DB: D1Database }
 * ```
 */
export type BindingsOf<App> = App extends FetchApp<infer B> ? NonEmptyBindings<Exclude<B, undefined>> : never

/** Anything that serves a request with the platform's bindings, `fetch(request, env)`: a Hono app, say. */
export interface FetchApp<Env = unknown> {
  /** Serves `request`; `env` is the Worker's bindings. */
  fetch(request: Request, env?: Env, ...rest: never[]): unknown
}

/**
 * `B` without the `{}` Hono adds to the type of its `env` parameter (which
 * is `Bindings | {}`); a record of unknowns when nothing else is left.
 */
export type NonEmptyBindings<B> = [WithoutEmpty<B>] extends [never] ? Record<string, unknown> : WithoutEmpty<B>

/** The members of the union `B` that are not `{}` (an object type with a required member). */
export type WithoutEmpty<B> = B extends unknown ? ({} extends B ? never : B) : never

/** `Env` itself, or the bindings of `Env` when it is an HTTP app's type (`typeof app`). */
export type EnvOf<Env> = Env extends FetchApp ? BindingsOf<Env> : Env

/**
 * The `env` of the Workers invocation that delivered this event, typed as
 * you declare it: as your `Env` interface, or, to declare it once for the
 * Hono app's routes and the handlers alike, as the app's `Bindings`
 * (`workerEnv<typeof app>(ctx)`). Throws a `ConfigurationError` when the
 * event did not come through `toWorker` or `wholeBatch` (in a test, pass
 * `{ provider: 'cloudflare-workers', env }` to `invoke`).
 *
 * @example
 * ```ts
 * import { workerEnv } from 'faasade/cloudflare-workers'
 * export interface Env { ORDERS: KVNamespace }
 * export const app = new Hono<{ Bindings: Env }>()
 *
 * async handle(event, ctx) {
 *   await workerEnv<typeof app>(ctx).ORDERS.put(event.data.orderId, 'placed')
 * }
 * ```
 */
export function workerEnv<Env = Record<string, unknown>>(ctx: Pick<Context, 'provider'>): EnvOf<Env> {
  // The provider's bindings; a test's context may carry them in `raw.env` instead.
  const env = ctx.provider.env ?? (ctx.provider.raw as { env?: unknown } | null | undefined)?.env
  if (ctx.provider.name !== PROVIDER_NAME || typeof env !== 'object' || env === null) {
    throw new ConfigurationError(`workerEnv: this event came from "${ctx.provider.name}", not from a Worker made by toWorker`)
  }
  return env as EnvOf<Env>
}

/**
 * The whole Workers invocation behind this event: the `env`, the execution
 * context (`waitUntil`, `passThroughOnException`, `props`) and the trigger's
 * own input (the request, the queue batch and message, the cron controller).
 * Throws a `ConfigurationError` when the event did not come from a Worker.
 *
 * @example
 * ```ts
 * import { workerRaw } from 'faasade/cloudflare-workers'
 * async handle(event, ctx) {
 *   const { message, executionContext } = workerRaw<typeof app>(ctx)
 *   if (message && message.attempts > 3) message.retry({ delaySeconds: 600 })   // settled by hand: the adapter leaves it
 *   executionContext.passThroughOnException?.()
 * }
 * ```
 */
export function workerRaw<Env = Record<string, unknown>>(ctx: Pick<Context, 'provider'>): WorkersRaw<EnvOf<Env>> {
  const raw = ctx.provider.raw as WorkersRaw<EnvOf<Env>> | null | undefined
  if (ctx.provider.name !== PROVIDER_NAME || typeof raw?.executionContext !== 'object' || raw.executionContext === null) {
    throw new ConfigurationError(`workerRaw: this event came from "${ctx.provider.name}", not from a Worker made by toWorker`)
  }
  return raw
}
