/**
 * The per-instance secret cache: one entry per provider key, in one time
 * unit (ms), on an injected clock.
 *
 * - Single flight: the entry holds the in-flight promise, so any number of
 *   concurrent first uses share one fetch.
 * - Errors are never cached: a failed fetch leaves no promise behind, so the
 *   next use fetches again.
 * - Stale while error: when a refresh fails, the last good value is served
 *   (and the caller told, so it can log) until it is `maxAge` old; after
 *   that the error is thrown.
 * - A provider may cap freshness (`expiresAt`, e.g. an AWS rotation date).
 *
 * The cache is not size-bounded because it need not be: its keys are the
 * providers declared in code, a fixed set.
 */
import type { LoadedSecret } from './provider.js'

export interface SecretCacheOptions {
  /** How long a fetched value is served without asking again, in ms. */
  readonly ttl: number
  /** How old a value may get while refreshes fail, in ms (at least `ttl`). */
  readonly maxAge: number
  /** Epoch ms. */
  readonly now: () => number
}

/** A cached read: the value, and the error of the refresh that failed if the value is stale. */
export interface CacheRead<T> {
  readonly value: T
  readonly staleBecause?: unknown
}

interface Entry {
  loaded: LoadedSecret<unknown> | undefined
  fetchedAt: number
  freshUntil: number
  inflight: Promise<LoadedSecret<unknown>> | undefined
}

export class SecretCache {
  readonly #entries = new Map<string, Entry>()
  readonly #options: SecretCacheOptions

  constructor(options: SecretCacheOptions) {
    this.#options = options
  }

  /**
   * The value under `key`: from cache while fresh, else from `load` (shared
   * with any fetch already in flight). `force` skips the freshness check.
   */
  async get<T>(key: string, load: () => Promise<LoadedSecret<T>>, force = false): Promise<CacheRead<T>> {
    const entry = this.#entries.get(key)
    if (!force && entry?.loaded && this.#options.now() < entry.freshUntil) return { value: entry.loaded.value as T }
    const flight = entry?.inflight ?? this.#start(key, load)
    try {
      return { value: (await flight).value as T }
    } catch (error) {
      const current = this.#entries.get(key)
      if (current?.loaded && this.#options.now() - current.fetchedAt < this.#options.maxAge) {
        return { value: current.loaded.value as T, staleBecause: error }
      }
      throw error
    }
  }

  /** Starts a fetch for `key` unless one is in flight, and returns it (prefetch). */
  start<T>(key: string, load: () => Promise<LoadedSecret<T>>): Promise<LoadedSecret<T>> {
    return (this.#entries.get(key)?.inflight ?? this.#start(key, load)) as Promise<LoadedSecret<T>>
  }

  #start(key: string, load: () => Promise<LoadedSecret<unknown>>): Promise<LoadedSecret<unknown>> {
    let entry = this.#entries.get(key)
    if (!entry) this.#entries.set(key, (entry = { loaded: undefined, fetchedAt: 0, freshUntil: 0, inflight: undefined }))
    const target = entry
    const flight = load().then(
      (loaded) => {
        const now = this.#options.now()
        target.loaded = loaded
        target.fetchedAt = now
        // A rotation date already passed (rotation overdue) must not make every use refetch.
        const cap = loaded.expiresAt !== undefined && loaded.expiresAt > now ? loaded.expiresAt : Infinity
        target.freshUntil = Math.min(now + this.#options.ttl, cap)
        target.inflight = undefined
        return loaded
      },
      (error: unknown) => {
        target.inflight = undefined
        if (!target.loaded) this.#entries.delete(key)
        throw error
      },
    )
    target.inflight = flight
    return flight
  }
}
