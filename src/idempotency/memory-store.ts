/**
 * The in-process store: the default, for local runs and tests. Each call is
 * one synchronous step behind a promise, so a claim is atomic among all the
 * deliveries of one process (JavaScript runs one of them at a time) and
 * exactly one of any number of concurrent claims wins. It is not shared
 * between processes or instances: in production, use a real store.
 *
 * No clock inside: `claim` is told the time, like every store. Records are
 * copied on the way in, so a caller changing its object changes nothing held.
 */
import type { ClaimResult, IdempotencyRecord, IdempotencyStore } from './store.js'
import { ConfigurationError } from '../errors.js'
import { checkOptions } from '../middleware.js'

/** What {@link memoryStore} takes: how many records it holds, and a size limit to imitate a real store's. */
export interface MemoryStoreOptions {
  /**
   * Records held at most. When full, a claim first drops dead records, then
   * the oldest COMPLETED ones until a tenth of the room is free (a later
   * duplicate of those runs again). Live claims are never dropped: with every
   * slot a live claim, `claim` rejects, which the middleware treats as a
   * store fault.
   * @defaultValue 10000
   */
  maxEntries?: number
  /** Advertised as the store's `maxRecordBytes`, to try the size limit of a real store locally. @defaultValue no limit */
  maxRecordBytes?: number
}

/** The in-process store, with its records visible to tests. */
export interface MemoryStore extends IdempotencyStore {
  readonly name: 'memory'
  /** Records held now, live or dead. */
  readonly size: number
  /** Drops every record. */
  clear(): void
}

/**
 * Creates an in-process store.
 *
 * @example
 * ```ts
 * import { idempotent, memoryStore } from 'faasade/idempotency'
 * const store = memoryStore({ maxEntries: 1000 })
 * export const onOrder = defineHandler({ use: [idempotent({ store })], handle })
 * ```
 */
export function memoryStore(options: MemoryStoreOptions = {}): MemoryStore {
  checkOptions('memoryStore', options, ['maxEntries', 'maxRecordBytes'])
  const maxEntries = options.maxEntries ?? 10_000
  if (!Number.isInteger(maxEntries) || maxEntries < 1) throw new ConfigurationError('memoryStore: maxEntries must be a positive integer')
  const { maxRecordBytes } = options
  if (maxRecordBytes !== undefined && !(Number.isInteger(maxRecordBytes) && maxRecordBytes > 0)) {
    throw new ConfigurationError('memoryStore: maxRecordBytes must be a positive integer')
  }
  // Insertion order is age order: a claim re-inserts its key.
  const records = new Map<string, IdempotencyRecord>()
  // No record held expires before this: the least expiresAt written since the
  // last scan for dead records. While the clock is short of it, there is
  // nothing dead to find, and a full store skips that scan of every record.
  let soonest = Infinity

  // When full, make room for a tenth at once: one scan pays for many claims,
  // rather than a scan for every claim of a full store.
  const makeRoom = (now: number) => {
    const target = maxEntries - Math.max(1, Math.floor(maxEntries / 10))
    if (soonest <= now) {
      soonest = Infinity
      for (const [key, record] of records) {
        if (record.expiresAt <= now) records.delete(key)
        else if (record.expiresAt < soonest) soonest = record.expiresAt
      }
    }
    for (const [key, record] of records) {
      if (records.size <= target) break
      if (record.status === 'COMPLETED') records.delete(key)
    }
    if (records.size >= maxEntries) throw new Error(`memoryStore is full: ${maxEntries} live claims`)
  }

  const store: MemoryStore = {
    name: 'memory',
    ...(maxRecordBytes === undefined ? {} : { maxRecordBytes }),
    async claim(record, now): Promise<ClaimResult> {
      const held = records.get(record.key)
      if (held && held.expiresAt > now) return { claimed: false, existing: held }
      if (held) records.delete(record.key)
      if (records.size >= maxEntries) makeRoom(now)
      records.set(record.key, copy(record))
      if (record.expiresAt < soonest) soonest = record.expiresAt
      return { claimed: true }
    },
    async complete(record) {
      const held = records.get(record.key)
      if (!held || held.owner !== record.owner || held.status !== 'INPROGRESS') return
      records.set(record.key, copy(record))
      if (record.expiresAt < soonest) soonest = record.expiresAt
    },
    async get(key) {
      return records.get(key)
    },
    async release(key, owner) {
      const held = records.get(key)
      if (held && held.owner === owner) records.delete(key)
    },
    get size() {
      return records.size
    },
    clear() {
      records.clear()
      soonest = Infinity
    },
  }
  return store
}

/** A record's own copy, field by field: a spread costs more, and would keep members a record does not have. */
function copy(record: IdempotencyRecord): IdempotencyRecord {
  const { key, status, expiresAt, payloadHash, owner, result } = record
  return result === undefined ? { key, status, expiresAt, payloadHash, owner } : { key, status, expiresAt, payloadHash, owner, result }
}
