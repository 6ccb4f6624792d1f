/**
 * `idempotent()`: the handler's effect happens once per event, however many
 * times the provider delivers it. A core middleware, so it runs the same on
 * every adapter and on every item of a batch.
 */
import type { Context } from '../context.js'
import { ConfigurationError, DeploymentError, ValidationError } from '../errors.js'
import type { CloudEvent } from '../event.js'
import { checkOptions, defineMiddleware, type HandlerInfo, type Middleware } from '../middleware.js'
import { createGuard, type Guard } from './guard.js'
import { isStoreFactory, type StoreFactory } from './per-invocation.js'
import type { IdempotencyStore } from './store.js'
import { runOnce } from './once.js'
import { keyText, keyValue, sourceAndId, storeKey, type KeyFunction, type KeyPart } from './key.js'
import { COMMON_OPTIONS, guardConfig, isStore, type CommonOptions } from './options.js'
import { canonicalJson } from './canonical-json.js'
import { payloadHash } from './hash.js'
import { holdNamespace } from './namespace.js'
import { isStandardSchema, type SchemaOutput, type StandardSchema } from '../schema.js'
import type { EventOf } from '../handler.js'

/** Options of {@link idempotent}. `Data` types the event the `key` and `payload` functions see. */
export interface IdempotentOptions<Data = unknown> extends Omit<CommonOptions, 'store'> {
  /**
   * Where records live: a store, or a {@link StoreFactory} that makes one
   * from the invocation's context (a store on a Workers binding:
   * `d1Store((ctx) => workerEnv<Env>(ctx).DB)`). The default holds them in
   * this process only: use a shared store in production.
   * @defaultValue a new `memoryStore()` for this use
   */
  store?: IdempotencyStore | StoreFactory
  /**
   * What identifies a delivery. Returning nothing (`undefined`, `null`, `''`)
   * is an `IdempotencyKeyMissingError` (a `ValidationError`): the event is
   * refused, never run without idempotency.
   * @defaultValue the event's `source` and `id`
   */
  key?: KeyFunction<Data>
  /**
   * What is hashed to tell a redelivery from a different event under the
   * same key (an `IdempotencyKeyReusedError`). `false` skips the check.
   * Computed on entry, before any inner middleware or the handler can
   * change the event. With a `data` schema on the handler, that is the
   * schema's output (the schema runs before any middleware), so a transform
   * must be deterministic: one that stamps the current time makes every
   * redelivery look like a reuse.
   * @defaultValue the event's `data`
   */
  payload?: ((event: CloudEvent<Data>) => unknown) | false
  /**
   * Keep the handler's result and return it to duplicates. With `false`,
   * only the completion is recorded and a duplicate gets `undefined` (for
   * results too large for the store, or not wanted twice).
   * @defaultValue true
   */
  storeResult?: boolean
  /**
   * The name the records are kept under, in place of the handler's. Handlers
   * given the same `name` share records on purpose: a duplicate seen by one
   * is not run by the other (two versions of one handler, say).
   * @defaultValue the handler's name
   */
  name?: string
}

/**
 * Options of {@link idempotent} that name the handler's schema: `key` and
 * `payload` see the event as `handle` does, `data` typed by the schema's
 * output, and the data type is stated once, by the schema.
 *
 * @example
 * ```ts
 * const Order = z.object({ name: z.string() })
 * defineHandler({ data: Order, use: [idempotent({ data: Order, key: (e) => e.data.name })], handle })
 * ```
 */
export interface IdempotentSchemaOptions<S extends StandardSchema> extends Omit<IdempotentOptions, 'key' | 'payload'> {
  /**
   * The handler's `data` schema, the same object: it types `key` and
   * `payload`, and is checked against the handler's when the handler is
   * defined (a `ConfigurationError` if it is another).
   */
  data: S
  /** What identifies a delivery, from the event as `handle` sees it. @defaultValue the event's `source` and `id` */
  key?: (event: EventOf<S>) => KeyPart | readonly KeyPart[]
  /** What is hashed to tell a redelivery from a reuse of its key; `false` skips it. @defaultValue the event's `data` */
  payload?: ((event: EventOf<S>) => unknown) | false
}

const KNOWN = [...COMMON_OPTIONS, 'key', 'payload', 'storeResult', 'name', 'data']

/**
 * Makes a handler idempotent: the first delivery of an event runs it and
 * stores its result; a duplicate gets that result without running it; a
 * duplicate that arrives while the first still runs gets a retryable
 * `IdempotencyInProgressError`; a run that fails leaves no record, so the
 * redelivery runs it again.
 *
 * A replayed result is the JSON round trip of the original: a `Date` comes
 * back as its ISO string, a `Map` as `{}`, `undefined` members vanish. The
 * first delivery returns the handler's own value.
 *
 * Records are kept under the handler's name, and two handlers never share
 * them by accident. A handler whose name is a default (its exact `type`, or
 * `'handler'` for a wildcard) is refused when it is defined, with a
 * `ConfigurationError` naming both, if another handler already keeps records
 * under that name in the same store: else the second of two handlers of
 * `order.placed` (billing, email) would be handed the first one's result and
 * never run. Handlers share records only when asked to: the same explicit
 * handler `name` (one handler defined twice, as on several instances) or the
 * same `idempotent({ name })`. That check sees the handlers of one process,
 * and knows a store by its object: handlers deployed apart (two functions
 * on one table) cannot see each other, so give each handler that shares a
 * store with another deployment its own explicit `name`.
 *
 * Adds nothing to the context.
 *
 * @example
 * ```ts
 * import { defineHandler } from 'faasade'
 * import { idempotent } from 'faasade/idempotency'
 * import { redisStore } from 'faasade/idempotency/redis'
 *
 * const store = redisStore(redis)
 * export const orderPlaced = defineHandler({
 *   type: 'com.example.order.placed',
 *   use: [idempotent({ store })],                      // key: the event's source + id
 *   async handle(event, ctx) { return { charged: true } },
 * })
 * // a second handler of the same event type, on the same store, needs its own name:
 * export const confirmationEmail = defineHandler({
 *   name: 'confirmation-email',
 *   type: 'com.example.order.placed',
 *   use: [idempotent({ store })],
 *   async handle(event, ctx) { return { sent: true } },
 * })
 * // or keyed by a field of the data, typed by the handler's schema (pass the same one):
 * const Order = z.object({ orderId: z.string() })
 * export const shipped = defineHandler({
 *   name: 'shipped',
 *   data: Order,
 *   use: [idempotent({ store, data: Order, key: (e) => e.data.orderId, ttl: '24h' })],
 *   async handle(event) { return { shipped: event.data.orderId } },
 * })
 * // or by a type of your own, where the handler has no schema:
 * idempotent<{ orderId: string }>({ store, key: (e) => e.data?.orderId })
 * ```
 */
export function idempotent<S extends StandardSchema>(options: IdempotentSchemaOptions<S>): Middleware<{}, SchemaOutput<S>>
export function idempotent<Data = unknown>(options?: IdempotentOptions<Data>): Middleware<{}, Data>
export function idempotent<Data = unknown>(options: IdempotentOptions<Data> & { data?: StandardSchema } = {}): Middleware<{}, Data> {
  checkOptions('idempotent', options, KNOWN)
  const factory = isStoreFactory(options.store) ? options.store : undefined
  // With a factory, the options are checked now on a stand-in store, and
  // each store it makes gets a guard (and a cache) of its own.
  const config = guardConfig('idempotent', factory === undefined ? (options as CommonOptions) : { ...options, store: undefined })
  const guards = new WeakMap<IdempotencyStore, Guard>()
  const guardOf = (store: IdempotencyStore): Guard => {
    let found = guards.get(store)
    if (found === undefined) guards.set(store, (found = createGuard(guardConfig('idempotent', { ...options, store }))))
    return found
  }
  const schema = options.data
  if (schema !== undefined && !isStandardSchema(schema)) throw new ConfigurationError("idempotent: data must be the handler's Standard Schema (the same object as defineHandler's data)")
  const pickKey = (options.key ?? sourceAndId) as KeyFunction<Data>
  if (typeof pickKey !== 'function') throw new ConfigurationError('idempotent: key must be a function of the event')
  const pickPayload = options.payload ?? ((event: CloudEvent<Data>) => event.data)
  if (pickPayload !== false && typeof pickPayload !== 'function') {
    throw new ConfigurationError('idempotent: payload must be a function of the event, or false')
  }
  const storeResult = options.storeResult ?? true
  if (typeof storeResult !== 'boolean') throw new ConfigurationError('idempotent: storeResult must be a boolean')
  const shared = options.name
  if (shared !== undefined && (typeof shared !== 'string' || shared === '')) throw new ConfigurationError('idempotent: name must be a non-empty string')
  const guard = createGuard(config)

  // The handlers whose names this use has checked: defineHandler attaches
  // each one; a chain composed some other way is checked on its first run.
  const attached = new WeakSet<HandlerInfo>()
  let last: HandlerInfo | undefined
  const attach = (handler: HandlerInfo) => {
    if (schema !== undefined && handler.data !== schema) {
      throw new ConfigurationError(
        `idempotent: data is not the schema of handler "${handler.name}" (${handler.data === undefined ? 'it has none' : 'it has another'}): ` +
          'pass the same schema object as its defineHandler({ data }), so that key and payload see the data the handler does',
      )
    }
    holdNamespace(factory ?? config.store, shared ?? handler.name, handler, shared !== undefined || handler.named !== false)
    attached.add(handler)
  }

  return defineMiddleware<{}, Data>({
    name: 'idempotent',
    attach,
    async run(event, ctx: Context, next, handler) {
      if (handler !== last) {
        if (!attached.has(handler)) attach(handler)
        last = handler
      }
      // Read before the first await: later middleware and the handler get
      // the same event object and may change its data.
      const typed = event as CloudEvent<Data>
      const namespace = shared ?? handler.name
      const store = factory === undefined ? config.store : resolve(factory, ctx)
      const scheme = store.keys
      let pendingKey: string | Promise<string>
      let pendingHash: string | Promise<string>
      if (scheme === undefined) {
        const text = keyText(pickKey, typed)
        const payload = pickPayload === false ? undefined : payloadText(pickPayload, typed)
        // Hashes of short texts come back as strings, long ones as promises: await only those.
        pendingKey = storeKey(namespace, text)
        pendingHash = payload === undefined ? '' : payloadHash(payload)
      } else {
        const value = keyValue(pickKey, typed)
        const payload = pickPayload === false ? undefined : pickPayload(typed)
        pendingKey = scheme.key(namespace, value)
        pendingHash = pickPayload === false ? '' : scheme.payload(payload)
      }
      const key = typeof pendingKey === 'string' ? pendingKey : await pendingKey
      const hash = typeof pendingHash === 'string' ? pendingHash : await pendingHash

      // The deadline is on the context's clock and `now` may be a test's, far
      // from it: carry the time left over to `now`, so that the lease is
      // worked out on one clock. On the real clock the deadline is used as it
      // is: two readings of it may straddle a millisecond.
      const deadline = ctx.deadline === Infinity || config.now === Date.now ? ctx.deadline : config.now() + ctx.remainingMs()
      return runOnce({ guard: factory === undefined ? guard : guardOf(store), storeName: store.name, key, payloadHash: hash, deadline, log: ctx.log, storeResult }, () => next())
    },
  })
}

/**
 * The store a factory makes for this invocation. A factory that cannot make
 * one (a binding missing from this deployment) is a `DeploymentError`: the
 * event waits for the fix instead of running without idempotency.
 */
function resolve(factory: StoreFactory, ctx: Context): IdempotencyStore {
  let store: unknown
  try {
    store = factory.resolve(ctx)
  } catch (error) {
    if (error instanceof DeploymentError) throw error
    throw new DeploymentError(`idempotent: the ${factory.name} store for this invocation could not be made: ${(error as Error)?.message ?? String(error)}`, { cause: error })
  }
  if (!isStore(store)) throw new DeploymentError(`idempotent: the ${factory.name} store factory returned something that is not an idempotency store`)
  return store
}

function payloadText<Data>(pick: (event: CloudEvent<Data>) => unknown, event: CloudEvent<Data>): string {
  try {
    return canonicalJson(pick(event))
  } catch (error) {
    throw new ValidationError('idempotent: the payload cannot be hashed', [{ message: (error as Error).message ?? String(error) }], { cause: error })
  }
}
