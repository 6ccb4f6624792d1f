/**
 * How a store reports a fault: an `IdempotencyStoreError` that names the
 * store, the operation and the (hashed) key, with the client's own error as
 * `cause`. Never the record: its result may hold anything the handler
 * returned.
 */
import { IdempotencyStoreError, type StoreOperation } from '../../errors.js'

/** Wraps a client's error (kept as `cause`); an error already of this kind passes unchanged. */
export function storeFailure(store: string, operation: StoreOperation, key: string | undefined, cause: unknown): IdempotencyStoreError {
  if (cause instanceof IdempotencyStoreError) return cause
  return new IdempotencyStoreError(store, operation, key, { cause })
}

/**
 * A store answered with something that is not a record (edited by hand,
 * written by another program, a different schema). The cause names the
 * field, never its value.
 */
export function malformedRecord(store: string, operation: StoreOperation, key: string, field: string): IdempotencyStoreError {
  return new IdempotencyStoreError(store, operation, key, {
    cause: new Error(`The stored idempotency record has no valid "${field}"`),
  })
}
