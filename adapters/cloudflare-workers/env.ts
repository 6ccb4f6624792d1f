/**
 * The Worker's `env` bindings (KV, D1, queues, secrets, vars) from inside a
 * handler, where only `ctx` reaches.
 */
import type { Context } from '../../src/context.js'
import { ConfigurationError } from '../../src/errors.js'
import { PROVIDER_NAME } from './to-worker.js'

/**
 * The `env` of the Workers invocation that delivered this event, typed as
 * you declare it. Throws a `ConfigurationError` when the event did not come
 * through `toWorker` (in a test, pass `raw: { env }` with the provider name
 * `'cloudflare-workers'`, or read `ctx.provider.raw` yourself).
 *
 * @example
 * ```ts
 * import { workerEnv } from 'faasade/cloudflare-workers'
 * interface Env { ORDERS: KVNamespace }
 * async handle(event, ctx) {
 *   await workerEnv<Env>(ctx).ORDERS.put(event.data.orderId, 'placed')
 * }
 * ```
 */
export function workerEnv<Env = Record<string, unknown>>(ctx: Pick<Context, 'provider'>): Env {
  // The provider's bindings; a test's context may carry them in `raw.env` instead.
  const env = ctx.provider.env ?? (ctx.provider.raw as { env?: unknown } | null | undefined)?.env
  if (ctx.provider.name !== PROVIDER_NAME || typeof env !== 'object' || env === null) {
    throw new ConfigurationError(`workerEnv: this event came from "${ctx.provider.name}", not from a Worker made by toWorker`)
  }
  return env as Env
}
