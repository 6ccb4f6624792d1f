/**
 * The one interface every idempotency store implements: four primitives, one
 * time unit (epoch milliseconds), and the clock passed in, never read inside.
 *
 * A record's life:
 *
 * ```
 *   (absent) --claim--> INPROGRESS --complete--> COMPLETED --expiresAt--> (absent)
 *                          |  \--release (handler failed)--> (absent)
 *                          \--expiresAt (lease over: the claimant crashed)--> reclaimable
 * ```
 *
 * `expiresAt` means the same thing in both states: from that instant the
 * record is dead and `claim` may overwrite it. For INPROGRESS it is the end
 * of the lease (never after the invocation's deadline); for COMPLETED it is
 * the end of the TTL.
 */

export type IdempotencyStatus = 'INPROGRESS' | 'COMPLETED'

/**
 * What a store holds under one key: who claimed it, in which state, until
 * when, and, once completed, the result that later duplicates get back
 * instead of running the handler again.
 */
export interface IdempotencyRecord {
  /** The hashed, namespaced key. */
  readonly key: string
  readonly status: IdempotencyStatus
  /** Epoch ms from which the record is dead and may be claimed again. */
  readonly expiresAt: number
  /** Hash of the event data as delivered; a different hash under the same key is a reuse. */
  readonly payloadHash: string
  /** Identifies the claim, so that only its owner completes or releases it. */
  readonly owner: string
  /** The handler's result as JSON text (COMPLETED only, unless results are not stored). */
  readonly result?: string
}

/**
 * The answer to {@link IdempotencyStore.claim}: the claim was won (run the
 * handler), or another delivery holds the key (a duplicate, completed or
 * still in progress).
 */
export type ClaimResult =
  | { readonly claimed: true }
  /**
   * The key is held by a live record. `existing` is that record when the
   * store can return it in the same round trip (DynamoDB's
   * ReturnValuesOnConditionCheckFailure, a Lua script, RETURNING); when it is
   * `undefined` the middleware reads it with `get`.
   */
  | { readonly claimed: false; readonly existing: IdempotencyRecord | undefined }

/**
 * A place to keep idempotency records, shared by every instance that may
 * receive the same event: the contract the `idempotent` middleware is
 * written against. faasade ships it for memory, Redis, DynamoDB, Postgres,
 * Azure Table storage and D1; any other database that can make a claim
 * atomic can implement it in four methods.
 *
 * @example
 * ```ts
 * import { idempotent, type IdempotencyStore } from 'faasade/idempotency'
 * const store: IdempotencyStore = {
 *   name: 'my-db',
 *   claim: (record, now) => db.insertUnlessLive(record, now), // { claimed: true } or { claimed: false, existing }
 *   complete: (record) => db.replaceIfOwner(record),
 *   get: (key) => db.find(key),
 *   release: (key, owner) => db.deleteIfOwner(key, owner),
 * }
 * export const onOrder = defineHandler({ use: [idempotent({ store })], handle })
 * ```
 */
export interface IdempotencyStore {
  /** For logs and errors: `'memory'`, `'redis'`, `'dynamodb'`, … */
  readonly name: string
  /**
   * Atomically writes `record` (INPROGRESS) if the key is absent or its
   * record's `expiresAt <= now`. Exactly one of any number of concurrent
   * claims of a key may succeed. One round trip.
   */
  claim(record: IdempotencyRecord, now: number): Promise<ClaimResult>
  /**
   * Replaces the INPROGRESS record of `record.owner` with `record`
   * (COMPLETED). Does nothing if the claim is no longer that owner's (its
   * lease ran out and another delivery took the key). One round trip.
   */
  complete(record: IdempotencyRecord): Promise<void>
  /** The record under `key`, live or not, or `undefined`. One round trip. */
  get(key: string): Promise<IdempotencyRecord | undefined>
  /** Deletes the record under `key` if `owner` still holds it. One round trip. */
  release(key: string, owner: string): Promise<void>
  /** The largest record, in bytes, the store accepts (DynamoDB: 400 KB). */
  readonly maxRecordBytes?: number
  /**
   * How this store names keys and hashes payloads, when its records must
   * match another library's (the DynamoDB store's Powertools layout).
   * @defaultValue `<namespace>:<SHA-256>` keys and SHA-256 payload hashes
   */
  readonly keys?: KeyScheme
}

/**
 * A store's own way of naming keys and hashing payloads, in place of
 * faasade's, so that records another library wrote are found under the
 * same key and their payload hash compares equal.
 *
 * @example
 * ```ts
 * const keys: KeyScheme = {
 *   key: (namespace, value) => `${namespace}#${md5(JSON.stringify(value))}`,
 *   payload: (value) => md5(JSON.stringify(value)),
 * }
 * ```
 */
export interface KeyScheme {
  /** The store key for a picked key `value` (one part, or the list a key function returned) under `namespace`. */
  key(namespace: string, value: unknown): string | Promise<string>
  /** The hash of the payload `value` that tells a redelivery from a reuse of its key. */
  payload(value: unknown): string | Promise<string>
}
