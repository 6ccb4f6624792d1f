/**
 * `faasade/idempotency/azure-table`: idempotency records in Azure Table
 * Storage (or Cosmos DB's Table API), through your `TableClient` from
 * `@azure/data-tables`. Nothing is imported from it.
 *
 * One entity per key: the key is the PartitionKey (characters the service
 * refuses, `/ \ # ?` and controls, are %-escaped, and `%` itself), the
 * RowKey is empty. Writes are conditional on the entity's ETag:
 *
 * - `claim`: `createEntity` (one round trip). A 409 means the key is held:
 *   `getEntity` reads the record (a second); if it is dead, an
 *   `updateEntity` with `If-Match` on its ETag takes it over (a third), and
 *   of any number of such takeovers exactly one wins.
 * - `complete`, `release`: `updateEntity` (Replace) / `deleteEntity` with
 *   `If-Match` on the ETag the claim got, so they touch the record only if
 *   nothing changed it since: one round trip. A store object that did not
 *   make the claim reads the ETag first.
 * - `get`: `getEntity`.
 *
 * Table Storage has no expiry: dead entities stay until a claim takes their
 * key over. A string property holds at most 64 KiB (UTF-16), so a long
 * result is split over `result`, `result1`, `result2`, …; an entity holds at
 * most 1 MiB, which bounds `maxRecordBytes` at 500 KiB of UTF-8.
 *
 * Give the client `retryOptions: { maxRetries: 0 }` to fail fast: with the
 * SDK's default retries a dead endpoint takes seconds to give up, and the
 * provider's redelivery is the retry.
 *
 * @example
 * ```ts
 * import { TableClient } from '@azure/data-tables'
 * import { idempotent } from 'faasade/idempotency'
 * import { azureTableStore } from 'faasade/idempotency/azure-table'
 *
 * const table = TableClient.fromConnectionString(process.env.STORAGE!, 'idempotency', { retryOptions: { maxRetries: 0 } })
 * await table.createTable() // once, at deploy time
 * const store = azureTableStore(table)
 * export const orderPlaced = defineHandler({ use: [idempotent({ store })], handle })
 * ```
 */
import { ConfigurationError } from '../../errors.js'
import type { StoreOperation } from '../errors.js'
import type { ClaimResult, IdempotencyRecord, IdempotencyStore } from '../store.js'
import { malformedRecord, storeFailure } from './internal/failure.js'
import { toRecord } from './internal/record.js'

/** An entity as this store writes it. */
export interface IdempotencyEntity {
  partitionKey: string
  rowKey: string
  status: string
  expiresAt: number
  payloadHash: string
  owner: string
  /** How many `result*` properties hold the result; absent when none is kept. */
  resultParts?: number
  [resultPart: `result${string}`]: string | number | undefined
}

/** The part of a `TableClient` (`@azure/data-tables`) used here. */
export interface TableClientLike {
  /** Inserts `entity`; rejects with status 409 when the key already has one. Claims a free key. */
  createEntity(entity: IdempotencyEntity): Promise<{ etag?: string }>
  /** Reads the entity under the key, with its ETag; rejects with status 404 when there is none. */
  getEntity(partitionKey: string, rowKey: string): Promise<{ etag?: string }>
  /** Replaces the entity if its ETag is still `options.etag` (else a 412): takes over a dead claim, or completes one. */
  updateEntity(entity: IdempotencyEntity, mode: 'Replace', options: { etag: string }): Promise<{ etag?: string }>
  /** Deletes the entity if its ETag is still `options.etag`: releases a claim only its owner still holds. */
  deleteEntity(partitionKey: string, rowKey: string, options: { etag: string }): Promise<unknown>
}

/** Half of Table Storage's 1 MiB entity: strings count as UTF-16, up to 2 bytes for each UTF-8 byte. */
export const AZURE_TABLE_MAX_RECORD_BYTES = 500 * 1024

// Characters below 32K per property, leaving room in the 64 KiB UTF-16 limit.
const PART_CHARS = 30_000
// ETags of claims this store object made and has not completed or released.
const MAX_REMEMBERED = 10_000

function statusOf(error: unknown): number | undefined {
  const status = (error as { statusCode?: unknown } | null)?.statusCode
  return typeof status === 'number' ? status : undefined
}

/** Escapes the characters PartitionKey refuses (and `%`, so the mapping stays one-to-one). */
function partitionKeyOf(key: string): string {
  return key.replace(/[%/\\#?\u0000-\u001f\u007f-\u009f]/g, (c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`)
}

function splitResult(result: string): string[] {
  const parts: string[] = []
  let at = 0
  while (at < result.length) {
    let end = Math.min(at + PART_CHARS, result.length)
    // Never split a surrogate pair between two properties.
    const code = result.charCodeAt(end - 1)
    if (end < result.length && code >= 0xd800 && code <= 0xdbff) end--
    parts.push(result.slice(at, end))
    at = end
  }
  return parts
}

function isTableClient(client: unknown): client is TableClientLike {
  if (typeof client !== 'object' || client === null) return false
  const c = client as Record<string, unknown>
  return ['createEntity', 'getEntity', 'updateEntity', 'deleteEntity'].every((m) => typeof c[m] === 'function')
}

/**
 * Creates an Azure Table store on your `TableClient`.
 *
 * @example
 * ```ts
 * const store = azureTableStore(TableClient.fromConnectionString(connectionString, 'idempotency'))
 * ```
 */
export function azureTableStore(table: TableClientLike): IdempotencyStore {
  if (!isTableClient(table)) throw new ConfigurationError('azureTableStore: table must be a TableClient from @azure/data-tables')
  const name = 'azure-table'
  const rowKey = ''
  const etags = new Map<string, { owner: string; etag: string }>()

  const remember = (key: string, owner: string, etag: string | undefined) => {
    if (etag === undefined) return
    etags.delete(key)
    if (etags.size >= MAX_REMEMBERED) etags.delete(etags.keys().next().value!)
    etags.set(key, { owner, etag })
  }

  const toEntity = (record: IdempotencyRecord): IdempotencyEntity => {
    const entity: IdempotencyEntity = {
      partitionKey: partitionKeyOf(record.key),
      rowKey,
      status: record.status,
      expiresAt: record.expiresAt,
      payloadHash: record.payloadHash,
      owner: record.owner,
    }
    if (record.result !== undefined) {
      const parts = splitResult(record.result)
      entity.resultParts = parts.length
      parts.forEach((part, i) => (entity[`result${i === 0 ? '' : i}`] = part))
    }
    return entity
  }

  const fromEntity = (operation: StoreOperation, key: string, entity: Record<string, unknown>): IdempotencyRecord => {
    const count = entity.resultParts
    let result: string | undefined
    if (count !== undefined) {
      if (typeof count !== 'number' || !Number.isInteger(count) || count < 0) throw malformedRecord(name, operation, key, 'resultParts')
      const parts: unknown[] = []
      for (let i = 0; i < count; i++) parts.push(entity[`result${i === 0 ? '' : i}`])
      if (!parts.every((part) => typeof part === 'string')) throw malformedRecord(name, operation, key, 'result')
      result = parts.join('')
    }
    return toRecord(name, operation, key, { status: entity.status, expiresAt: entity.expiresAt, payloadHash: entity.payloadHash, owner: entity.owner, result })
  }

  /** The entity and its ETag, or `undefined` when there is none. */
  const read = async (operation: StoreOperation, key: string): Promise<{ record: IdempotencyRecord; etag: string | undefined } | undefined> => {
    let entity: { etag?: string }
    try {
      entity = await table.getEntity(partitionKeyOf(key), rowKey)
    } catch (error) {
      if (statusOf(error) === 404) return undefined
      throw storeFailure(name, operation, key, error)
    }
    return { record: fromEntity(operation, key, entity as Record<string, unknown>), etag: entity.etag }
  }

  /** The ETag of `owner`'s INPROGRESS claim: remembered, or read. */
  const claimEtag = async (operation: StoreOperation, key: string, owner: string, status?: 'INPROGRESS'): Promise<string | undefined> => {
    const known = etags.get(key)
    if (known !== undefined && known.owner === owner) return known.etag
    const found = await read(operation, key)
    if (found === undefined || found.record.owner !== owner || (status !== undefined && found.record.status !== status)) return undefined
    return found.etag
  }

  return {
    name,
    maxRecordBytes: AZURE_TABLE_MAX_RECORD_BYTES,
    async claim(record, now): Promise<ClaimResult> {
      const entity = toEntity(record)
      try {
        remember(record.key, record.owner, (await table.createEntity(entity)).etag)
        return { claimed: true }
      } catch (error) {
        if (statusOf(error) !== 409) throw storeFailure(name, 'claim', record.key, error)
      }
      const found = await read('claim', record.key)
      // Released between the two calls: let the middleware look again.
      if (found === undefined) return { claimed: false, existing: undefined }
      if (found.record.expiresAt > now || found.etag === undefined) return { claimed: false, existing: found.record }
      try {
        remember(record.key, record.owner, (await table.updateEntity(entity, 'Replace', { etag: found.etag })).etag)
        return { claimed: true }
      } catch (error) {
        const status = statusOf(error)
        // Another delivery took the dead record over first, or it was deleted.
        if (status === 412 || status === 404) return { claimed: false, existing: undefined }
        throw storeFailure(name, 'claim', record.key, error)
      }
    },
    async complete(record) {
      const etag = await claimEtag('complete', record.key, record.owner, 'INPROGRESS')
      if (etag === undefined) return
      try {
        await table.updateEntity(toEntity(record), 'Replace', { etag })
      } catch (error) {
        const status = statusOf(error)
        if (status !== 412 && status !== 404) throw storeFailure(name, 'complete', record.key, error)
      }
      etags.delete(record.key)
    },
    async get(key) {
      return (await read('get', key))?.record
    },
    async release(key, owner) {
      const etag = await claimEtag('release', key, owner)
      if (etag === undefined) return
      try {
        await table.deleteEntity(partitionKeyOf(key), rowKey, { etag })
      } catch (error) {
        const status = statusOf(error)
        if (status !== 412 && status !== 404) throw storeFailure(name, 'release', key, error)
      }
      etags.delete(key)
    },
  }
}
