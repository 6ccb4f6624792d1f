/**
 * `faasade/idempotency`: a handler's effect happens once per event, on every
 * provider. The middleware, its errors, the store interface and the
 * in-process store; each shared store is its own door
 * (`faasade/idempotency/redis`, `/dynamodb`, `/postgres`, `/azure-table`, `/d1`).
 *
 * @example
 * ```ts
 * import { defineHandler } from 'faasade'
 * import { idempotent, memoryStore } from 'faasade/idempotency'
 * const store = memoryStore()
 * export const orderPlaced = defineHandler({ use: [idempotent({ store })], handle: async () => ({ charged: true }) })
 * ```
 */
export { idempotent, type IdempotentOptions, type IdempotentSchemaOptions } from './middleware.js'
export { makeIdempotent, type MakeIdempotentOptions } from './function.js'
export { idempotency, parseKey as parseIdempotencyKey, type IdempotencyOptions } from './hono.js'
export type { CommonOptions } from './options.js'
export type { Duration, DurationString, DurationUnit } from './duration.js'
export type { CacheOptions } from './cache.js'
export type { StoreErrorPolicy } from './guard.js'
export { sourceAndId, type KeyFunction, type KeyPart } from './key.js'
export { perInvocation, isStoreFactory, type StoreFactory } from './per-invocation.js'
export { memoryStore, type MemoryStore, type MemoryStoreOptions } from './memory-store.js'
export {
  IdempotencyInProgressError,
  IdempotencyKeyMissingError,
  IdempotencyKeyReusedError,
  IdempotencyResultError,
  IdempotencyStoreError,
  isIdempotencyError,
  type IdempotencyError,
  type IdempotencyErrorFields,
  type ResultProblem,
  type StoreOperation,
} from './errors.js'
export { DELIVERY_TABLE, RECORD_TRANSITIONS, type Found, type PayloadMatch, type Verdict } from './state-machine.js'
export { canonicalJson } from './canonical-json.js'
export { recordBytes, RECORD_OVERHEAD_BYTES } from './guard.js'
export type { ClaimResult, IdempotencyRecord, IdempotencyStatus, IdempotencyStore, KeyScheme } from './store.js'
