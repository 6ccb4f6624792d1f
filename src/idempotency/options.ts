/**
 * The options both idempotency middlewares share, checked once when the
 * middleware is defined: an unknown key, a store that is not one, or a
 * duration that is not a positive number of milliseconds is a
 * `ConfigurationError` there, never a silent default at run time.
 *
 * Everything here belongs to one use of the middleware. A store is only a
 * place to keep records: two handlers sharing one store each keep their own
 * `ttl`, `lease` and cache.
 */
import { ConfigurationError } from '../errors.js'
import { createRecordCache, type CacheOptions } from './cache.js'
import { parseDuration, type Duration } from './duration.js'
import type { GuardConfig, StoreErrorPolicy } from './guard.js'
import { memoryStore } from './memory-store.js'
import type { IdempotencyStore } from './store.js'

/** Options of every idempotency middleware. */
export interface CommonOptions {
  /**
   * Where records live. The default holds them in this process only: it
   * stops duplicates that reach the same instance, not others. Use a shared
   * store (`faasade/idempotency/redis`, `/dynamodb`, …) in production.
   * @defaultValue a new `memoryStore()` for this use
   */
  store?: IdempotencyStore
  /**
   * How long a result is kept and replayed: a duration with its unit
   * (`'24h'`, `'15m'`, `'90s'`), or milliseconds that are a whole number of
   * seconds (`86_400_000`). A number that is not (`86400`, Powertools'
   * `expiresAfterSeconds` carried over) is refused, naming both readings.
   * @defaultValue `'1h'`
   */
  ttl?: Duration
  /**
   * How long a claim holds the key at most; it never outlives the
   * invocation's deadline. A delivery that crashes blocks the key for this
   * long. Set it above the handler's longest run where the provider gives
   * no deadline. Written as `ttl` is (`'5m'`, or `300_000` ms).
   * @defaultValue `'5m'`
   */
  lease?: Duration
  /**
   * A local LRU of COMPLETED records, so a duplicate reaching the same warm
   * instance costs no round trip. `false` turns it off.
   * @defaultValue true (1000 entries, 4 MiB of results)
   */
  cache?: boolean | CacheOptions
  /**
   * When the store fails before the handler ran: `'fail'` gives a retryable
   * `IdempotencyStoreError` and does not run it; `'run'` runs it anyway
   * (without idempotency) and logs an error.
   * @defaultValue 'fail'
   */
  onStoreError?: StoreErrorPolicy
  /**
   * The clock of records and leases, epoch ms; tests pass a virtual one. It
   * may be any distance from real time: the invocation's deadline (real
   * time) is carried over to it as the time the invocation has left.
   * @defaultValue `Date.now`
   */
  now?: () => number
}

export const COMMON_OPTIONS = ['store', 'ttl', 'lease', 'cache', 'onStoreError', 'now'] as const

export const DEFAULT_TTL_MS = 60 * 60 * 1000
export const DEFAULT_LEASE_MS = 5 * 60 * 1000

function positiveMs(owner: string, name: string, value: unknown, fallback: number): number {
  // Whole milliseconds (the parser's promise): stores keep expiry times at
  // that resolution (Redis PXAT, DynamoDB numbers, SQL).
  return value === undefined ? fallback : parseDuration(owner, name, value)
}

export function isStore(value: unknown): value is IdempotencyStore {
  if (typeof value !== 'object' || value === null) return false
  const store = value as Record<string, unknown>
  return typeof store.name === 'string' && ['claim', 'complete', 'get', 'release'].every((m) => typeof store[m] === 'function')
}

/** Checks the shared options and turns them into the guard's configuration. */
export function guardConfig(owner: string, options: CommonOptions): GuardConfig {
  const store = options.store ?? memoryStore()
  if (!isStore(store)) throw new ConfigurationError(`${owner}: store must be an idempotency store ({ name, claim, complete, get, release })`)
  const ttl = positiveMs(owner, 'ttl', options.ttl, DEFAULT_TTL_MS)
  const lease = positiveMs(owner, 'lease', options.lease, DEFAULT_LEASE_MS)
  const onStoreError = options.onStoreError ?? 'fail'
  if (onStoreError !== 'fail' && onStoreError !== 'run') throw new ConfigurationError(`${owner}: onStoreError must be 'fail' or 'run'`)
  const now = options.now ?? Date.now
  if (typeof now !== 'function') throw new ConfigurationError(`${owner}: now must be a function returning epoch ms`)
  const cacheOption = options.cache ?? true
  let cache: GuardConfig['cache']
  if (cacheOption === true) cache = createRecordCache()
  else if (cacheOption === false) cache = undefined
  else if (typeof cacheOption === 'object' && cacheOption !== null) {
    for (const key of Object.keys(cacheOption)) {
      if (key !== 'maxEntries' && key !== 'maxBytes') throw new ConfigurationError(`${owner}: unknown cache option "${key}"; known: maxEntries, maxBytes`)
    }
    for (const [key, value] of Object.entries(cacheOption)) {
      if (value !== undefined && !(Number.isInteger(value) && (value as number) >= 0)) {
        throw new ConfigurationError(`${owner}: cache.${key} must be a non-negative integer`)
      }
    }
    cache = createRecordCache(cacheOption)
  } else throw new ConfigurationError(`${owner}: cache must be true, false or { maxEntries?, maxBytes? }`)
  return { store, ttl, lease, cache, onStoreError, now }
}
