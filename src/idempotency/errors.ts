/**
 * What idempotency can say instead of a result, as members of the faasade
 * error family: each extends the core class whose meaning it has
 * (`RetryableError`, `PermanentError`, `ValidationError`), so every adapter
 * already knows whether to redeliver, and a user's `instanceof RetryableError`
 * still holds. One brand ties them together: {@link isIdempotencyError}.
 *
 * Every error names the hashed key (never the event's data), and a store
 * fault keeps the store's own error as `cause`. Problem bodies carry neither.
 *
 * @example
 * ```ts
 * import { IdempotencyInProgressError } from 'faasade/idempotency'
 * const run = await invoke(orderPlaced, duplicate)
 * if (!run.ok && run.error instanceof IdempotencyInProgressError) console.log('retry in', run.error.retryAfterMs, 'ms')
 * ```
 */
import {
  PermanentError,
  RetryableError,
  ValidationError,
  type FaasadeErrorOptions,
  type Issue,
  type RetryableErrorOptions,
} from '../errors.js'

const BRAND = Symbol.for('faasade.idempotency-error')
const PROBLEMS = 'https://faasade.dev/problems/idempotency-'

function brand(error: Error): void {
  Object.defineProperty(error, BRAND, { value: true })
}

/**
 * True for any error of this family, from this copy of faasade or another.
 *
 * @example
 * ```ts
 * if (isIdempotencyError(error)) ctx.log.warn('idempotency', { key: error.key, name: error.name })
 * ```
 */
export function isIdempotencyError(error: unknown): error is IdempotencyError {
  return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[BRAND] === true
}

/** What every member of the family carries. */
export interface IdempotencyErrorFields {
  /** The hashed, namespaced key the error is about (safe to log: it holds no event data). */
  readonly key: string | undefined
}

/** Any member of the family. */
export type IdempotencyError =
  | IdempotencyInProgressError
  | IdempotencyKeyReusedError
  | IdempotencyStoreError
  | IdempotencyKeyMissingError
  | IdempotencyResultError

/**
 * Another delivery of the same event holds a live claim: it is running now.
 * Retryable: the provider redelivers later, and by then the first delivery
 * has completed (this one gets its result) or failed (this one runs).
 * `retryAfterMs` is what is left of the holder's lease.
 */
export class IdempotencyInProgressError extends RetryableError implements IdempotencyErrorFields {
  static override readonly errorName: string = 'IdempotencyInProgressError'
  override readonly problemType = `${PROBLEMS}in-progress`
  readonly key: string
  /** Epoch ms at which the holder's lease ends. */
  readonly expiresAt: number
  constructor(key: string, expiresAt: number, now: number, options: RetryableErrorOptions = {}) {
    const retryAfterMs = Math.max(0, expiresAt - now)
    super(`Idempotency key ${key} is in progress in another delivery (lease ends in ${retryAfterMs} ms)`, {
      detail: 'A request with this idempotency key is being processed',
      retryAfterMs,
      ...options,
    })
    this.key = key
    this.expiresAt = expiresAt
    brand(this)
  }
  protected override title(): string {
    return 'Request in progress'
  }
}

/**
 * The key was seen before with different data: two distinct events share an
 * id, or a client reused an `Idempotency-Key` for another request. Permanent:
 * no redelivery can make the data match.
 */
export class IdempotencyKeyReusedError extends PermanentError implements IdempotencyErrorFields {
  static override readonly errorName: string = 'IdempotencyKeyReusedError'
  override readonly problemType = `${PROBLEMS}key-reused`
  readonly key: string
  constructor(key: string, options: FaasadeErrorOptions = {}) {
    super(`Idempotency key ${key} was already used with a different payload`, {
      detail: 'This idempotency key was already used with a different payload',
      ...options,
    })
    this.key = key
    brand(this)
  }
  protected override title(): string {
    return 'Idempotency key reused'
  }
}

/** Which store call failed. */
export type StoreOperation = 'claim' | 'get' | 'complete' | 'release'

/**
 * The store could not be reached or answered nonsense. Retryable, and by
 * default the handler did not run (fail closed): running it without a claim
 * could run it twice. The store's own error is the `cause`.
 */
export class IdempotencyStoreError extends RetryableError implements IdempotencyErrorFields {
  static override readonly errorName: string = 'IdempotencyStoreError'
  override readonly problemType = `${PROBLEMS}store`
  readonly key: string | undefined
  readonly store: string
  readonly operation: StoreOperation
  constructor(store: string, operation: StoreOperation, key: string | undefined, options: RetryableErrorOptions = {}) {
    super(`Idempotency store "${store}" failed on ${operation}${key === undefined ? '' : ` of key ${key}`}`, {
      detail: 'The idempotency store is unavailable',
      ...options,
    })
    this.key = key
    this.store = store
    this.operation = operation
    brand(this)
  }
  protected override title(): string {
    return 'Idempotency store unavailable'
  }
}

/**
 * The key function found no key in the event, or a request that must carry
 * an `Idempotency-Key` header has none (or a malformed one). A validation
 * error: never a silent pass-through without idempotency. HTTP 400.
 */
export class IdempotencyKeyMissingError extends ValidationError implements IdempotencyErrorFields {
  static override readonly errorName: string = 'IdempotencyKeyMissingError'
  override readonly problemType = `${PROBLEMS}key-missing`
  readonly key = undefined
  constructor(message: string, issues: readonly Issue[] = [], options: FaasadeErrorOptions = {}) {
    super(message, issues, options)
    brand(this)
  }
  protected override title(): string {
    return 'Idempotency key missing'
  }
}

/** Why a result could not be recorded. */
export type ResultProblem = 'not-serialisable' | 'too-large'

/**
 * The handler succeeded but its result cannot be recorded: it does not
 * serialise as JSON, or the record would exceed the store's
 * `maxRecordBytes`. The claim is released, so a redelivery would run the
 * handler again; the error is permanent so that none is asked for. Fix the
 * handler's result, or set `storeResult: false`.
 */
export class IdempotencyResultError extends PermanentError implements IdempotencyErrorFields {
  static override readonly errorName: string = 'IdempotencyResultError'
  override readonly problemType = `${PROBLEMS}result`
  readonly key: string
  readonly reason: ResultProblem
  constructor(key: string, reason: ResultProblem, message: string, options: FaasadeErrorOptions = {}) {
    super(`Idempotency key ${key}: ${message}`, { detail: 'The result could not be recorded', ...options })
    this.key = key
    this.reason = reason
    brand(this)
  }
  protected override title(): string {
    return 'Result not recordable'
  }
}
