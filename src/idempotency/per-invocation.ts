/**
 * Stores that exist per invocation. On Workers a binding (`env.DB`) is
 * handed to each invocation, not to the module, so a store on it cannot be
 * made when the handler is defined. A {@link StoreFactory} is made then
 * instead, and turns the invocation's context into the store: the first
 * invocation creates it and later ones in the same isolate reuse it.
 */
import type { Context } from '../context.js'
import { ConfigurationError } from '../errors.js'
import type { IdempotencyStore } from './store.js'

/**
 * A store made from the invocation's context, for `idempotent({ store })`.
 * Made by {@link perInvocation}, or by a store that takes a function of the
 * context (`d1Store((ctx) => workerEnv<Env>(ctx).DB)`).
 */
export interface StoreFactory {
  readonly kind: 'faasade.store-factory'
  /** For logs and errors, as a store's. */
  readonly name: string
  /** The store for this invocation: the same object for every invocation that gives the same bindings. */
  resolve(ctx: Context): IdempotencyStore
}

/**
 * A store created from the first invocation's context and reused by every
 * later one in this isolate (or process). For a store on a Workers binding;
 * `d1Store` takes a function of the context itself.
 *
 * @example
 * ```ts
 * import { workerEnv } from 'faasade/cloudflare-workers'
 * import { idempotent, perInvocation } from 'faasade/idempotency'
 * import { d1Store } from 'faasade/idempotency/d1'
 *
 * const store = perInvocation('d1', (ctx) => d1Store(workerEnv<{ DB: D1Database }>(ctx).DB))
 * export const onJob = defineHandler({ name: 'jobs', use: [idempotent({ store })], handle })
 * ```
 */
export function perInvocation(name: string, create: (ctx: Context) => IdempotencyStore): StoreFactory {
  if (typeof name !== 'string' || name === '') throw new ConfigurationError('perInvocation: name must be a non-empty string (for logs)')
  if (typeof create !== 'function') throw new ConfigurationError('perInvocation: create must be a function of the invocation context, returning a store')
  let store: IdempotencyStore | undefined
  return {
    kind: 'faasade.store-factory',
    name,
    resolve(ctx) {
      store ??= create(ctx)
      return store
    },
  }
}

/** True for a {@link StoreFactory}. */
export function isStoreFactory(value: unknown): value is StoreFactory {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'faasade.store-factory'
}
