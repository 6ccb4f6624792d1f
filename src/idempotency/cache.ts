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

interface Node {
  readonly key: string
  record: IdempotencyRecord
  bytes: number
  /** Toward the least recently used end. */
  older: Node | undefined
  /** Toward the most recently used end. */
  newer: Node | undefined
}

/**
 * An LRU bounded by entries and bytes: a Map finds a record, a linked list
 * keeps the order of use. A Map's own insertion order would do as that list,
 * but every eviction then starts an iterator at its oldest end, where V8
 * keeps the holes of the deleted entries until it rehashes: in a full cache
 * under steady traffic that walk costs more than the rest of a delivery's
 * bookkeeping.
 */
export function createRecordCache(options: CacheOptions = {}): RecordCache {
  const maxEntries = options.maxEntries ?? DEFAULT_CACHE.maxEntries
  const maxBytes = options.maxBytes ?? DEFAULT_CACHE.maxBytes
  const nodes = new Map<string, Node>()
  let oldest: Node | undefined
  let newest: Node | undefined
  let bytes = 0

  const unlink = (node: Node) => {
    if (node.older) node.older.newer = node.newer
    else oldest = node.newer
    if (node.newer) node.newer.older = node.older
    else newest = node.older
    node.older = node.newer = undefined
  }
  const pushNewest = (node: Node) => {
    node.older = newest
    if (newest) newest.newer = node
    else oldest = node
    newest = node
  }
  const drop = (node: Node) => {
    nodes.delete(node.key)
    unlink(node)
    bytes -= node.bytes
  }
  const remove = (key: string) => {
    const node = nodes.get(key)
    if (node) drop(node)
  }

  return {
    get(key, now) {
      const node = nodes.get(key)
      if (!node) return undefined
      if (node.record.expiresAt <= now) {
        drop(node)
        return undefined
      }
      if (node !== newest) {
        unlink(node)
        pushNewest(node)
      }
      return node.record
    },
    set(record, now) {
      if (record.status !== 'COMPLETED' || record.expiresAt <= now) return
      const size = record.result === undefined ? 0 : utf8Length(record.result)
      remove(record.key)
      // One result larger than the whole budget would only evict everything else.
      if (size > maxBytes || maxEntries <= 0) return
      const node: Node = { key: record.key, record, bytes: size, older: undefined, newer: undefined }
      nodes.set(record.key, node)
      pushNewest(node)
      bytes += size
      while (oldest !== undefined && (nodes.size > maxEntries || bytes > maxBytes)) drop(oldest)
    },
    delete: remove,
    get size() {
      return nodes.size
    },
  }
}
