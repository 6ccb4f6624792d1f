/**
 * One delivery's way through the state machine: claim, decide, complete or
 * release, and what a store fault means. The event middleware and the Hono
 * middleware both drive this; neither knows a store, and this file knows
 * neither of them.
 *
 * Round trips: a first delivery makes two (claim, complete); a duplicate one
 * (the failed claim, which returns the record where the store can, else a
 * `get` more); a duplicate found in the local cache none.
 */
import { DeploymentError, TimeoutError } from '../errors.js'
import type { Logger } from '../logger.js'
import type { RecordCache } from './cache.js'
import {
  IdempotencyInProgressError,
  IdempotencyKeyReusedError,
  IdempotencyResultError,
  IdempotencyStoreError,
  type StoreOperation,
} from './errors.js'
import { utf8Length } from './hash.js'
import { newOwner } from './owner.js'
import { decide } from './state-machine.js'
import type { ClaimResult, IdempotencyRecord, IdempotencyStore } from './store.js'

/** What to do when the store fails before the handler ran. */
export type StoreErrorPolicy = 'fail' | 'run'

export interface GuardConfig {
  readonly store: IdempotencyStore
  /** How long a COMPLETED record lives, ms. */
  readonly ttl: number
  /** How long a claim lives at most, ms (never past the deadline). */
  readonly lease: number
  readonly cache: RecordCache | undefined
  readonly onStoreError: StoreErrorPolicy
  readonly now: () => number
}

/** A claim this delivery holds: it runs the handler, then completes or releases. */
export interface Claim {
  readonly key: string
  readonly owner: string
  readonly payloadHash: string
  readonly expiresAt: number
}

export type Entry =
  /** Run the handler. `claim` is `undefined` when the store failed and the policy is `'run'`. */
  | { readonly kind: 'run'; readonly claim: Claim | undefined }
  /** Return the stored result: `record.result` is its JSON text (absent when no result was kept). */
  | { readonly kind: 'replay'; readonly record: IdempotencyRecord }

/**
 * What a record costs beyond its result and key, in bytes: attribute names,
 * the status, two numbers. An estimate on the safe side of what DynamoDB
 * counts against its 400 KB.
 */
export const RECORD_OVERHEAD_BYTES = 128

/**
 * The size a store is asked to hold for `record`, as compared with its
 * `maxRecordBytes`: UTF-8 bytes of the key, result, hash and owner, plus
 * {@link RECORD_OVERHEAD_BYTES}. A store sets `maxRecordBytes` to its own
 * limit; the middleware checks before it writes.
 *
 * @example
 * ```ts
 * const dynamo: IdempotencyStore = { name: 'dynamodb', maxRecordBytes: 400 * 1024, ... }
 * if (recordBytes(record) > dynamo.maxRecordBytes) ...
 * ```
 */
export function recordBytes(record: IdempotencyRecord): number {
  return (
    utf8Length(record.key) +
    utf8Length(record.result ?? '') +
    utf8Length(record.payloadHash) +
    utf8Length(record.owner) +
    RECORD_OVERHEAD_BYTES
  )
}

// A claim races the record it found at most this often before giving up with
// a retry: the record vanished (released) or died between the failed claim
// and the read, and someone else may win the next claim too.
const CLAIM_ATTEMPTS = 3

export interface Guard {
  /**
   * The live COMPLETED record in the local cache, with no round trip and no
   * await; throws `IdempotencyKeyReusedError` for a different payload.
   */
  cached(key: string, payloadHash: string): IdempotencyRecord | undefined
  /** Claims the key, or says why not (a replay, or one of the family's errors). */
  begin(key: string, payloadHash: string, deadline: number, log: Logger): Promise<Entry>
  /** {@link Guard.begin} for a caller that has just asked {@link Guard.cached} and missed. */
  claim(key: string, payloadHash: string, deadline: number, log: Logger): Promise<Entry>
  /** Records the result of a successful run. Never throws for a store fault: it logs. */
  complete(claim: Claim, result: string | undefined, log: Logger): Promise<void>
  /** Gives the key up after a failed run, so a redelivery runs the handler. Never throws: it logs. */
  release(claim: Claim, log: Logger): Promise<void>
}

export function createGuard(config: GuardConfig): Guard {
  const { store, cache, now } = config

  const fields = (key: string) => ({ idempotencyKey: key, store: store.name })

  /** Fail closed (throw) or open (run without a claim), per the policy. */
  const fault = (operation: StoreOperation, key: string, error: unknown, log: Logger): Entry => {
    // A store that says the deployment is wrong (a D1 table never created)
    // is not a store fault to run past or to blur: it says what to fix.
    if (error instanceof DeploymentError) throw error
    // A store may already say it in our words (with its own detail); keep that.
    const wrapped = error instanceof IdempotencyStoreError ? error : new IdempotencyStoreError(store.name, operation, key, { cause: error })
    if (config.onStoreError === 'fail') throw wrapped
    log.error('idempotency store failed: running the handler without idempotency (onStoreError: "run")', {
      ...fields(key),
      operation,
      error: wrapped.cause ?? wrapped,
    })
    return { kind: 'run', claim: undefined }
  }

  const release = async (claim: Claim, log: Logger): Promise<void> => {
    try {
      await store.release(claim.key, claim.owner)
    } catch (error) {
      log.error('idempotency claim not released: redeliveries are told to retry until the lease ends', {
        ...fields(claim.key),
        leaseEndsAt: new Date(claim.expiresAt).toISOString(),
        error,
      })
    }
  }

  const cached = (key: string, payloadHash: string): IdempotencyRecord | undefined => {
    const t = now()
    const record = cache?.get(key, t)
    if (record === undefined) return undefined
    if (decide(record, t, payloadHash) === 'reused') throw new IdempotencyKeyReusedError(key)
    return record
  }

  const claim = async (key: string, payloadHash: string, deadline: number, log: Logger): Promise<Entry> => {
    let found: IdempotencyRecord | undefined
    for (let attempt = 0; attempt < CLAIM_ATTEMPTS; attempt++) {
      const at = now()
      // The record doubles as this delivery's claim.
      const claim: IdempotencyRecord = { key, status: 'INPROGRESS', expiresAt: Math.min(at + config.lease, deadline), payloadHash, owner: newOwner() }
      let result: ClaimResult
      try {
        result = await store.claim(claim, at)
      } catch (error) {
        return fault('claim', key, error, log)
      }
      if (result.claimed) {
        if (now() < claim.expiresAt) return { kind: 'run', claim }
        // The answer came back after the lease it granted had ended: by
        // now another delivery may hold the key, so this one must not run.
        await release(claim, log)
        throw claim.expiresAt >= deadline
          ? new TimeoutError('The invocation deadline passed while the idempotency key was being claimed')
          : new IdempotencyStoreError(store.name, 'claim', key, { detail: 'The idempotency store answered after the lease ended' })
      }
      let existing = result.existing
      if (existing === undefined) {
        try {
          existing = await store.get(key)
        } catch (error) {
          return fault('get', key, error, log)
        }
      }
      found = existing
      const t = now()
      switch (decide(existing, t, payloadHash)) {
        case 'replay':
          cache?.set(existing!, t)
          return { kind: 'replay', record: existing! }
        case 'in-progress':
          throw new IdempotencyInProgressError(key, existing!.expiresAt, t)
        case 'reused':
          throw new IdempotencyKeyReusedError(key)
        case 'claim':
          continue
      }
    }
    // Lost every race: someone else keeps taking the key. Their run decides; ask to come back.
    const t = now()
    throw new IdempotencyInProgressError(key, found && found.expiresAt > t ? found.expiresAt : t, t)
  }

  return {
    cached,
    claim,

    async begin(key, payloadHash, deadline, log) {
      const hit = cached(key, payloadHash)
      return hit ? { kind: 'replay', record: hit } : claim(key, payloadHash, deadline, log)
    },

    async complete(claim, result, log) {
      const at = now()
      const record: IdempotencyRecord =
        result === undefined
          ? { key: claim.key, status: 'COMPLETED', expiresAt: at + config.ttl, payloadHash: claim.payloadHash, owner: claim.owner }
          : { key: claim.key, status: 'COMPLETED', expiresAt: at + config.ttl, payloadHash: claim.payloadHash, owner: claim.owner, result }
      const limit = store.maxRecordBytes
      if (limit !== undefined) {
        const size = recordBytes(record)
        if (size > limit) {
          await release(claim, log)
          throw new IdempotencyResultError(claim.key, 'too-large', `the record would be ${size} bytes, over the ${limit} bytes store "${store.name}" accepts`)
        }
      }
      try {
        await store.complete(record)
      } catch (error) {
        // The effect happened and the caller gets its result; but until the
        // lease ends duplicates are told to retry, and after it they run again.
        log.error('IDEMPOTENCY NOT RECORDED: the handler succeeded but its completion could not be stored; a redelivery after the lease will run it again', {
          ...fields(claim.key),
          leaseEndsAt: new Date(claim.expiresAt).toISOString(),
          error,
        })
        return
      }
      cache?.set(record, at)
    },

    release,
  }
}
