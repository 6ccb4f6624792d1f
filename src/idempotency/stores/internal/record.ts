/**
 * Reading a record back from whatever a store keeps (a Redis hash, a
 * DynamoDB item, a row), checking each field, so that a foreign or damaged
 * record is a clear store error instead of a wrong decision.
 */
import type { StoreOperation } from '../../errors.js'
import type { IdempotencyRecord } from '../../store.js'
import { malformedRecord } from './failure.js'

/** A record's fields as a store returns them: strings or numbers, maybe missing. */
export interface RawRecord {
  readonly status: unknown
  readonly expiresAt: unknown
  readonly payloadHash: unknown
  readonly owner: unknown
  /** `undefined` or `null`: no result kept. */
  readonly result: unknown
}

/** Checks `raw` field by field and builds the record; a bad field is a store error naming it. */
export function toRecord(store: string, operation: StoreOperation, key: string, raw: RawRecord): IdempotencyRecord {
  const { status, payloadHash, owner, result } = raw
  if (status !== 'INPROGRESS' && status !== 'COMPLETED') throw malformedRecord(store, operation, key, 'status')
  const expiresAt =
    (typeof raw.expiresAt === 'string' && raw.expiresAt.trim() !== '') || typeof raw.expiresAt === 'bigint' ? Number(raw.expiresAt) : raw.expiresAt
  if (typeof expiresAt !== 'number' || !Number.isFinite(expiresAt)) throw malformedRecord(store, operation, key, 'expiresAt')
  if (typeof payloadHash !== 'string') throw malformedRecord(store, operation, key, 'payloadHash')
  if (typeof owner !== 'string' || owner === '') throw malformedRecord(store, operation, key, 'owner')
  if (result !== undefined && result !== null && typeof result !== 'string') throw malformedRecord(store, operation, key, 'result')
  return typeof result === 'string' ? { key, status, expiresAt, payloadHash, owner, result } : { key, status, expiresAt, payloadHash, owner }
}
