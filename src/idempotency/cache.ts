/**
 * A small local LRU of COMPLETED records, so that a duplicate delivered to
 * the same warm instance is answered with no store round trip.
 *
 * Only COMPLETED records are ever held. An INPROGRESS record says "someone
 * is running this now", which is true only until that someone finishes or
 * crashes; a cached copy would keep saying it after the store stopped, and a
 * redelivery that should run would be told to wait (or, worse, a released
 * claim would look held). A COMPLETED record only ever goes from live to
 * expired, and the cache checks `expiresAt` on every read.
 */
import type { IdempotencyRecord } from './store.js'
import { utf8Length } from './hash.js'

/** Bounds of the local cache. */
export interface CacheOptions {
  /** @defaultValue 1000 */
  maxEntries?: number
  /** Sum of the stored results' sizes (UTF-8 bytes). @defaultValue 4 MiB */
  maxBytes?: number
}

export const DEFAULT_CACHE: Required<CacheOptions> = { maxEntries: 1000, maxBytes: 4 * 1024 * 1024 }

export interface RecordCache {
  /** The live COMPLETED record under `key`, or `undefined`. */
  get(key: string, now: number): IdempotencyRecord | undefined
  /** Keeps `record` if it is COMPLETED and live; anything else is ignored. */
  set(record: IdempotencyRecord, now: number): void
  delete(key: string): void
  readonly size: number
}

/**
 * An LRU bounded by entries and bytes; a Map's insertion order is the
 * recency order. A read moves its record to the newest end only when it is
 * not among the newer half already: a re-insertion costs as much as the rest
 * of a hit, and a record in the newer half is not next in line for eviction.
 */
export function createRecordCache(options: CacheOptions = {}): RecordCache {
  const maxEntries = options.maxEntries ?? DEFAULT_CACHE.maxEntries
  const maxBytes = options.maxBytes ?? DEFAULT_CACHE.maxBytes
  // `placed`: the count of placements at the newest end when this entry got
  // there; entries placed after it are at most `placements - placed`.
  const entries = new Map<string, { record: IdempotencyRecord; bytes: number; placed: number }>()
  let bytes = 0
  let placements = 0

  const remove = (key: string) => {
    const entry = entries.get(key)
    if (!entry) return
    entries.delete(key)
    bytes -= entry.bytes
  }

  return {
    get(key, now) {
      const entry = entries.get(key)
      if (!entry) return undefined
      if (entry.record.expiresAt <= now) {
        remove(key)
        return undefined
      }
      if (placements - entry.placed >= entries.size >> 1) {
        entries.delete(key)
        entries.set(key, entry)
        entry.placed = ++placements
      }
      return entry.record
    },
    set(record, now) {
      if (record.status !== 'COMPLETED' || record.expiresAt <= now) return
      const size = record.result === undefined ? 0 : utf8Length(record.result)
      remove(record.key)
      // One result larger than the whole budget would only evict everything else.
      if (size > maxBytes || maxEntries <= 0) return
      entries.set(record.key, { record, bytes: size, placed: ++placements })
      bytes += size
      if (entries.size <= maxEntries && bytes <= maxBytes) return
      for (const oldest of entries.keys()) {
        if (entries.size <= maxEntries && bytes <= maxBytes) break
        remove(oldest)
      }
    },
    delete: remove,
    get size() {
      return entries.size
    },
  }
}
